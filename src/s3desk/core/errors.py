"""Turn exceptions from S3, the network and the file system into sentences a person can act on."""

from __future__ import annotations

from typing import Any

from s3desk.core.checksums import IntegrityError
from s3desk.core.upload_options import EncryptionRequired

# Error codes S3 returns, worded for someone who does not know S3. {bucket} and {key} are
# filled in where known.
_CODE_MESSAGES = {
    "NoSuchBucket": "Bucket '{bucket}' does not exist. Check the bucket name in the destination",
    "AccessDenied": "Access denied: these credentials may not write to '{bucket}'. "
    "Ask your administrator for upload permission",
    "AllAccessDisabled": "All access to bucket '{bucket}' has been disabled",
    "InvalidAccessKeyId": "The access key is not known to the storage service. "
    "Check the access key ID",
    "SignatureDoesNotMatch": "The secret access key is wrong. Check the secret key",
    "ExpiredToken": "The credentials have expired. Sign in again or refresh the credentials",
    "TokenRefreshRequired": "The credentials have expired. Sign in again",
    "RequestTimeTooSkewed": "This computer's clock is too far off for the storage service. "
    "Correct the date and time, then retry",
    "EntityTooLarge": "The file is larger than the storage service accepts in one upload",
    "InvalidBucketName": "'{bucket}' is not a valid bucket name",
    "KMS.DisabledException": "The encryption key (KMS) is disabled",
    "KMS.NotFoundException": "The encryption key (KMS) was not found",
    "QuotaExceeded": "The storage quota is exhausted; free space or ask for a larger quota",
    "SlowDown": "The storage service asked us to slow down; it will be retried",
    "ServiceUnavailable": "The storage service is temporarily unavailable",
    "InternalError": "The storage service had an internal error",
    "NoSuchUpload": "The multipart upload no longer exists on the server (it was aborted or "
    "expired)",
}


class SourceChanged(Exception):
    """The source file's size or modification time changed after it was queued."""


# Error codes worth another attempt: the service is busy or hiccuped, not refusing.
_TRANSIENT_CODES = frozenset(
    {
        "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "Throttling",
        "ThrottlingException", "RequestThrottled", "RequestLimitExceeded",
        "500", "502", "503", "504", "BadDigest", "XAmzContentChecksumMismatch",
    }
)  # fmt: skip
# The credentials ran out: every job would fail the same way, so the queue waits instead.
_CREDENTIAL_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired",
     "ServiceTokenRefused"}  # an organisation's upload service no longer takes the token
)  # fmt: skip


def has_code(exc: BaseException, code: str) -> bool:
    """True if ``exc`` is an S3 error response with this error code."""
    response = getattr(exc, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") == code


def is_transient(exc: BaseException) -> bool:
    """True for failures that another attempt may not meet (network, 5xx, throttling)."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in _TRANSIENT_CODES or (isinstance(status, int) and status >= 500)
    if isinstance(exc, IntegrityError):
        return True  # corrupted on the way: sending again is the cure
    transient = (
        bx.EndpointConnectionError,
        bx.ConnectionClosedError,
        bx.ConnectTimeoutError,
        bx.ReadTimeoutError,
        bx.ResponseStreamingError,
        bx.HTTPClientError,  # connection reset, broken pipe, protocol errors
    )
    return isinstance(exc, transient) and not isinstance(exc, bx.SSLError)


def is_credentials_expired(exc: BaseException) -> bool:
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) in _CREDENTIAL_CODES
    expired = (bx.TokenRetrievalError, bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError)
    return isinstance(exc, expired)


def rejects_flexible_checksums(exc: BaseException) -> bool:
    """The service refused S3's newer checksum headers (x-amz-checksum-*), as older MinIO,
    R2 and B2 did: "Unsupported header", "not implemented" and the like."""
    from botocore import exceptions as bx

    if not isinstance(exc, bx.ClientError):
        return False
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")).lower()
    refusal = code in {"InvalidArgument", "NotImplemented", "InvalidRequest", "BadRequest"}
    return refusal and "checksum" in message


def short_reason(exc: BaseException) -> str:
    """A few words for "Retrying (3/8) — connection reset"."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        return {
            "SlowDown": "server asked to slow down",
            "InternalError": "server error",
            "ServiceUnavailable": "service unavailable",
            "RequestTimeout": "request timed out",
        }.get(code, f"server error {code}".strip())
    if isinstance(exc, bx.ReadTimeoutError | bx.ConnectTimeoutError):
        return "timed out"
    if isinstance(exc, bx.EndpointConnectionError):
        return "cannot connect"
    if isinstance(exc, bx.ConnectionClosedError | bx.HTTPClientError):
        return "connection reset"
    return type(exc).__name__


def describe_error(exc: BaseException, bucket: str = "", key: str = "") -> str:  # noqa: PLR0912
    """One sentence, no traceback, for the status table and the CLI."""
    from botocore import exceptions as bx

    plain = getattr(exc, "plain_message", None)
    if isinstance(plain, str) and plain:
        return plain  # an upload service's refusal, written for the user already

    if isinstance(exc, bx.ClientError):
        error: dict[str, Any] = dict(exc.response.get("Error", {}))
        code = str(error.get("Code", ""))
        template = _CODE_MESSAGES.get(code)
        if template:
            return template.format(bucket=bucket, key=key)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in {"404", "NotFound"}:
            return f"'{bucket}/{key}' was not found" if key else f"Bucket '{bucket}' does not exist"
        message = error.get("Message") or code or "unknown error"
        return f"The storage service refused the request: {message} ({code or status})"
    if isinstance(exc, bx.SSOTokenLoadError | bx.UnauthorizedSSOTokenError | bx.SSOError):
        return (
            "Your AWS single sign-on (SSO) session has expired. Sign in again "
            "(aws sso login --profile PROFILE), then choose Try again"
        )
    if isinstance(exc, bx.TokenRetrievalError | bx.CredentialRetrievalError):
        return (
            "The credentials could not be refreshed; sign in again, then choose Try again "
            f"({exc.kwargs.get('provider', 'credential provider')})"
        )
    if isinstance(exc, bx.ProfileNotFound):
        return f"The AWS profile '{exc.kwargs.get('profile', '')}' is not in the AWS config"
    if isinstance(exc, bx.NoCredentialsError):
        return (
            "No credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "or choose a profile with AWS_PROFILE"
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError):
        return f"Cannot reach the storage service ({_endpoint_of(exc)}). Check the network"
    if isinstance(exc, bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return "The storage service did not answer in time. Check the network; retry later"
    if isinstance(exc, bx.SSLError):
        return "Secure connection failed (TLS certificate problem)"
    if isinstance(exc, IntegrityError):
        return f"The storage service did not store the bytes that were sent ({exc})"
    if isinstance(exc, EncryptionRequired):
        return str(exc)
    if isinstance(exc, SourceChanged):
        return (
            "The file changed while it was being uploaded, so it was not stored. "
            "Retry once nothing is writing to it"
        )
    if isinstance(exc, FileNotFoundError):
        return "The file was moved or deleted before it could be uploaded"
    if isinstance(exc, PermissionError):
        return "Cannot read the file: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "This is a folder, not a file"
    if isinstance(exc, OSError):
        return f"Cannot read the file: {exc.strerror or exc}"
    return f"Unexpected error: {exc}"


def _endpoint_of(exc: BaseException) -> str:
    kwargs = getattr(exc, "kwargs", {}) or {}
    return str(kwargs.get("endpoint_url") or "endpoint")
