"""What a bucket browser needs from S3: folder listings page by page, one object's details, new
folders and share links. No Qt; the boto3 client comes from the caller (make_client).

Botocore's exceptions pass through unchanged, for the caller to word with describe_error;
bad input raises ValueError with a message meant for the user.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote_plus, urlsplit

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.errors import error_outcome, rejects_flexible_checksums
from s3desk.core.storage.keys import MAX_KEY_BYTES
from s3desk.core.units import human_duration

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import (
        HeadObjectOutputTypeDef,
        HeadObjectRequestTypeDef,
        ListObjectsV2RequestTypeDef,
    )

# ListObjectsV2 returns at most this many entries (folders and objects together) per request.
MAX_PAGE_SIZE = 1000

HOUR = 3600
DAY = 24 * HOUR
# A SigV4 pre-signed URL is valid for at most 7 days.
MAX_SHARE_SECONDS = 7 * DAY
SHARE_EXPIRY_CHOICES: tuple[int, ...] = (HOUR, DAY, MAX_SHARE_SECONDS)

# HeadObject fields holding a checksum, in the order they are preferred when several are there.
_CHECKSUM_FIELDS = (
    ("CRC64NVME", "ChecksumCRC64NVME"),
    ("CRC32C", "ChecksumCRC32C"),
    ("CRC32", "ChecksumCRC32"),
    ("SHA256", "ChecksumSHA256"),
    ("SHA1", "ChecksumSHA1"),
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a folder listing: a folder (common prefix) or an object."""

    key: str  # the full key; a folder's ends with "/"
    name: str  # the last path segment, without a folder's trailing "/"
    is_folder: bool
    size: int = 0
    modified: datetime.datetime | None = None  # UTC
    storage_class: str = ""
    etag: str = ""  # without the quotes


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    next_token: str | None  # pass to list_page(token=...) for the next page; None at the end


@dataclass(frozen=True, slots=True)
class ObjectDetails:
    key: str
    size: int
    modified: datetime.datetime | None
    etag: str
    checksum_algorithm: str = ""  # "CRC32", "CRC32C", "SHA256", ...; "" if none stored
    checksum: str = ""  # base64, as S3 gives it ("...-3" for a multipart composite)
    checksum_type: str = ""  # "FULL_OBJECT" or "COMPOSITE" where the service says
    content_type: str = ""
    metadata: dict[str, str] = field(default_factory=dict)  # user metadata, lower-case names
    encryption: str = ""  # "AES256", "aws:kms", "aws:kms:dsse"; "" if the service says nothing
    kms_key_id: str = ""
    storage_class: str = "STANDARD"
    version_id: str = ""


@dataclass(frozen=True, slots=True)
class ShareLink:
    url: str
    expires_in: int  # seconds the link is valid for, after any cap
    capped: bool  # shorter than asked for
    note: str  # why it was capped, for the user; "" if it was not


def _folder_prefix(prefix: str) -> str:
    """A prefix without a trailing slash is taken as a folder, as uploads do."""
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def _last_segment(path: str) -> str:
    return path.rpartition("/")[2]


