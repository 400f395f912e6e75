"""Test connection for an account: try its credentials against its service and say, in
words a non-engineer can act on, what works or exactly what is wrong. Never raises."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.core.storage.errors import describe_error, is_credentials_expired

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_s3 import S3Client

# Every kind a Verdict can have; the UI picks an icon and a hint by kind.
KINDS = (
    "ok", "wrong-key", "wrong-secret", "clock-skew", "unreachable", "tls", "missing-bucket",
    "denied", "expired", "no-credentials", "timeout", "failed",
)  # fmt: skip

# Bucket names shown in a message; the rest are counted ("and 12 more").
_NAMES_SHOWN = 5

_MISSING_CODES = frozenset({"NoSuchBucket", "404", "NotFound"})
_DENIED_CODES = frozenset({"AccessDenied", "403", "AllAccessDisabled"})
_REGION_CODES = frozenset({"301", "PermanentRedirect", "AuthorizationHeaderMalformed"})


@dataclass(frozen=True)
class Verdict:
    """The outcome of a connection test."""

    ok: bool
    kind: str
    message: str
    buckets: tuple[str, ...] = ()  # what the account can list, when it may list
    skew_seconds: float | None = None  # server clock minus this computer's clock


def check_connection(endpoint: S3Endpoint, bucket: str = "", *, timeout: float = 10.0) -> Verdict:
    """Ask the service who we are (ListBuckets) and, if ``bucket`` is given, whether that
    bucket is there and reachable. Each request waits at most ``timeout`` seconds."""
    bucket = bucket.strip()
    if endpoint.upload_service_url:
        return _check_service(endpoint, timeout)
    try:
        return _check(endpoint, bucket, timeout)
    except Exception as exc:
        try:
            return _verdict_for(exc, endpoint, bucket, "connect", (), timeout)
        except Exception:  # a bug in the wording must still not reach the user as a trace
            return Verdict(False, "failed", "The connection test failed unexpectedly.")


def _check_service(endpoint: S3Endpoint, timeout: float) -> Verdict:
    """An organisation's upload service: does it take the token, and what may it upload?"""
    from s3desk.core.storage.errors import describe_error
    from s3desk.core.storage.upload_service import UploadServiceClient
    from s3desk.core.units import human_size

    try:
        client = UploadServiceClient(
            endpoint.upload_service_url, endpoint.upload_service_token or "",
            connect_timeout=timeout, read_timeout=timeout,
        )  # fmt: skip
        try:
            me = client.me()
        finally:
            client.close()
    except ValueError as exc:
        return Verdict(False, "endpoint", str(exc))
    except Exception as exc:
        return Verdict(False, "failed", describe_error(exc))
    types = ", ".join(f".{t}" for t in me.get("allowed_types", ())) or "any"
    bucket = str(me.get("bucket", ""))
    message = (
        f"Connected as {me.get('user', '?')}. Files go to s3://{bucket}/{me.get('prefix', '')} "
        f"— up to {human_size(int(me.get('max_size', 0)))} each; types: {types}."
    )
    return Verdict(True, "ok", message, buckets=(bucket,) if bucket else ())


def _check(endpoint: S3Endpoint, bucket: str, timeout: float) -> Verdict:
    from botocore.exceptions import ClientError

    try:
        client = make_client(endpoint, 1, attempts=1, connect_timeout=timeout, read_timeout=timeout)
    except ValueError:  # botocore's "Invalid endpoint: ..." for a malformed URL
        where = _safe_url(endpoint.endpoint_url or "")
        address = f"The address '{where}'" if where else "The endpoint address"
        return Verdict(
            False, "failed",
            f"{address} is not a valid URL. "
            "Enter it like https://s3.example.com or http://192.168.1.10:9000.",
        )  # fmt: skip

    names: tuple[str, ...] = ()
    can_list = True
    try:
        response = client.list_buckets()
        names = tuple(sorted(str(b["Name"]) for b in response.get("Buckets", [])))
    except ClientError as exc:
        # Upload-only credentials often may not list buckets; that says nothing about
        # whether they work, so go on to the bucket if there is one.
        if _code(exc) != "AccessDenied":
            return _verdict_for(exc, endpoint, bucket, "list buckets", (), timeout)
        can_list = False
    except Exception as exc:
        return _verdict_for(exc, endpoint, bucket, "list buckets", (), timeout)

    if not bucket:
        if not can_list:
            return Verdict(
                True, "ok",
                "Connected, but these credentials may not list buckets. "
                "Enter the bucket name to check that bucket.",
            )  # fmt: skip
        return Verdict(True, "ok", f"Connected. {_can_see(names)}", names)

    action = f"list objects in bucket '{bucket}'"
    try:
        _reach_bucket(client, bucket)
    except Exception as exc:
        return _verdict_for(exc, endpoint, bucket, action, names, timeout)
    message = f"Connected to bucket '{bucket}'."
    if not can_list:
        message += " These credentials may not list all buckets, which uploading does not need."
    return Verdict(True, "ok", message, names)


