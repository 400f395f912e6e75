"""What every object an account uploads carries: server-side encryption, storage class,
Cache-Control and Content-Disposition, user metadata and tags, and the content types it
gives extensions the system does not know (or knows differently).

"Require encryption" makes an unencrypted upload impossible: without an encryption choice
nothing is sent, and an object the service does not confirm as encrypted is removed again
and its row says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from s3desk.core.compliance.content_types import check_table
from s3desk.core.storage.errors import EncryptionRequired

SSE_S3 = "SSE-S3"
SSE_KMS = "SSE-KMS"
ENCRYPTIONS = ("", SSE_S3, SSE_KMS)
_SSE_HEADER = {SSE_S3: "AES256", SSE_KMS: "aws:kms"}
STORAGE_CLASSES = (
    "", "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR",
    "GLACIER", "DEEP_ARCHIVE", "REDUCED_REDUNDANCY",
)  # fmt: skip
_MAX_TAGS = 10  # S3's limit per object
_MAX_METADATA_BYTES = 2048  # S3's limit for all user metadata of an object


@dataclass(frozen=True, slots=True)
class UploadOptions:
    encryption: str = ""  # "", "SSE-S3" or "SSE-KMS"
    kms_key_id: str = ""  # for SSE-KMS; "" uses the account's AWS-managed key
    require_encryption: bool = False
    storage_class: str = ""
    cache_control: str = ""
    content_disposition: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    content_types: tuple[tuple[str, str], ...] = ()  # (extension, type), checked

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UploadOptions:
        """From a settings table; raises ValueError naming what is wrong."""
        known = {
            "encryption", "kms_key_id", "require_encryption", "storage_class", "cache_control",
            "content_disposition", "metadata", "tags", "content_types",
        }  # fmt: skip
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown upload option(s): {', '.join(unknown)}")
        options = cls(
            encryption=str(data.get("encryption", "")),
            kms_key_id=str(data.get("kms_key_id", "")),
            require_encryption=bool(data.get("require_encryption", False)),
            storage_class=str(data.get("storage_class", "")),
            cache_control=str(data.get("cache_control", "")),
            content_disposition=str(data.get("content_disposition", "")),
            metadata=_pairs(data.get("metadata", {})),
            tags=_pairs(data.get("tags", {})),
            content_types=check_table(_table(data.get("content_types", {}))),
        )
        problems = options.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return options

    def problems(self) -> list[str]:
        found: list[str] = []
        if self.encryption not in ENCRYPTIONS:
            found.append(
                f"Encryption must be one of SSE-S3, SSE-KMS or none, not {self.encryption!r}"
            )
        if self.kms_key_id and self.encryption != SSE_KMS:
            found.append("A KMS key id needs SSE-KMS encryption")
        if self.storage_class not in STORAGE_CLASSES:
            found.append(f"Unknown storage class {self.storage_class!r}")
        for name, value in (*self.metadata, ("Cache-Control", self.cache_control),
                            ("Content-Disposition", self.content_disposition)):  # fmt: skip
            if not value.isascii() or any(ord(c) < 32 for c in value):
                found.append(f"'{name}' must be plain ASCII text without control characters")
        for name, _ in self.metadata:
            if not name or not name.isascii() or not all(c.isalnum() or c in "-_." for c in name):
                found.append(f"Metadata name {name!r} may use letters, digits, '-', '_', '.'")
        size = sum(len(k) + len(v) for k, v in self.metadata)
        if size > _MAX_METADATA_BYTES:
            found.append(f"User metadata is {size} bytes; S3 takes at most {_MAX_METADATA_BYTES}")
        if len(self.tags) > _MAX_TAGS:
            found.append(f"{len(self.tags)} tags; S3 takes at most {_MAX_TAGS} per object")
        for name, value in self.tags:
            if not (0 < len(name) <= 128 and len(value) <= 256 and _tag_text(name + value)):
                found.append(
                    f"Tag {name}={value!r}: names up to 128 and values up to 256 characters, "
                    "of letters, digits, spaces and _ . : / = + - @"
                )
        return found

    def refusal(self) -> str:
        """Why nothing may be uploaded with these options ("" when uploads may go)."""
        if self.require_encryption and not self.encryption:
            return (
                "This account requires encryption, but no encryption is chosen: set SSE-S3 or "
                "SSE-KMS in the account's upload options"
            )
        return ""

    def boto_fields(self) -> dict[str, Any]:
        """Arguments for botocore's PutObject and CreateMultipartUpload."""
        fields: dict[str, Any] = {}
        if self.encryption:
            fields["ServerSideEncryption"] = _SSE_HEADER[self.encryption]
        if self.kms_key_id:
            fields["SSEKMSKeyId"] = self.kms_key_id
        if self.storage_class:
            fields["StorageClass"] = self.storage_class
        if self.cache_control:
            fields["CacheControl"] = self.cache_control
        if self.content_disposition:
            fields["ContentDisposition"] = self.content_disposition
        if self.metadata:
            fields["Metadata"] = dict(self.metadata)
        if self.tags:
            fields["Tagging"] = self.tagging
        return fields

    def headers(self) -> dict[str, str]:
        """The same as request headers (lower case), for requests made without botocore."""
        headers: dict[str, str] = {}
        if self.encryption:
            headers["x-amz-server-side-encryption"] = _SSE_HEADER[self.encryption]
        if self.kms_key_id:
            headers["x-amz-server-side-encryption-aws-kms-key-id"] = self.kms_key_id
        if self.storage_class:
            headers["x-amz-storage-class"] = self.storage_class
        if self.cache_control:
            headers["cache-control"] = self.cache_control
        if self.content_disposition:
            headers["content-disposition"] = self.content_disposition
        for name, value in self.metadata:
            headers[f"x-amz-meta-{name.lower()}"] = value
        if self.tags:
            headers["x-amz-tagging"] = self.tagging
        return headers

    @property
    def tagging(self) -> str:
        return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in self.tags)

    def check_confirmed(self, response: Mapping[str, object]) -> None:
        """Raise EncryptionRequired when encryption is required and the service's answer
        does not say the object is encrypted as asked."""
        if not self.require_encryption:
            return
        wanted = _SSE_HEADER.get(self.encryption, "")
        got = str(response.get("ServerSideEncryption", ""))
        if not got or (wanted and got != wanted):
            raise EncryptionRequired(
                "The storage service did not confirm that it encrypted the object "
                f"({got or 'no encryption reported'}); encryption is required "
                "for this account, so the object was removed again"
            )


def _pairs(table: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in _table(table).items()))


def _table(table: Any) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        raise ValueError("Metadata, tags and content types must be tables of names and values")
    return table


def _tag_text(text: str) -> bool:
    """S3's (and IAM's) tag alphabet: letters, digits, spaces and _ . : / = + - @."""
    return all(c.isalnum() or c.isspace() or c in "_.:/=+-@" for c in text)
