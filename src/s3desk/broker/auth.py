"""Who is asking: bearer tokens checked against the SHA-256 hashes in the configuration.

:class:`Authenticator` is what the app calls; :class:`TokenAuthenticator` is the one
implementation here. An OIDC/JWT validator fits the same interface: verify the token's
signature, issuer, audience and expiry, then map a claim (``sub``, ``groups``) to a user name
and a policy.

Tokens are 256-bit random strings, so one round of SHA-256 is enough to keep the stored hashes
useless to a thief (no password-style stretching needed), and every stored hash is compared in
constant time, all of them on every request, so timing reveals nothing about which one matched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

from s3desk.broker.errors import Refusal

TOKEN_PREFIX = "s3db_"
MAX_TOKEN_LENGTH = 4096  # room for a JWT; anything longer is not a token of ours


@dataclass(frozen=True, slots=True)
class Policy:
    """What one user or group may upload."""

    name: str
    bucket: str
    prefix: str  # template: {user} and {date} are filled in
    max_size: int
    allowed_types: frozenset[str]  # lower-case extensions without the dot, "" for none, "*"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``user`` names the caller's folder and owns its uploads."""

    user: str
    policy: Policy


class Authenticator(Protocol):
    def authenticate(self, authorization: str | None) -> Principal:
        """The caller behind an ``Authorization`` header value; raise Refusal (401) if none."""
        ...


@dataclass(frozen=True, slots=True)
class TokenEntry:
    user: str
    policy: str
    digest: bytes  # SHA-256 of the token


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unauthorized(message: str) -> Refusal:
    return Refusal(401, "unauthorized", message)


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise unauthorized("Sign-in is required: this request carries no access token")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise unauthorized("The access token is malformed; expected 'Authorization: Bearer …'")
    return token


class TokenAuthenticator:
    """Static tokens from the configuration, each for one user (or a group sharing a name)."""

    def __init__(self, entries: tuple[TokenEntry, ...], policies: dict[str, Policy]) -> None:
        self._entries = entries
        self._policies = policies

    def authenticate(self, authorization: str | None) -> Principal:
        digest = hashlib.sha256(bearer_token(authorization).encode("utf-8")).digest()
        found: TokenEntry | None = None
        for entry in self._entries:  # no early exit: the time taken does not depend on which
            if hmac.compare_digest(entry.digest, digest):
                found = entry
        if found is None:
            raise unauthorized(
                "This access token is not valid (or was revoked); ask your administrator for a "
                "new one"
            )
        return Principal(found.user, self._policies[found.policy])
