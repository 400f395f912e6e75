"""Turn exceptions from S3, the network and the file system into sentences a person can act on."""

from __future__ import annotations

from s3desk.core.phrases import phrase, template
from s3desk.core.storage.checksums import IntegrityError

# Error codes S3 returns, worded for someone who does not know S3. {bucket} and {key} are
# filled in where known.
_CODE_MESSAGES = {
    "NoSuchBucket": template(
        "Bucket '{bucket}' does not exist. Check the bucket name in the destination"
    ),
    "AccessDenied": template(
        "Access denied: these credentials may not write to '{bucket}'. "
        "Ask your administrator for upload permission"
    ),
    "AllAccessDisabled": template("All access to bucket '{bucket}' has been disabled"),
    "InvalidAccessKeyId": template(
        "The access key is not known to the storage service. Check the access key ID"
    ),
    "SignatureDoesNotMatch": template("The secret access key is wrong. Check the secret key"),
    "ExpiredToken": template(
        "The credentials have expired. Sign in again or refresh the credentials"
    ),
    "TokenRefreshRequired": template("The credentials have expired. Sign in again"),
    "RequestTimeTooSkewed": template(
        "This computer's clock is too far off for the storage service. "
        "Correct the date and time, then retry"
    ),
    "EntityTooLarge": template("The file is larger than the storage service accepts in one upload"),
    "InvalidBucketName": template("'{bucket}' is not a valid bucket name"),
    "KMS.DisabledException": template("The encryption key (KMS) is disabled"),
    "KMS.NotFoundException": template("The encryption key (KMS) was not found"),
    "QuotaExceeded": template(
        "The storage quota is exhausted; free space or ask for a larger quota"
    ),
    "SlowDown": template("The storage service asked us to slow down; it will be retried"),
    "ServiceUnavailable": template("The storage service is temporarily unavailable"),
    "InternalError": template("The storage service had an internal error"),
    "NoSuchUpload": template(
        "The multipart upload no longer exists on the server (it was aborted or expired)"
    ),
}


class EncryptionRequired(Exception):
    """The account requires encryption and the upload would not have it."""


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