def _utc(value: object) -> datetime.datetime | None:
    if not isinstance(value, datetime.datetime):
        return None
    return value.astimezone(datetime.UTC) if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def list_page(
    client: S3Client,
    bucket: str,
    prefix: str = "",
    *,
    token: str | None = None,
    page_size: int = MAX_PAGE_SIZE,
    search: str = "",
) -> Page:
    """One page of the folder ``prefix``: its subfolders first, then its objects, in one
    ListObjectsV2 request. ``search`` keeps the names that start with it (S3 can search by
    prefix only). The folder's own marker object (key == prefix) is not an entry."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
    prefix = _folder_prefix(prefix)
    params: ListObjectsV2RequestTypeDef = {
        "Bucket": bucket,
        "Prefix": prefix + search,
        "Delimiter": "/",
        "MaxKeys": page_size,
        # Keys travel URL-encoded: XML 1.0 cannot carry most control characters (servers
        # answer 500), and XML parsers turn a CR in a key into LF.
        "EncodingType": "url",
    }
    if token:
        params["ContinuationToken"] = token
    response = client.list_objects_v2(**params)
    # Asked for explicitly, the encoding is not undone by botocore. A service that ignores
    # the request sends plain keys, which must not be decoded ("%20" is a valid key).
    encoded = response.get("EncodingType") == "url"

    def decode(value: str) -> str:
        # unquote_plus: S3 writes a space as "+" (rclone too; moto writes %20) and "+" as %2B.
        return unquote_plus(value) if encoded else value

    entries: list[Entry] = []
    for common in response.get("CommonPrefixes", []):
        key = decode(common["Prefix"])
        entries.append(Entry(key=key, name=_last_segment(key[:-1]), is_folder=True))
    for obj in response.get("Contents", []):
        key = decode(obj["Key"])
        if key == prefix:
            continue  # the folder's own zero-byte marker
        entries.append(
            Entry(
                key=key,
                name=_last_segment(key),
                is_folder=False,
                size=int(obj.get("Size", 0)),
                modified=_utc(obj.get("LastModified")),
                storage_class=str(obj.get("StorageClass", "")),
                etag=str(obj.get("ETag", "")).strip('"'),
            )
        )
    next_token = response.get("NextContinuationToken") if response.get("IsTruncated") else None
    return Page(entries, next_token or None)


def iter_pages(
    client: S3Client,
    bucket: str,
    prefix: str = "",
    *,
    page_size: int = MAX_PAGE_SIZE,
    search: str = "",
) -> Iterator[Page]:
    """Every page of the folder, each requested only when the previous one was taken, so a
    caller can show the first page while the rest are still unknown."""
    token: str | None = None
    while True:
        page = list_page(client, bucket, prefix, token=token, page_size=page_size, search=search)
        yield page
        if page.next_token is None:
            return
        token = page.next_token


def details(
    client: S3Client, bucket: str, key: str, version_id: str | None = None
) -> ObjectDetails:
    """One object's properties, its stored checksum included, from one HeadObject (two where
    the service refuses the checksum request)."""
    return details_from_head(key, head_with_checksum(client, bucket, key, version_id))


def head_with_checksum(
    client: S3Client, bucket: str, key: str, version_id: str | None = None
) -> HeadObjectOutputTypeDef:
    """HeadObject's answer for ``key``, with its stored checksum where the service gives it."""
    params: HeadObjectRequestTypeDef = {"Bucket": bucket, "Key": key, "ChecksumMode": "ENABLED"}
    if version_id:
        params["VersionId"] = version_id
    try:
        return client.head_object(**params)
    except Exception as exc:
        # Services that refuse S3's checksum headers (what the md5 checksum mode is for)
        # can still show everything else.
        if not _may_refuse_checksum_mode(exc):
            raise
        del params["ChecksumMode"]
        return client.head_object(**params)


def details_from_head(key: str, head: HeadObjectOutputTypeDef) -> ObjectDetails:
    """``key``'s properties as HeadObject gave them."""
    algorithm, checksum = next(
        ((name, str(head.get(f))) for name, f in _CHECKSUM_FIELDS if head.get(f)), ("", "")
    )
    return ObjectDetails(
        key=key,
        size=int(head.get("ContentLength", 0)),
        modified=_utc(head.get("LastModified")),
        etag=str(head.get("ETag", "")).strip('"'),
        checksum_algorithm=algorithm,
        checksum=checksum,
        checksum_type=str(head.get("ChecksumType", "")),
        content_type=str(head.get("ContentType", "")),
        # Metadata names are HTTP headers, so case-insensitive: S3 and moto give them in lower
        # case, rclone capitalised ("Owner"). Lower case everywhere.
        metadata={str(k).lower(): str(v) for k, v in head.get("Metadata", {}).items()},
        encryption=str(head.get("ServerSideEncryption", "")),
        kms_key_id=str(head.get("SSEKMSKeyId", "")),
        # HeadObject leaves StorageClass out for STANDARD objects.
        storage_class=str(head.get("StorageClass") or "STANDARD"),
        version_id=str(head.get("VersionId") or ""),
    )


def _may_refuse_checksum_mode(exc: BaseException) -> bool:
    """A refusal of x-amz-checksum-mode. An answer to HEAD has no body, so no error code or
    message: any 400 may be one, and costs one more HeadObject to find out."""
    if rejects_flexible_checksums(exc):
        return True
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return isinstance(status, int) and status == 400


