"""Credentials and region for the lean sender without loading botocore, where they are
plain to see: keys on the endpoint (an account's), or keys in the AWS_* environment
variables, with the region on the endpoint or in AWS_DEFAULT_REGION.

botocore takes about 50 ms to import and set up a session: most of a one-file
``s3desk upload`` to a local service. Anything less plain (a profile, a region from the
config file, expiring or partial keys in the environment) gets botocore's session, so what
is found is always what botocore would find: its environment provider comes first in its
chain unless a profile is named, and it reads the same variables the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from botocore.session import Session

    from s3desk.core.storage.endpoint import S3Endpoint

_PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
_REGION_VARIABLE = "AWS_DEFAULT_REGION"  # the one botocore reads; AWS_REGION is not
# botocore takes the first of these that is set and not empty.
_TOKEN_VARIABLES = ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN")


class FrozenCredentials(NamedTuple):
    """The same fields as botocore's ReadOnlyCredentials."""

    access_key: str
    secret_key: str
    token: str | None


class PlainCredentials:
    def __init__(self, frozen: FrozenCredentials) -> None:
        self._frozen = frozen

    def get_frozen_credentials(self) -> FrozenCredentials:
        return self._frozen


class PlainSession:
    """What the lean sender asks of a botocore session: credentials, and configuration
    variables. The region is known already; anything else (the CA bundle for HTTPS) is
    asked of a botocore session from ``fallback``, made only then."""

    def __init__(
        self, credentials: FrozenCredentials, region: str, fallback: Callable[[], Session]
    ) -> None:
        self._credentials = PlainCredentials(credentials)
        self._region = region
        self._fallback = fallback

    def get_credentials(self) -> PlainCredentials:
        return self._credentials

    def get_config_variable(self, logical_name: str) -> Any:
        if logical_name == "region":
            return self._region
        return self._fallback().get_config_variable(logical_name)


def plain_session(
    endpoint: S3Endpoint,
    fallback: Callable[[], Session],
    environ: os._Environ[str] | dict[str, str] | None = None,
) -> PlainSession | None:
    """A PlainSession for ``endpoint`` if its credentials and region need no botocore,
    else None (the caller uses ``fallback()``, botocore's session, instead)."""
    env = os.environ if environ is None else environ
    if endpoint.profile:
        return None
    # The region: the endpoint's, else AWS_DEFAULT_REGION (even empty: then botocore's
    # session has none and us-east-1 is used), else the config file's: botocore reads that.
    if endpoint.region:
        region = endpoint.region
    elif _REGION_VARIABLE in env:
        region = env[_REGION_VARIABLE] or "us-east-1"
    else:
        return None
    if endpoint.access_key or endpoint.secret_key:
        # make_session() sets these on the session; botocore looks no further.
        keys = FrozenCredentials(
            endpoint.access_key or "", endpoint.secret_key or "", endpoint.session_token
        )
        return PlainSession(keys, region, fallback)
    # botocore's environment provider; a profile named in the environment makes botocore
    # read the config file before it gets there (and fail if the profile is missing).
    if any(name in env for name in _PROFILE_VARIABLES):
        return None
    access_key = env.get("AWS_ACCESS_KEY_ID", "")
    secret_key = env.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key or env.get("AWS_CREDENTIAL_EXPIRATION", ""):
        return None  # none, partial (botocore's error) or refreshable: botocore's chain
    token = next((env[name] for name in _TOKEN_VARIABLES if env.get(name, "")), None)
    return PlainSession(FrozenCredentials(access_key, secret_key, token), region, fallback)