# Refusals of a completion that are about the parts, not the file: list them again, send
# those in doubt, complete again. ("parts_missing" and "part_mismatch" are an upload
# service's words for the same.)
_PARTS_IN_DOUBT = frozenset(
    {"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "parts_missing", "part_mismatch"}
)


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


def parts_in_doubt(exc: BaseException) -> bool:
    """A completion was refused over its parts (one missing, of another size or content)."""
    return any(has_code(exc, code) for code in _PARTS_IN_DOUBT)


def refuses_for_good(exc: BaseException) -> bool:
    """The destination said no in a way a later run would meet again: permission denied,
    bucket gone, a request it will not take. Not: answers about the parts or the upload,
    throttling, server errors, expired credentials or a wrong clock, which a later run
    (or the same one, later) may not meet."""
    from botocore import exceptions as bx

    if not isinstance(exc, bx.ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    passing = _TRANSIENT_CODES | _CREDENTIAL_CODES | _PARTS_IN_DOUBT
    if code in passing or code in ("NoSuchUpload", "RequestTimeTooSkewed"):
        return False
    return isinstance(status, int) and 400 <= status < 500


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


_SHORT_REASONS = {
    "SlowDown": template("server asked to slow down"),
    "InternalError": template("server error"),
    "ServiceUnavailable": template("service unavailable"),
    "RequestTimeout": template("request timed out"),
}


def short_reason(exc: BaseException) -> str:
    """A few words for "Retrying (3/8) — connection reset"."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code in _SHORT_REASONS:
            return phrase(_SHORT_REASONS[code])
        return phrase("server error {code}", code=code) if code else phrase("server error")
    if isinstance(exc, bx.ReadTimeoutError | bx.ConnectTimeoutError):
        return phrase("timed out")
    if isinstance(exc, bx.EndpointConnectionError):
        return phrase("cannot connect")
    if isinstance(exc, bx.ConnectionClosedError | bx.HTTPClientError):
        return phrase("connection reset")
    return type(exc).__name__


def retrying_note(attempt: int, max_attempts: int, exc: BaseException) -> str:
    """A row's note while it waits for another attempt."""
    return phrase(
        "Retrying ({attempt}/{retries}) — {reason}",
        attempt=attempt, retries=max_attempts - 1, reason=short_reason(exc),
    )  # fmt: skip


def describe_error(exc: BaseException, bucket: str = "", key: str = "") -> str:  # noqa: PLR0912
    """One sentence, no traceback, for the status table and the CLI."""
    from botocore import exceptions as bx

    plain = getattr(exc, "plain_message", None)
    if isinstance(plain, str) and plain:
        return plain  # an upload service's refusal, written for the user already

    if isinstance(exc, bx.ClientError):
        error: dict[str, object] = dict(exc.response.get("Error", {}))
        code = str(error.get("Code", ""))
        known = _CODE_MESSAGES.get(code)
        if known:
            return phrase(known, bucket=bucket, key=key)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in {"404", "NotFound"}:
            if key:
                return phrase("'{bucket}/{key}' was not found", bucket=bucket, key=key)
            return phrase("Bucket '{bucket}' does not exist", bucket=bucket)
        message = error.get("Message") or code or "unknown error"
        return phrase(
            "The storage service refused the request: {message} ({code})",
            message=message, code=code or status,
        )  # fmt: skip
    if isinstance(exc, bx.SSOTokenLoadError | bx.UnauthorizedSSOTokenError | bx.SSOError):
        return phrase(
            "Your AWS single sign-on (SSO) session has expired. Sign in again "
            "(aws sso login --profile PROFILE), then choose Try again"
        )
    if isinstance(exc, bx.TokenRetrievalError | bx.CredentialRetrievalError):
        return phrase(
            "The credentials could not be refreshed; sign in again, then choose Try again "
            "({provider})",
            provider=exc.kwargs.get("provider", "credential provider"),
        )
    if isinstance(exc, bx.ProfileNotFound):
        return phrase(
            "The AWS profile '{profile}' is not in the AWS config",
            profile=exc.kwargs.get("profile", ""),
        )
    if isinstance(exc, bx.NoCredentialsError):
        return phrase(
            "No credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "or choose a profile with AWS_PROFILE"
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError):
        return phrase(
            "Cannot reach the storage service ({endpoint}). Check the network",
            endpoint=_endpoint_of(exc),
        )
    if isinstance(exc, bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return phrase("The storage service did not answer in time. Check the network; retry later")
    if isinstance(exc, bx.SSLError):
        return phrase("Secure connection failed (TLS certificate problem)")
    if isinstance(exc, IntegrityError):
        return phrase(
            "The storage service did not store the bytes that were sent ({detail})", detail=str(exc)
        )
    if isinstance(exc, EncryptionRequired):
        return str(exc)
    if isinstance(exc, SourceChanged):
        return phrase(
            "The file changed while it was being uploaded, so it was not stored. "
            "Retry once nothing is writing to it"
        )
    if isinstance(exc, FileNotFoundError):
        return phrase("The file was moved or deleted before it could be uploaded")
    if isinstance(exc, PermissionError):
        return phrase("Cannot read the file: permission denied")
    if isinstance(exc, IsADirectoryError):
        return phrase("This is a folder, not a file")
    if isinstance(exc, OSError):
        return phrase("Cannot read the file: {reason}", reason=exc.strerror or str(exc))
    return phrase("Unexpected error: {error}", error=str(exc))


def _endpoint_of(exc: BaseException) -> str:
    kwargs = getattr(exc, "kwargs", {}) or {}
    return str(kwargs.get("endpoint_url") or "endpoint")


def error_outcome(exc: BaseException, bucket: str) -> tuple[str, str]:
    """A failed request as a (code, message) pair for an audit entry or a list of failures:
    S3's own code and message when it answered, else the exception's kind and our wording."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "")
        return code or "Error", str(error.get("Message") or describe_error(exc, bucket))
    return type(exc).__name__, describe_error(exc, bucket)
