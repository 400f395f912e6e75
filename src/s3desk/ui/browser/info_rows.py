"""The info panel's rows: what it says about one object, one folder or a selection of
several, as (label, value) pairs in the user's language. No widgets here; the panel lays
them out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from s3desk.core.bucket.browse import Entry
from s3desk.core.bucket.object_info import ObjectInfo, Unavailable, object_path
from s3desk.ui.common.core_phrases import shown
from s3desk.ui.common.units import human_size

translate = QCoreApplication.translate

# What S3 calls each kind of server-side encryption, and the name people know it by.
_ENCRYPTION_NAMES = {
    "AES256": "SSE-S3",
    "aws:kms": "SSE-KMS",
    "aws:kms:dsse": "DSSE-KMS",
}


@dataclass(frozen=True, slots=True)
class Row:
    label: str  # beside the value
    value: str
    name: str = ""  # for screen readers and tests, where the label alone is ambiguous
    heading: bool = False  # a title over the rows that follow, with no value

    @property
    def accessible_name(self) -> str:
        return self.name or self.label


def _count(n: int) -> str:
    """Grouped in thousands, as the rest of the Browse tab writes counts."""
    return f"{n:,}"


def exact_size(size: int) -> str:
    """ "1.2 MiB (1,234,567 bytes)"; below a KiB the bytes alone."""
    count = _count(size)
    if size < 1024:
        return (
            translate("InfoPanel", "{n} byte") if size == 1 else translate("InfoPanel", "{n} bytes")
        ).format(n=count)
    return translate("InfoPanel", "{size} ({bytes} bytes)").format(
        size=human_size(size), bytes=count
    )


def folder_rows(bucket: str, entry: Entry) -> list[Row]:
    """A folder (or, in the list of buckets, a bucket): what is known without asking."""
    path = f"s3://{bucket}/{entry.key}" if bucket else f"s3://{entry.key}/"
    kind = translate("InfoPanel", "Folder") if bucket else translate("InfoPanel", "Bucket")
    return [
        Row(translate("InfoPanel", "Name"), entry.name),
        Row(translate("InfoPanel", "Path"), path),
        Row(translate("InfoPanel", "Kind"), kind),
    ]


def listed_rows(bucket: str, entry: Entry) -> list[Row]:
    """An object as its folder's listing gave it: shown while its details are asked for."""
    rows = [
        Row(translate("InfoPanel", "Name"), entry.name),
        Row(translate("InfoPanel", "Path"), object_path(bucket, entry.key)),
        Row(translate("InfoPanel", "Size"), exact_size(entry.size)),
    ]
    if entry.modified is not None:
        rows.append(Row(translate("InfoPanel", "Last modified"), _local_time(entry.modified)))
    return rows


def selection_rows(entries: list[Entry]) -> list[Row]:
    """Several entries: how many, and the total size of the files among them."""
    files = [e for e in entries if not e.is_folder]
    rows = [
        Row(translate("InfoPanel", "Selected"), _count(len(entries))),
        Row(translate("InfoPanel", "Files"), _count(len(files))),
        Row(
            translate("InfoPanel", "Total size of the files"),
            exact_size(sum(e.size for e in files)),
        ),
    ]
    if len(files) < len(entries):
        rows.append(Row(translate("InfoPanel", "Folders"), _count(len(entries) - len(files))))
    return rows


def object_rows(info: ObjectInfo) -> list[Row]:
    """Everything known about one object."""
    found = info.details
    rows = [
        Row(translate("InfoPanel", "Name"), found.key.rpartition("/")[2]),
        Row(translate("InfoPanel", "Path"), info.path),
        Row(translate("InfoPanel", "Size"), exact_size(found.size)),
    ]
    if found.modified is not None:
        rows.append(Row(translate("InfoPanel", "Last modified"), _local_time(found.modified)))
    rows += [
        Row(
            translate("InfoPanel", "Content type"),
            found.content_type or translate("InfoPanel", "not set"),
        ),
        Row(translate("InfoPanel", "Storage class"), found.storage_class),
        Row(translate("InfoPanel", "Encryption"), _encryption(found.encryption)),
    ]
    if found.kms_key_id:
        rows.append(Row(translate("InfoPanel", "KMS key ID"), found.kms_key_id))
    if found.checksum:
        rows += [
            Row(translate("InfoPanel", "Checksum algorithm"), found.checksum_algorithm),
            Row(translate("InfoPanel", "Checksum"), found.checksum),
        ]
    else:
        rows.append(Row(translate("InfoPanel", "Checksum"), translate("InfoPanel", "none stored")))
    rows.append(Row(translate("InfoPanel", "ETag"), found.etag))
    if info.cache_control:
        rows.append(Row(translate("InfoPanel", "Cache-Control"), info.cache_control))
    if info.content_disposition:
        rows.append(Row(translate("InfoPanel", "Content-Disposition"), info.content_disposition))
    rows.append(Row(translate("InfoPanel", "Versions"), _versions(info)))
    if found.version_id:
        rows.append(Row(translate("InfoPanel", "Version ID"), found.version_id))
    rows += _pairs(
        translate("InfoPanel", "User metadata"),
        found.metadata,
        translate("InfoPanel", "Metadata {name}"),
        None,
        "",
    )
    rows += _pairs(
        translate("InfoPanel", "Tags"),
        info.tags,
        translate("InfoPanel", "Tag {name}"),
        info.tags_unavailable,
        translate("InfoPanel", "Access denied to tags"),
    )
    return rows


def _pairs(
    title: str,
    pairs: dict[str, str],
    name: str,
    unavailable: Unavailable | None,
    denied: str,
) -> list[Row]:
    """A heading and one row per pair; one row saying there are none, or why unknown."""
    if unavailable is not None:
        return [Row(title, denied if unavailable.denied else _not_available(unavailable))]
    if not pairs:
        return [Row(title, translate("InfoPanel", "none"))]
    return [
        Row(title, "", heading=True),
        *(Row(k, v, name.format(name=k)) for k, v in sorted(pairs.items())),
    ]


def _versions(info: ObjectInfo) -> str:
    if info.versioning_unavailable is not None:
        return _not_available(info.versioning_unavailable)
    if info.version_count is None:
        return translate("InfoPanel", "versioning off")
    count = _count(info.version_count)
    if info.more_versions:
        return translate("InfoPanel", "{n} or more").format(n=count)
    if info.versioning == "Suspended":
        return translate("InfoPanel", "{n} (versioning suspended)").format(n=count)
    return count


def _encryption(kind: str) -> str:
    if not kind:
        return translate("InfoPanel", "none reported")
    known = _ENCRYPTION_NAMES.get(kind)
    return f"{known} ({kind})" if known else kind


def _not_available(unavailable: Unavailable) -> str:
    return translate("InfoPanel", "Not available: {reason}").format(
        reason=shown(unavailable.message)
    )


def _local_time(modified: datetime.datetime) -> str:
    """In the user's time zone (S3 gives UTC), with the zone said."""
    return modified.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