def _reach_bucket(client: S3Client, bucket: str) -> None:
    from botocore.exceptions import ClientError

    try:
        client.head_bucket(Bucket=bucket)
        return
    except ClientError as exc:
        code = _code(exc)
        if code in _MISSING_CODES or code in _REGION_CODES or not code.isdigit():
            raise
    # An answer to HEAD has no body, so a bare "403" or "400" could be a denial, an
    # unknown key or a wrong secret; ListObjectsV2 needs the same permission and says which.
    client.list_objects_v2(Bucket=bucket, MaxKeys=1)


def _verdict_for(  # noqa: PLR0912
    exc: BaseException,
    endpoint: S3Endpoint,
    bucket: str,
    action: str,
    names: tuple[str, ...],
    timeout: float,
) -> Verdict:
    from botocore import exceptions as bx

    where = _where(endpoint, exc)
    if isinstance(exc, bx.ClientError):
        return _client_error_verdict(exc, endpoint, bucket, action, names, where)
    if isinstance(exc, bx.SSLError):
        return Verdict(
            False, "tls",
            f"A secure (HTTPS) connection to {where} could not be set up. Check whether the "
            "address should start with http:// or https://, and that the server's "
            "certificate is valid.",
        )  # fmt: skip
    wait = _plural(timeout, "second")
    if isinstance(exc, bx.ConnectTimeoutError):
        return Verdict(
            False, "timeout",
            f"{_cap(where)} did not accept a connection within {wait}. Check the address "
            "and your network; a firewall or VPN may be in the way.",
        )  # fmt: skip
    if isinstance(exc, bx.ReadTimeoutError):
        return Verdict(
            False, "timeout",
            f"{_cap(where)} accepted the connection but did not answer within {wait}. "
            "The service may be overloaded, or the address may not be an S3 service.",
        )  # fmt: skip
    if isinstance(exc, bx.ConnectionClosedError):
        return Verdict(
            False, "unreachable",
            f"{_cap(where)} closed the connection without answering. Check the address and port: "
            "it may not be an S3 service.",
        )  # fmt: skip
    if isinstance(exc, bx.ProxyConnectionError):
        return Verdict(
            False, "unreachable",
            f"Cannot reach the HTTP proxy on the way to {where}. Check the proxy settings.",
        )  # fmt: skip
    if isinstance(exc, bx.EndpointConnectionError | bx.HTTPClientError):
        return Verdict(
            False, "unreachable",
            f"Cannot reach {where}. Check the address and port, and that this computer "
            "is online.",
        )  # fmt: skip
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        if endpoint.profile:
            text = (
                f"The AWS profile '{endpoint.profile}' has no usable credentials. "
                f"Set it up (aws configure --profile {endpoint.profile}), then test again"
            )
        else:
            text = (
                "No credentials were found. Enter an access key ID and secret access key, "
                "or choose an AWS profile"
            )
        return Verdict(False, "no-credentials", text + ".")
    if is_credentials_expired(exc) or isinstance(exc, _sign_in_errors()):
        return Verdict(False, "expired", _expired_message(exc, endpoint))
    if isinstance(exc, bx.ProfileNotFound):
        profile = endpoint.profile or "(none)"
        return Verdict(
            False, "failed",
            f"The AWS profile '{profile}' does not exist in this computer's AWS settings. "
            f"Check the name, or create it (aws configure --profile {profile}), then test again.",
        )  # fmt: skip
    if isinstance(exc, bx.CredentialRetrievalError):
        # Its text may quote the output of a credential_process: keep it out of the message.
        return Verdict(
            False, "failed",
            f"The credentials of the AWS profile '{endpoint.profile or 'default'}' could not "
            "be loaded. Run an AWS CLI command with this profile to see why.",
        )  # fmt: skip
    return Verdict(False, "failed", _sentence(_scrub(describe_error(exc, bucket), endpoint)))


