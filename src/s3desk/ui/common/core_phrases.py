"""The core's sentences as the window shows them: in the user's language where the
catalogue has them.

The core (Qt-free) hands over ``Phrase`` strings that remember their template and values
(``s3desk.core.phrases``). ``shown()`` looks the template up under the context "core" and
fills the values in again, themselves shown the same way; a plain string, or a template the
catalogue lacks, stays as the core wrote it. The templates are listed below for lupdate;
a test checks the list against every ``phrase()`` and ``template()`` in the core.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from s3desk.core.phrases import Phrase
from s3desk.core.storage.errors import describe_error as _describe_error


def shown(text: str) -> str:
    """``text`` in the user's language, if it is a ``Phrase`` the catalogue knows."""
    if not isinstance(text, Phrase):
        return text
    values = {k: shown(v) if isinstance(v, str) else v for k, v in text.values.items()}
    translated = QCoreApplication.translate("core", text.template)
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):  # a translation with broken fields
        return str(text)


def describe_error(exc: BaseException, bucket: str = "", key: str = "") -> str:
    """``s3desk.core.storage.errors.describe_error``, shown in the user's language."""
    return shown(_describe_error(exc, bucket, key))


TEMPLATES = (
    QT_TRANSLATE_NOOP("core", "Amazon S3 — access key"),
    QT_TRANSLATE_NOOP("core", "Amazon S3 — AWS profile (incl. SSO)"),
    QT_TRANSLATE_NOOP("core", "S3-compatible service"),
    QT_TRANSLATE_NOOP("core", "Organisation upload service (no AWS keys)"),
    QT_TRANSLATE_NOOP("core", "Local demo storage"),
    QT_TRANSLATE_NOOP("core", "cleared when the app quits"),
    QT_TRANSLATE_NOOP("core", "S3-compatible storage"),
    QT_TRANSLATE_NOOP("core", "Set by your organisation"),
    QT_TRANSLATE_NOOP("core", "Parallel requests"),
    QT_TRANSLATE_NOOP("core", "Part size for large files"),
    QT_TRANSLATE_NOOP("core", "Bandwidth limit"),
    QT_TRANSLATE_NOOP("core", "When a name is taken"),
    QT_TRANSLATE_NOOP("core", "Server-side encryption"),
    QT_TRANSLATE_NOOP("core", "KMS key"),
    QT_TRANSLATE_NOOP("core", "Storage class"),
    QT_TRANSLATE_NOOP("core", "Notify me when a batch finishes"),
    QT_TRANSLATE_NOOP("core", "Appearance"),
    QT_TRANSLATE_NOOP("core", "Refuse uploads that are not encrypted"),
    QT_TRANSLATE_NOOP("core", "Cache-Control"),
    QT_TRANSLATE_NOOP("core", "Content-Disposition"),
    QT_TRANSLATE_NOOP("core", "Metadata of every upload"),
    QT_TRANSLATE_NOOP("core", "Tags of every upload"),
    QT_TRANSLATE_NOOP("core", "Content types by extension"),
    QT_TRANSLATE_NOOP("core", "Audit log bucket"),
    QT_TRANSLATE_NOOP("core", "Audit log folder"),
    QT_TRANSLATE_NOOP("core", "Upload rules"),
    QT_TRANSLATE_NOOP("core", "Welcome on first start answered"),
    QT_TRANSLATE_NOOP("core", "unlimited"),
    QT_TRANSLATE_NOOP("core", "can be at most {limit} (a limit set by your organisation)"),
    QT_TRANSLATE_NOOP(
        "core",
        "{file}: {setting} is set by your organisation; the value there ({value}) is ignored",
    ),
    QT_TRANSLATE_NOOP("core", "{file}: {setting} {limit}; using the limit"),
    QT_TRANSLATE_NOOP("core", "{setting} {limit}"),
    QT_TRANSLATE_NOOP("core", "{file}: {setting} {problem}; using the default instead"),
    QT_TRANSLATE_NOOP("core", "{setting} is set by your organisation and cannot be changed here"),
    QT_TRANSLATE_NOOP("core", "{label} ({where})"),
    QT_TRANSLATE_NOOP("core", "The upload process stopped unexpectedly; restart s3desk to go on"),
    QT_TRANSLATE_NOOP(
        "core",
        "This storage service rejects S3's newer checksum headers; s3desk switched to "
        "Content-MD5 checks for it (set this in the account to skip the first refusal)",
    ),
    QT_TRANSLATE_NOOP("core", "{problem}; uploads will not resume after a crash"),
    QT_TRANSLATE_NOOP(
        "core",
        "Being uploaded by the s3desk window (process {pid}); not sent from here, "
        "try again once it has finished",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Being uploaded by 's3desk upload' (process {pid}); not sent from here, "
        "try again once it has finished",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Being uploaded by another s3desk (process {pid}); not sent from here, "
        "try again once it has finished",
    ),
    QT_TRANSLATE_NOOP(
        "core", "{error}; what was sent is kept and the next upload of this file resumes it"
    ),
    QT_TRANSLATE_NOOP("core", "'{bucket}' is not a valid bucket name"),
    QT_TRANSLATE_NOOP("core", "'{bucket}/{key}' was not found"),
    QT_TRANSLATE_NOOP("core", "A local file with this name exists"),
    QT_TRANSLATE_NOOP(
        "core",
        "Access denied: these credentials may not read '{key}' in '{bucket}'",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Access denied: these credentials may not write to "
        "'{bucket}'. Ask your administrator for upload permission",
    ),
    QT_TRANSLATE_NOOP("core", "All access to bucket '{bucket}' has been disabled"),
    QT_TRANSLATE_NOOP("core", "Already in the bucket (skipped)"),
    QT_TRANSLATE_NOOP("core", "Already in the bucket: sent by an earlier run that was interrupted"),
    QT_TRANSLATE_NOOP("core", "Broken link"),
    QT_TRANSLATE_NOOP("core", "Bucket '{bucket}' does not exist"),
    QT_TRANSLATE_NOOP(
        "core",
        "Bucket '{bucket}' does not exist. Check the bucket name in the destination",
    ),
    QT_TRANSLATE_NOOP("core", "cannot connect"),
    QT_TRANSLATE_NOOP("core", "Cannot reach the storage service ({endpoint}). Check the network"),
    QT_TRANSLATE_NOOP("core", "Cannot read the file: permission denied"),
    QT_TRANSLATE_NOOP("core", "Cannot read the file: {reason}"),
    QT_TRANSLATE_NOOP("core", "Cannot read: permission denied"),
    QT_TRANSLATE_NOOP("core", "Cannot read: {reason}"),
    QT_TRANSLATE_NOOP("core", "Cannot write the local file: {reason}"),
    QT_TRANSLATE_NOOP("core", "Cannot write to '{folder}': permission denied"),
    QT_TRANSLATE_NOOP("core", "connection reset"),
    QT_TRANSLATE_NOOP("core", "Exists — an object with this name is already in the bucket"),
    QT_TRANSLATE_NOOP("core", "Fetching again — the file did not match its checksum"),
    QT_TRANSLATE_NOOP("core", "File no longer exists"),
    QT_TRANSLATE_NOOP("core", "Folder cannot be read: permission denied"),
    QT_TRANSLATE_NOOP("core", "Folder cannot be read: {reason}"),
    QT_TRANSLATE_NOOP("core", "Link to a folder (not followed)"),
    QT_TRANSLATE_NOOP(
        "core",
        "No credentials found. Set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or choose a profile with AWS_PROFILE",
    ),
    QT_TRANSLATE_NOOP("core", "Not a regular file (device, pipe or socket)"),
    QT_TRANSLATE_NOOP("core", "request timed out"),
    QT_TRANSLATE_NOOP("core", "Retrying ({attempt}/{retries}) — {reason}"),
    QT_TRANSLATE_NOOP("core", "Secure connection failed (TLS certificate problem)"),
    QT_TRANSLATE_NOOP("core", "server asked to slow down"),
    QT_TRANSLATE_NOOP("core", "server error"),
    QT_TRANSLATE_NOOP("core", "server error {code}"),
    QT_TRANSLATE_NOOP("core", "service unavailable"),
    QT_TRANSLATE_NOOP(
        "core",
        "The access key is not known to the storage service. Check the access key ID",
    ),
    QT_TRANSLATE_NOOP("core", "The AWS profile '{profile}' is not in the AWS config"),
    QT_TRANSLATE_NOOP("core", "The bytes received do not match the object ({detail}); retry later"),
    QT_TRANSLATE_NOOP(
        "core",
        "The credentials could not be refreshed; sign in again, then choose Try again ({provider})",
    ),
    QT_TRANSLATE_NOOP("core", "The credentials have expired. Sign in again"),
    QT_TRANSLATE_NOOP(
        "core",
        "The credentials have expired. Sign in again or refresh the credentials",
    ),
    QT_TRANSLATE_NOOP("core", "The disk is full: no room for this file in '{folder}'"),
    QT_TRANSLATE_NOOP("core", "The encryption key (KMS) is disabled"),
    QT_TRANSLATE_NOOP("core", "The encryption key (KMS) was not found"),
    QT_TRANSLATE_NOOP(
        "core",
        "The file changed while it was being uploaded, so it was not "
        "stored. Retry once nothing is writing to it",
    ),
    QT_TRANSLATE_NOOP("core", "The file is larger than the storage service accepts in one upload"),
    QT_TRANSLATE_NOOP("core", "The file was moved or deleted before it could be uploaded"),
    QT_TRANSLATE_NOOP("core", "The local path is too long for this file system"),
    QT_TRANSLATE_NOOP(
        "core",
        "The multipart upload no longer exists on the server (it was aborted or expired)",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "The object changed in the bucket while it was being "
        "downloaded; retry to fetch the new version",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "The object is archived (e.g. Glacier); restore it before downloading",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "The object is no longer in the bucket (deleted after the folder was listed)",
    ),
    QT_TRANSLATE_NOOP("core", "The secret access key is wrong. Check the secret key"),
    QT_TRANSLATE_NOOP(
        "core",
        "The storage quota is exhausted; free space or ask for a larger quota",
    ),
    QT_TRANSLATE_NOOP("core", "The storage service asked us to slow down; it will be retried"),
    QT_TRANSLATE_NOOP(
        "core",
        "The storage service did not answer in time. Check the network; retry later",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "The storage service did not store the bytes that were sent ({detail})",
    ),
    QT_TRANSLATE_NOOP("core", "The storage service had an internal error"),
    QT_TRANSLATE_NOOP("core", "The storage service is temporarily unavailable"),
    QT_TRANSLATE_NOOP("core", "The storage service refused the request: {message} ({code})"),
    QT_TRANSLATE_NOOP(
        "core",
        "This computer's clock is too far off for the storage "
        "service. Correct the date and time, then retry",
    ),
    QT_TRANSLATE_NOOP("core", "This is a folder, not a file"),
    QT_TRANSLATE_NOOP("core", "timed out"),
    QT_TRANSLATE_NOOP("core", "Unexpected error: {error}"),
    QT_TRANSLATE_NOOP(
        "core",
        "Your AWS single sign-on (SSO) session has expired. Sign in "
        "again (aws sso login --profile PROFILE), then choose Try again",
    ),
)
