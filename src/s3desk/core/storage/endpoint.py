"""Where the objects go: an endpoint description and the boto3 client made from it."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from s3desk.core.phrases import phrase

if TYPE_CHECKING:
    # boto3-stubs (the dev extra): types only, the installed app runs without them.
    from botocore.config import _S3Dict as S3Options  # Config(s3=...)'s keys
    from botocore.session import Session
    from mypy_boto3_s3 import S3Client

# Amazon S3 itself, reached through the standard AWS credential chain (env vars, profiles, SSO).
AWS_LABEL = "Amazon S3"


@dataclass(frozen=True, slots=True)
class S3Endpoint:
    """How to reach one S3 service. Secrets are never shown in repr()."""

    label: str = AWS_LABEL
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    path_style: bool = False
    # "crc32" (S3's flexible checksums) or "md5" for services that reject their headers.
    checksum_mode: str = "crc32"
    # Shown under the destination picker, e.g. "cleared when the app quits".
    note: str = ""
    # The s3desk account this endpoint was made from, if any: it names the journal's
    # entries, so renaming an account or rotating its keys keeps unfinished uploads.
    account_id: str = ""
    # An organisation's upload service (s3desk-broker) instead of S3 credentials: uploads go
    # through the pre-signed URLs it hands out for this token.
    upload_service_url: str = ""
    upload_service_token: str | None = field(default=None, repr=False)

    @property
    def identity(self) -> str:
        """Names the service and account without secrets: the journal keys uploads by it."""
        if self.account_id:
            return f"account:{self.account_id}"
        if self.upload_service_url:
            token = hashlib.sha256((self.upload_service_token or "").encode()).hexdigest()[:16]
            # "broker|": journals written before the upload service had its name key by it.
            return f"broker|{self.upload_service_url}|{token}"
        key = hashlib.sha256(self.access_key.encode()).hexdigest()[:16] if self.access_key else ""
        return "|".join((self.label, self.endpoint_url or "aws", self.profile or "", key))

    @property
    def display(self) -> str:
        where = self.endpoint_url or self.upload_service_url
        return phrase("{label} ({where})", label=self.label, where=where) if where else self.label


def custom_endpoint(
    url: str, *, region: str | None = None, profile: str | None = None
) -> S3Endpoint:
    """An S3-compatible service at ``url``; path-style addressing for IPs and localhost, where
    virtual-host names (bucket.127.0.0.1) cannot resolve."""
    if "://" not in url:
        raise ValueError(f"Endpoint URL {url!r} needs a scheme, e.g. https://{url}")
    host = urlsplit(url).hostname or ""
    local = host == "localhost" or _is_ip(host)
    return S3Endpoint(
        label=phrase("S3-compatible storage"), endpoint_url=url, region=region, profile=profile,
        path_style=local,
    )  # fmt: skip


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def make_session(endpoint: S3Endpoint) -> Session:
    """A botocore session holding ``endpoint``'s credentials (keys, or a profile's chain)."""
    import botocore.session

    session = botocore.session.Session(profile=endpoint.profile)
    if endpoint.access_key or endpoint.secret_key:
        session.set_credentials(
            endpoint.access_key or "", endpoint.secret_key or "", endpoint.session_token
        )
    if endpoint.region:
        session.set_config_variable("region", endpoint.region)
    return session


class ConfigSource(Protocol):
    """Where configuration variables come from: botocore's session, or a PlainSession."""

    def get_config_variable(self, logical_name: str) -> Any: ...


def session_region(endpoint: S3Endpoint, session: ConfigSource) -> str:
    """The region requests are signed for: the endpoint's, the profile's, or us-east-1."""
    return str(endpoint.region or session.get_config_variable("region") or "us-east-1")


def make_client(
    endpoint: S3Endpoint,
    max_connections: int = 10,
    *,
    session: Session | None = None,
    sign_payload: bool = True,
    attempts: int = 5,
    connect_timeout: float = 10,
    read_timeout: float = 120,
) -> S3Client:
    """A thread-safe boto3 S3 client for ``endpoint``, sized for ``max_connections`` workers.

    The upload engine asks for ``attempts=1``: it retries by itself, so that each retry shows
    in the job's row and pause or cancel can interrupt the waiting. Pass the ``session`` from
    make_session() to share its credentials with other senders."""
    import boto3
    from botocore.config import Config

    session = session or make_session(endpoint)
    boto_session = boto3.session.Session(botocore_session=session)
    s3_options: S3Options = {}
    if not sign_payload:
        # Callers that put a checksum header on every body (the engine) need no SHA-256 of
        # it in the signature as well: the signed checksum header covers the bytes already.
        s3_options["payload_signing_enabled"] = False
    if endpoint.path_style:
        s3_options["addressing_style"] = "path"
    compat: dict[str, Any] = {}
    if endpoint.checksum_mode == "md5":
        # Keep boto3 from adding the flexible-checksum headers such services reject.
        compat = {
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        }
    config = Config(
        **compat,
        signature_version="s3v4",
        max_pool_connections=max_connections,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": attempts},
        s3=s3_options,
        user_agent_extra="s3desk",
    )
    return boto_session.client(
        "s3",
        endpoint_url=endpoint.endpoint_url,
        region_name=session_region(endpoint, session),
        config=config,
    )