def _client_error_verdict(
    exc: ClientError,
    endpoint: S3Endpoint,
    bucket: str,
    action: str,
    names: tuple[str, ...],
    where: str,
) -> Verdict:
    code = _code(exc)
    error: dict[str, object] = dict(exc.response.get("Error", {}))
    if code == "InvalidAccessKeyId":
        return Verdict(
            False, "wrong-key",
            f"{_cap(where)} does not know this access key ID. Check the access key ID for typos, "
            "or whether the key was deleted.",
        )  # fmt: skip
    if code == "SignatureDoesNotMatch":
        return Verdict(
            False, "wrong-secret",
            "The access key ID is known, but the secret access key does not match it. "
            "Enter the secret key again, copied exactly.",
        )  # fmt: skip
    if code == "RequestTimeTooSkewed":
        skew = _skew_seconds(exc, time.time())
        if skew is None:
            off = "This computer's clock is too far off from the storage service's clock"
        else:
            side = "behind" if skew > 0 else "ahead of"
            off = (
                f"This computer's clock is {_duration(abs(skew))} {side} the storage "
                "service's clock"
            )
        message = f"{off}. Set the correct date and time (automatic time is best) and try again."
        return Verdict(False, "clock-skew", message, skew_seconds=skew)
    if is_credentials_expired(exc) or code == "InvalidToken":
        return Verdict(False, "expired", _expired_message(exc, endpoint))
    if code in _MISSING_CODES and bucket:
        message = f"Bucket '{bucket}' does not exist on {where}. Check the bucket name"
        if names:
            message += f". {_can_see(names)}"
        return Verdict(False, "missing-bucket", _sentence(message), names)
    if code in _DENIED_CODES:
        if bucket and action != "list buckets":
            message = (
                f"Access denied: these credentials may not {action}, so it could not be "
                "checked. Uploads may still be allowed; if they fail, ask your administrator "
                "for access to this bucket."
            )
        else:
            message = f"Access denied: these credentials may not {action}."
        return Verdict(False, "denied", message, names)
    region = error.get("Region") or _headers(exc).get("x-amz-bucket-region")
    if code in _REGION_CODES and region:
        what = f"Bucket '{bucket}' is in" if bucket else "The storage service expects"
        return Verdict(
            False, "failed",
            f"{what} region {region}. Set the account's region to {region} and try again.",
            names,
        )  # fmt: skip
    return Verdict(False, "failed", _sentence(_scrub(describe_error(exc, bucket), endpoint)))


def _expired_message(exc: BaseException, endpoint: S3Endpoint) -> str:
    from botocore import exceptions as bx

    if endpoint.profile:
        login = getattr(bx, "LoginError", None)  # "aws login" sessions, newer botocore only
        command = "aws login" if login and isinstance(exc, login) else "aws sso login"
        return (
            "The sign-in for these credentials has expired. Sign in again (for example: "
            f"{command} --profile {endpoint.profile}), then test again."
        )
    return (
        "These temporary credentials have expired. Get new ones or sign in again, then test again."
    )


def _sign_in_errors() -> tuple[type[BaseException], ...]:
    """Failures to refresh an SSO or "aws login" session: signing in again cures them."""
    from botocore import exceptions as bx

    login = getattr(bx, "LoginError", None)
    return (bx.TokenRetrievalError, bx.SSOError, *((login,) if login else ()))


def _can_see(names: tuple[str, ...]) -> str:
    if not names:
        return "These credentials can see no buckets yet."
    shown = ", ".join(names[:_NAMES_SHOWN])
    if len(names) > _NAMES_SHOWN:
        shown += f" and {len(names) - _NAMES_SHOWN} more"
    noun = "bucket" if len(names) == 1 else "buckets"
    return f"These credentials can see {len(names)} {noun}: {shown}."


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _headers(exc: ClientError) -> dict[str, str]:
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _skew_seconds(exc: ClientError, received_at: float) -> float | None:
    """Server clock minus ours. AWS's error body has the time we signed (RequestTime) and
    its own (ServerTime): their difference is exact. Otherwise the Date header, to 1 s."""
    error = exc.response.get("Error", {})
    server = _parse_time(error.get("ServerTime"))
    signed = _parse_time(error.get("RequestTime"))
    if server is not None and signed is not None:
        return server - signed
    server = server if server is not None else _parse_time(_headers(exc).get("date"))
    return None if server is None else server - received_at


def _parse_time(value: object) -> float | None:
    """Seconds since the epoch from an ISO 8601 time (also x-amz-date's 20240101T120000Z)
    or an HTTP date."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return _plural(round(seconds), "second")
    if seconds >= 48 * 3600:
        return _plural(round(seconds / 86400), "day")
    hours, minutes = divmod(round(seconds / 60), 60)
    parts = [_plural(hours, "hour")] if hours else []
    if minutes:
        parts.append(_plural(minutes, "minute"))
    return " ".join(parts)


def _plural(amount: float, unit: str) -> str:
    return f"{amount:g} {unit}" if amount == 1 else f"{amount:g} {unit}s"


def _where(endpoint: S3Endpoint, exc: BaseException) -> str:
    """Names the service, with host[:port] but never a user name or password from the URL."""
    kwargs = getattr(exc, "kwargs", None) or {}
    url = endpoint.endpoint_url or str(kwargs.get("endpoint_url") or "")
    host = _safe_url(url, host_only=True)
    if endpoint.endpoint_url:
        return f"the storage service at {host}" if host else "the storage service"
    return f"{endpoint.label} ({host})" if host else endpoint.label


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _safe_url(url: str, *, host_only: bool = False) -> str:
    """``url`` without any user name or password in it; only host[:port] if ``host_only``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    netloc = parts.netloc.rpartition("@")[2]
    return netloc if host_only else parts._replace(netloc=netloc).geturl()


def _scrub(text: str, endpoint: S3Endpoint) -> str:
    # Defence in depth: a server or library might echo something it was sent.
    for secret in (endpoint.secret_key, endpoint.session_token):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "…")
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