def check_folder_name(name: str) -> None:
    """Raise ValueError, worded for the user, if ``name`` cannot name a new folder."""
    if not name.strip():
        raise ValueError("Enter a name for the new folder")
    if "/" in name:
        raise ValueError(
            f"A folder name cannot contain '/' ({name!r}); create one folder at a time"
        )
    if name in {".", ".."}:
        raise ValueError(f"'{name}' cannot be a folder name; choose another name")
    if any("\ud800" <= ch <= "\udfff" for ch in name):
        raise ValueError("The folder name contains characters that cannot be stored")


def create_folder(
    client: S3Client,
    bucket: str,
    prefix: str,
    name: str,
    *,
    audit: AuditLog | None = None,
    account: str = "",
) -> str:
    """Create the folder ``name`` inside ``prefix`` as S3 consoles do, with a zero-byte
    ``prefix/name/`` marker object; returns its key. ``audit`` records the outcome as
    "create-folder": made, refused (a name that cannot be a folder's) or failed (why)."""
    # A typed name in NFC, as uploads name files, so files dropped in later land in this
    # folder. The prefix is an existing key and is kept exactly (it may be NFD).
    key = _folder_prefix(prefix) + unicodedata.normalize("NFC", name) + "/"
    try:
        check_folder_name(name)
        size = len(key.encode("utf-8", "surrogatepass"))
        if size > MAX_KEY_BYTES:
            raise ValueError(
                f"The folder's full name would be {size:,} bytes long; S3 allows at most "
                f"{MAX_KEY_BYTES:,}. Choose a shorter name"
            )
        client.put_object(Bucket=bucket, Key=key, Body=b"")
    except Exception as exc:
        if audit is not None:
            if isinstance(exc, ValueError):
                result, error = "refused", str(exc)
            else:
                code, message = error_outcome(exc, bucket)
                result, error = "failed", f"{code}: {message}"
            # A name that cannot be stored cannot be written as it is either.
            logged = key.encode("utf-8", "backslashreplace").decode("utf-8")
            audit.append(
                "create-folder", account=account, bucket=bucket, key=logged, result=result,
                error=error,
            )  # fmt: skip
        raise
    if audit is not None:
        audit.append("create-folder", account=account, bucket=bucket, key=key, result="ok")
    return key


def share_link(
    client: S3Client,
    bucket: str,
    key: str,
    expires_in: int,
    *,
    credentials_expire_at: datetime.datetime | None = None,
    audit: AuditLog | None = None,
    account: str = "",
) -> ShareLink:
    """A pre-signed (SigV4) GET link to ``key`` that anyone holding it can download with,
    for ``expires_in`` seconds: capped at 7 days, and at ``credentials_expire_at`` for
    temporary credentials (a link dies with the credentials that signed it). The audit log
    records that the link was made, never the link itself."""
    if expires_in < 1:
        raise ValueError("A share link must be valid for at least one second")
    if not key or key.endswith("/"):
        raise ValueError("Share links are for files; choose a file, not a folder")
    seconds, note = expires_in, ""
    if seconds > MAX_SHARE_SECONDS:
        seconds = MAX_SHARE_SECONDS
        note = "Share links can last at most 7 days, so this one expires in 7 days"
    if credentials_expire_at is not None:
        if credentials_expire_at.tzinfo is None:
            raise ValueError("credentials_expire_at needs a time zone")
        left = int((credentials_expire_at - datetime.datetime.now(datetime.UTC)).total_seconds())
        if left < 1:
            raise ValueError(
                "The credentials have expired, so they cannot sign a link. Sign in again "
                "or refresh the credentials"
            )
        if left < seconds:
            seconds = left
            note = (
                f"This link expires in {human_duration(left)}, when the temporary "
                "credentials that sign it expire"
            )
    url = str(
        client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds
        )
    )
    # Older signatures (SigV2) ignore the 7-day limit and are refused by newer regions;
    # make_client signs with SigV4, and a client made otherwise must not slip through.
    if parse_qs(urlsplit(url).query).get("X-Amz-Algorithm") != ["AWS4-HMAC-SHA256"]:
        raise ValueError("The client does not sign with SigV4 (signature_version='s3v4')")
    if audit is not None:
        # Before the link is handed out: no link leaves without its entry.
        audit.append(
            "share-link", account=account, bucket=bucket, key=key, expires_in=seconds,
            result="ok",
        )  # fmt: skip
    return ShareLink(url=url, expires_in=seconds, capped=seconds < expires_in, note=note)
