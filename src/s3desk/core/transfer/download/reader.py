"""The GETs of a download: through the lean sender where it serves the request, botocore's
client where it does not, always naming the ETag the listing showed (If-Match)."""

from __future__ import annotations

from typing import Any

from s3desk.core.storage.checksums import IntegrityError
from s3desk.core.storage.lean_s3 import NotServed
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.senders import Senders


class ObjectChanged(Exception):
    """The answer carries an ETag other than the listed one: a server that ignored If-Match
    answered with a newer version (rclone does)."""


class ObjectReader:
    def __init__(self, senders: Senders) -> None:
        self._senders = senders

    def get(self, item: DownloadItem) -> bytes | None:
        """The object's bytes in one piece; None where the lean sender does not serve."""
        try:
            answer = self._senders.lean().get(
                item.bucket, item.key, _if_match(item), item.version_id
            )
        except NotServed:
            return None
        _check_etag(item, answer.headers.get("etag", ""))
        return answer.data

    def open(self, item: DownloadItem, part: tuple[int, int] | None) -> Any:
        """GetObject (of bytes ``part``, first to last, for a part) with the body left to
        read: through the lean sender where it serves the request (a LeanBody), else
        botocore's StreamingBody."""
        headers = _if_match(item)
        byte_range = f"bytes={part[0]}-{part[1]}" if part else ""
        if byte_range:
            headers["range"] = byte_range
        body: Any
        try:
            body = self._senders.lean().get_stream(item.bucket, item.key, headers, item.version_id)
            etag, content_range = (
                body.headers.get("etag", ""),
                body.headers.get("content-range", ""),
            )
            length = body.length
        except NotServed:
            args: dict[str, Any] = {"Bucket": item.bucket, "Key": item.key}
            if item.version_id:
                args["VersionId"] = item.version_id
            if byte_range:
                args["Range"] = byte_range
            if item.etag:
                args["IfMatch"] = f'"{item.etag}"'
            response = self._senders.client.get_object(**args)
            body, content_range = response["Body"], response.get("ContentRange", "")
            etag, length = response.get("ETag", ""), response.get("ContentLength", 0)
        try:
            _check_etag(item, etag)
        except ObjectChanged:
            body.close()
            raise
        expected = part[1] - part[0] + 1 if part else item.size
        if part and not content_range.startswith(f"bytes {part[0]}-{part[1]}/"):
            # A server that ignores Range answers with the whole object: those bytes do not
            # belong at this part's offset.
            body.close()
            raise IntegrityError(f"asked for {byte_range}, the server sent {content_range!r}")
        if length != expected:
            body.close()
            raise IntegrityError(f"expected {expected} bytes, the server sends {length}")
        return body

    def part_size(self, item: DownloadItem, parts: int) -> int | None:
        """The size of the parts ``item`` was uploaded in, if they were all alike but the
        last (as every common uploader makes them): parts 1 and ``parts`` asked for with
        HeadObject's partNumber. None where the service does not say, or the sizes do not
        add up to the object's: its multipart ETag cannot be checked then."""
        first = self._part_head(item, 1)
        size = int(first.get("content-length", "0") or 0)
        if first.get("x-amz-mp-parts-count") != str(parts) or size <= 0:
            return None
        last = self._part_head(item, parts) if parts > 1 else first
        last_size = int(last.get("content-length", "0") or 0)
        if not 0 < last_size <= size or (parts - 1) * size + last_size != item.size:
            return None
        return size

    def _part_head(self, item: DownloadItem, number: int) -> dict[str, str]:
        try:
            return self._senders.lean().head(item.bucket, item.key, item.version_id, number)
        except NotServed:
            args: dict[str, Any] = {"Bucket": item.bucket, "Key": item.key, "PartNumber": number}
            if item.version_id:
                args["VersionId"] = item.version_id
            headers = self._senders.client.head_object(**args)["ResponseMetadata"]["HTTPHeaders"]
            return {k.lower(): str(v) for k, v in headers.items()}


def _if_match(item: DownloadItem) -> dict[str, str]:
    return {"if-match": f'"{item.etag}"'} if item.etag else {}


def _check_etag(item: DownloadItem, answered: str) -> None:
    """Raise ObjectChanged if the answer names an ETag other than the listed one."""
    if item.etag and answered:
        answered = answered.removeprefix("W/").strip('"').lower()
        if answered != item.etag.lower():
            raise ObjectChanged(f"listed ETag {item.etag}, answered {answered}")
