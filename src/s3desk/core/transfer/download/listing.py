"""The listing a download is planned from, through the download engine's own senders.

Creating a botocore client loads S3's service model and endpoint rules, a quarter of a
second or more; parsing a page of 1,000 listed objects through botocore costs about as much
again. A command that downloads a few thousand small files or one big one in a second or
two spent a good part of it there. ``LeanLister`` answers the calls the planner and the
command line make (ListObjectsV2, its paginator, HeadObject) in botocore's shapes through
the lean sender, with the engine's session, so a command makes one session and, where the
lean sender serves the bucket, no botocore client at all. Where it does not (a redirect, a
proxy, an access point), botocore's client answers instead.
"""

from __future__ import annotations

import datetime
import email.utils
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import unquote_plus
from xml.etree import ElementTree

from s3desk.core.storage.errors import is_transient
from s3desk.core.storage.lean_s3 import NotServed
from s3desk.core.transfer.senders import Senders

T = TypeVar("T")

# ListObjectsV2's parameters as botocore names them, and as its query string does.
_QUERY_NAMES = {
    "Prefix": "prefix",
    "Delimiter": "delimiter",
    "MaxKeys": "max-keys",
    "ContinuationToken": "continuation-token",
    "StartAfter": "start-after",
    "EncodingType": "encoding-type",
}
_BACKOFF_CAP = 5.0


class LeanLister:
    """``list_objects_v2``, ``get_paginator("list_objects_v2")`` and ``head_object`` as
    botocore's S3 client has them, for the download planner and the command line. A
    transient failure (network, 5xx, throttling) is tried again, ``attempts`` in all."""

    def __init__(self, senders: Senders, attempts: int = 3) -> None:
        self._senders = senders
        self._attempts = max(1, attempts)

    def list_objects_v2(self, **params: Any) -> dict[str, Any]:
        return self._retrying(lambda: self._list(params))

    def get_paginator(self, name: str) -> _Paginator:
        if name != "list_objects_v2":
            raise ValueError(f"no lean paginator for {name}")
        return _Paginator(self)

    def head_object(self, **params: Any) -> dict[str, Any]:
        return self._retrying(lambda: self._head(params))

    def _list(self, params: dict[str, Any]) -> dict[str, Any]:
        if set(params) - set(_QUERY_NAMES) - {"Bucket"}:
            return dict(self._senders.client.list_objects_v2(**params))
        query = {
            _QUERY_NAMES[name]: str(value) for name, value in params.items() if name != "Bucket"
        }
        # As botocore does unasked: keys travel URL-encoded (XML cannot carry every
        # character a key may hold) and are decoded here; a caller that asked decodes.
        decode = "encoding-type" not in query
        query.setdefault("encoding-type", "url")
        try:
            xml = self._senders.lean().list_objects(params["Bucket"], query)
        except NotServed:
            return dict(self._senders.client.list_objects_v2(**params))
        return parse_listing(xml, decode)

    def _head(self, params: dict[str, Any]) -> dict[str, Any]:
        if set(params) - {"Bucket", "Key", "VersionId"}:
            return dict(self._senders.client.head_object(**params))
        try:
            headers = self._senders.lean().head(
                params["Bucket"], params["Key"], params.get("VersionId", "")
            )
        except NotServed:
            return dict(self._senders.client.head_object(**params))
        answer: dict[str, Any] = {
            "ContentLength": int(headers.get("content-length", "0")),
            "ETag": headers.get("etag", ""),
        }
        if "last-modified" in headers:
            answer["LastModified"] = email.utils.parsedate_to_datetime(headers["last-modified"])
        if "x-amz-version-id" in headers:
            answer["VersionId"] = headers["x-amz-version-id"]
        return answer

    def _retrying(self, call: Callable[[], T]) -> T:
        for attempt in range(1, self._attempts + 1):
            try:
                return call()
            except Exception as exc:
                if attempt == self._attempts or not is_transient(exc):
                    raise
                time.sleep(min(_BACKOFF_CAP, 0.2 * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")  # the last attempt returned or raised


class _Paginator:
    def __init__(self, lister: LeanLister) -> None:
        self._lister = lister

    def paginate(self, **params: Any) -> Iterator[dict[str, Any]]:
        token = ""
        while True:
            page = self._lister.list_objects_v2(
                **params, **({"ContinuationToken": token} if token else {})
            )
            yield page
            token = page.get("NextContinuationToken", "")
            if not page.get("IsTruncated") or not token:
                return


def parse_listing(xml: bytes, decode: bool) -> dict[str, Any]:
    """A ListObjectsV2 answer in botocore's shape: Contents (Key, Size, ETag, LastModified,
    StorageClass), CommonPrefixes, IsTruncated, NextContinuationToken; keys URL-decoded if
    ``decode``, else as sent (with the EncodingType the service named)."""
    root = ElementTree.fromstring(xml)

    def key_of(text: str | None) -> str:
        return unquote_plus(text or "") if decode else text or ""

    contents: list[dict[str, Any]] = []
    prefixes: list[dict[str, str]] = []
    answer: dict[str, Any] = {"IsTruncated": False}
    for child in root:
        tag = child.tag.rpartition("}")[2]
        if tag == "Contents":
            fields = {c.tag.rpartition("}")[2]: c.text or "" for c in child}
            entry: dict[str, Any] = {
                "Key": key_of(fields.get("Key")),
                "Size": int(fields.get("Size") or 0),
                "ETag": fields.get("ETag", ""),
                "StorageClass": fields.get("StorageClass", ""),
            }
            if fields.get("LastModified"):
                entry["LastModified"] = _timestamp(fields["LastModified"])
            contents.append(entry)
        elif tag == "CommonPrefixes":
            for c in child:
                if c.tag.rpartition("}")[2] == "Prefix":
                    prefixes.append({"Prefix": key_of(c.text)})
        elif tag == "IsTruncated":
            answer["IsTruncated"] = (child.text or "").strip().lower() == "true"
        elif tag == "NextContinuationToken":
            answer["NextContinuationToken"] = child.text or ""
        elif tag == "EncodingType" and not decode:
            answer["EncodingType"] = child.text or ""
    if contents:
        answer["Contents"] = contents
    if prefixes:
        answer["CommonPrefixes"] = prefixes
    return answer


def _timestamp(text: str) -> datetime.datetime:
    stamp = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.UTC)
