"""The bucket browser's core against real S3 servers over HTTP: moto, and rclone (a second,
independent implementation that checks signatures)."""

from __future__ import annotations

import datetime
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError

from s3desk.core.bucket.browse import (
    MAX_SHARE_SECONDS,
    SHARE_EXPIRY_CHOICES,
    Entry,
    create_folder,
    details,
    iter_pages,
    list_page,
    share_link,
)
from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.endpoint import S3Endpoint, make_client
from tests.conftest import Server
from tests.faultproxy import FaultPlan, FaultProxy
from tests.helpers import list_keys, read_object, wait_for


@contextmanager
def _counted(
    endpoint: S3Endpoint, plan: FaultPlan | None = None
) -> Iterator[tuple[Any, FaultProxy]]:
    """A client whose every request passes a proxy that logs it."""
    assert endpoint.endpoint_url
    with FaultProxy.for_url(endpoint.endpoint_url, plan or FaultPlan()) as proxy:
        yield make_client(replace(endpoint, endpoint_url=proxy.url), attempts=1), proxy


def _put_many(endpoint: S3Endpoint, bucket: str, keys: list[str]) -> None:
    # Several at a time: moto needs about 10 ms per PutObject.
    client = make_client(endpoint, 8)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: client.put_object(Bucket=bucket, Key=key, Body=b"x"), keys))


def _folders_first(entries: list[Entry]) -> bool:
    flags = [entry.is_folder for entry in entries]
    return flags == sorted(flags, reverse=True)


# -- listing --------------------------------------------------------------------------------


def test_a_large_folder_is_listed_page_by_page_one_request_each(
    server: Server, server_bucket: str
) -> None:
    objects = [f"many/{i:05d}.txt" for i in range(1234)]
    folders = ["many/sub1/", "many/sub2/"]  # after the objects in key order: on page 2
    _put_many(server.endpoint, server_bucket, [*objects, *(f + "inner.txt" for f in folders)])

    first = list_page(server.client, server_bucket, "many/")
    assert len(first.entries) == 1000 and first.next_token
    assert [e.key for e in first.entries] == objects[:1000]
    second = list_page(server.client, server_bucket, "many/", token=first.next_token)
    assert second.next_token is None
    assert [e.key for e in second.entries] == [*folders, *objects[1000:]]  # folders first
    assert [e.name for e in second.entries[:3]] == ["sub1", "sub2", "01000.txt"]

    with _counted(server.endpoint) as (client, proxy):
        pages = iter_pages(client, server_bucket, "many/")
        assert proxy.requests() == []  # nothing is asked before the first page is wanted
        assert len(next(pages).entries) == 1000
        assert len(proxy.requests()) == 1
        rest = list(pages)
        requests = proxy.requests()
    keys = [e.key for page in [first, *rest] for e in page.entries]
    assert sorted(keys) == sorted([*objects, *folders]) and len(keys) == len(set(keys))
    assert all(_folders_first(page.entries) for page in rest)
    # One ListObjectsV2 per page, and no HeadObject (or anything else) per object.
    assert len(requests) == 1 + len(rest) == 2
    assert all(method == "GET" and "list-type=2" in target for method, target in requests)

    small = list(iter_pages(server.client, server_bucket, "many/", page_size=500))
    assert [len(p.entries) for p in small] == [500, 500, 236]
    with pytest.raises(ValueError, match="page_size"):
        list_page(server.client, server_bucket, page_size=1001)


def test_folders_come_first_then_objects_with_their_properties(
    server: Server, server_bucket: str
) -> None:
    client = server.client
    for key, body in [
        ("top.txt", b"top"), ("docs/a.txt", b"alpha"), ("docs/b/c.txt", b"c"),
        ("docs/z/x.txt", b"x"), ("docs/b/d/e.txt", b"e"),
    ]:  # fmt: skip
        client.put_object(Bucket=server_bucket, Key=key, Body=body)

    root = list_page(client, server_bucket)
    assert [(e.key, e.name, e.is_folder) for e in root.entries] == [
        ("docs/", "docs", True), ("top.txt", "top.txt", False),
    ]  # fmt: skip
    assert root.next_token is None
    docs = list_page(client, server_bucket, "docs")  # no trailing slash: still the folder
    assert [(e.key, e.name, e.is_folder) for e in docs.entries] == [
        ("docs/b/", "b", True), ("docs/z/", "z", True), ("docs/a.txt", "a.txt", False),
    ]  # fmt: skip
    folder, obj = docs.entries[0], docs.entries[2]
    assert (folder.size, folder.modified, folder.etag) == (0, None, "")
    assert obj.size == 5 and obj.storage_class == "STANDARD"
    assert obj.etag == "2c1743a391305fbf367df8e4f069f9f9"  # MD5 of "alpha", no quotes
    assert obj.modified is not None and obj.modified.utcoffset() == datetime.timedelta(0)
    assert abs(datetime.datetime.now(datetime.UTC) - obj.modified) < datetime.timedelta(minutes=5)
    assert list_page(client, server_bucket, "nothing-here/").entries == []


def test_the_folder_marker_is_not_an_entry_and_an_empty_folder_lists_empty(
    s3: Any, bucket: str
) -> None:
    # moto only: rclone stores a "name/" marker as a zero-byte file "name" (not a folder),
    # so nothing can be put inside it afterwards.
    for key in ["docs/", "docs/empty/", "docs/a.txt"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    assert [(e.key, e.is_folder) for e in list_page(s3, bucket).entries] == [("docs/", True)]
    docs = list_page(s3, bucket, "docs/").entries
    assert [(e.key, e.name, e.is_folder) for e in docs] == [
        ("docs/empty/", "empty", True), ("docs/a.txt", "a.txt", False),
    ]  # fmt: skip
    assert list_page(s3, bucket, "docs/empty/").entries == []


def test_search_lists_names_starting_with_the_text_inside_the_folder(
    server: Server, server_bucket: str
) -> None:
    for key in [
        "photos/2023-a.jpg", "photos/2024-b.jpg", "photos/2024/c.jpg", "photos/old/2024.jpg",
        "2024-top.jpg",
    ]:  # fmt: skip
        server.client.put_object(Bucket=server_bucket, Key=key, Body=b"p")
    found = list_page(server.client, server_bucket, "photos/", search="2024")
    assert [(e.key, e.name, e.is_folder) for e in found.entries] == [
        ("photos/2024/", "2024", True), ("photos/2024-b.jpg", "2024-b.jpg", False),
    ]  # fmt: skip
    pages = list(iter_pages(server.client, server_bucket, "photos/", search="20"))
    assert [e.name for p in pages for e in p.entries] == ["2024", "2023-a.jpg", "2024-b.jpg"]
    assert list_page(server.client, server_bucket, "photos/", search="1999").entries == []


NFD_E = "e\u0301"  # "é" as e + combining acute accent, as macOS file names have it
NFC_E = "\u00e9"
ODD_NAMES = [
    "a+b", "%20", "%2F", "two  spaces ", "#hash", "what?x=1&y", "emoji 😀", f"caf{NFD_E}",
    f"caf{NFC_E}", "tab\there", "ctl\x01x", "cr\rx", "del\x7fx", "amp&<>\"'", "+",
]  # fmt: skip


def test_odd_keys_round_trip_exactly(server: Server, server_bucket: str) -> None:
    names = list(ODD_NAMES)
    if server.name == "rclone":
        names.append("new\nline")  # moto's HTTP layer answers 404 to a path with a newline
    keys = [f"odd/{name}" for name in names]
    # A folder with encoded-looking characters: common prefixes are decoded too.
    folder = "odd/d ir+%2F😀/"
    for key in [*keys, folder + "inner"]:
        server.client.put_object(Bucket=server_bucket, Key=key, Body=key.encode())

    entries = [e for page in iter_pages(server.client, server_bucket, "odd/") for e in page.entries]
    assert [e.key for e in entries if e.is_folder] == [folder]
    assert [e.name for e in entries if e.is_folder] == ["d ir+%2F😀"]
    objects = [e for e in entries if not e.is_folder]
    assert sorted(e.key for e in objects) == sorted(keys)
    assert {e.name for e in objects} == set(names)
    # NFD and NFC twins stay two distinct keys, each in its own form.
    assert {f"odd/caf{NFD_E}", f"odd/caf{NFC_E}"} <= {e.key for e in objects}
    for entry in objects:  # the listed key reaches the same object again
        assert read_object(server.client, server_bucket, entry.key) == entry.key.encode()
        assert details(server.client, server_bucket, entry.key).size == len(entry.key.encode())

    inner = list_page(server.client, server_bucket, folder).entries
    assert [(e.key, e.name) for e in inner] == [(folder + "inner", "inner")]
    plus = list_page(server.client, server_bucket, "odd/", search="a+").entries
    assert [e.key for e in plus] == ["odd/a+b"]
    percent = list_page(server.client, server_bucket, "odd/", search="%2").entries
    assert [e.key for e in percent] == ["odd/%20", "odd/%2F"]


# -- details --------------------------------------------------------------------------------


def test_details_show_checksum_content_type_and_metadata(
    server: Server, server_bucket: str
) -> None:
    server.client.put_object(
        Bucket=server_bucket, Key="d/report.csv", Body=b"hello", ContentType="text/csv",
        Metadata={"owner": "Ann", "x-project": "Q3"}, ChecksumAlgorithm="SHA256",
    )  # fmt: skip
    info = details(server.client, server_bucket, "d/report.csv")
    assert (info.key, info.size, info.content_type) == ("d/report.csv", 5, "text/csv")
    assert info.etag == "5d41402abc4b2a76b9719d911017c592"  # MD5 of "hello"
    assert (info.checksum_algorithm, info.checksum) == (
        "SHA256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
    )  # fmt: skip
    # rclone returns metadata names capitalised ("Owner"); they come out in lower case.
    assert info.metadata == {"owner": "Ann", "x-project": "Q3"}
    assert info.storage_class == "STANDARD" and info.version_id == ""
    assert info.modified is not None and info.modified.tzinfo is not None

    server.client.put_object(Bucket=server_bucket, Key="d/plain", Body=b"hello")
    plain = details(server.client, server_bucket, "d/plain")  # boto3 sends CRC32 by default
    assert (plain.checksum_algorithm, plain.checksum) == ("CRC32", "NhCmhg==")


def test_details_show_encryption_storage_class_and_versions(s3: Any, bucket: str) -> None:
    # moto only: rclone serve s3 keeps no versions and reports no server-side encryption.
    s3.put_object(Bucket=bucket, Key="sse", Body=b"1", ServerSideEncryption="AES256")
    assert details(s3, bucket, "sse").encryption == "AES256"
    s3.put_object(
        Bucket=bucket, Key="kms", Body=b"1", ServerSideEncryption="aws:kms", SSEKMSKeyId="k-1",
    )  # fmt: skip
    kms = details(s3, bucket, "kms")
    assert (kms.encryption, kms.kms_key_id) == ("aws:kms", "k-1")
    s3.put_object(Bucket=bucket, Key="ia", Body=b"1", StorageClass="STANDARD_IA")
    assert details(s3, bucket, "ia").storage_class == "STANDARD_IA"

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="v", Body=b"old")["VersionId"]
    new = s3.put_object(Bucket=bucket, Key="v", Body=b"newer")["VersionId"]
    assert (details(s3, bucket, "v").version_id, details(s3, bucket, "v").size) == (new, 5)
    assert (details(s3, bucket, "v", old).version_id, details(s3, bucket, "v", old).size) == (
        old, 3,
    )  # fmt: skip


def test_details_without_checksums_where_the_service_refuses_them(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ContentType="text/plain")
    with _counted(moto_endpoint, FaultPlan(reject_checksums=True)) as (client, proxy):
        info = details(client, bucket, "k")
        requests, headers = proxy.requests(), proxy.request_headers()
    assert (info.size, info.content_type, info.checksum) == (5, "text/plain", "")
    # Asked with x-amz-checksum-mode, refused (botocore probes the bucket's region after a
    # 400 to HEAD and asks once more), then asked without it.
    assert all(method == "HEAD" for method, _ in requests)
    assert "x-amz-checksum-mode" in headers[0]
    assert requests[-1] == ("HEAD", f"/{bucket}/k") and "x-amz-checksum-mode" not in headers[-1]


def test_details_of_a_missing_object_raise_botocore_errors(s3: Any, bucket: str) -> None:
    from botocore.exceptions import ClientError

    from s3desk.core.storage.errors import describe_error

    with pytest.raises(ClientError) as caught:
        details(s3, bucket, "missing.txt")
    assert describe_error(caught.value, bucket, "missing.txt") == (
        f"'{bucket}/missing.txt' was not found"
    )


# -- new folder -----------------------------------------------------------------------------


def test_create_folder_writes_a_zero_byte_marker(s3: Any, bucket: str) -> None:
    # moto only: rclone turns "docs/New folder/" into an empty file "docs/New folder".
    key = create_folder(s3, bucket, "docs/", "New folder")
    assert key == "docs/New folder/"
    assert read_object(s3, bucket, key) == b""
    assert [(e.key, e.is_folder) for e in list_page(s3, bucket, "docs/").entries] == [(key, True)]
    assert list_page(s3, bucket, key).entries == []
    assert create_folder(s3, bucket, "", "top") == "top/"
    assert create_folder(s3, bucket, "docs", "x") == "docs/x/"  # prefix taken as a folder
    # The typed name is NFC, as uploads name files; an existing NFD prefix is kept as is.
    assert create_folder(s3, bucket, f"caf{NFD_E}/", f"r{NFD_E}sum{NFD_E}") == (
        f"caf{NFD_E}/r{NFC_E}sum{NFC_E}/"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name"),
        ("   ", "Enter a name"),
        ("a/b", "cannot contain '/'"),
        ("/", "cannot contain '/'"),
        (".", "cannot be a folder name"),
        ("..", "cannot be a folder name"),
        ("\udcff", "cannot be stored"),
        ("ü" * 512, "at most 1,024"),  # 1,024 bytes of name + "docs/" and "/"
    ],
)
def test_create_folder_refuses_bad_names(s3: Any, bucket: str, name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_folder(s3, bucket, "docs/", name)
    assert list_keys(s3, bucket) == []


def test_create_folder_accepts_a_name_up_to_the_key_limit(s3: Any, bucket: str) -> None:
    name = "n" * (1024 - len("docs//"))
    assert create_folder(s3, bucket, "docs/", name) == f"docs/{name}/"


# -- share links ----------------------------------------------------------------------------


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def _refusal(url: str) -> tuple[int, str]:
    """The HTTP status and S3 error code the server answers ``url`` with; (200, "") if it
    serves the object."""
    try:
        _fetch(url)
    except urllib.error.HTTPError as exc:
        code = ElementTree.fromstring(exc.read()).findtext("Code") or ""
        return exc.code, code
    return 200, ""


def _expired(url: str) -> bool:
    # AWS answers 403 AccessDenied ("Request has expired"); rclone 400 AccessDenied ("the
    # difference between the request time and the server's time exceeds the maximum").
    return _refusal(url) in {(403, "AccessDenied"), (400, "AccessDenied")}


def test_share_link_downloads_the_exact_bytes_and_is_audited(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    key = f"shared/report 2024+#{NFD_E}😀.bin"
    data = os.urandom(3000)
    server.client.put_object(Bucket=server_bucket, Key=key, Body=data)
    audit = AuditLog(tmp_path / "audit.jsonl")

    day = SHARE_EXPIRY_CHOICES[1]
    link = share_link(server.client, server_bucket, key, day, audit=audit, account="Work")
    assert (link.expires_in, link.capped, link.note) == (86400, False, "")
    query = parse_qs(urlsplit(link.url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["86400"]
    assert _fetch(link.url) == data  # rclone checks the signature; moto does not

    text = audit.path.read_text(encoding="utf-8")
    assert "Signature" not in text and link.url not in text and "X-Amz" not in text
    (entry,) = [json.loads(line) for line in text.splitlines()]
    fields = ("action", "account", "bucket", "key", "expires_in", "result")
    assert {k: entry[k] for k in fields} == {
        "action": "share-link", "account": "Work", "bucket": server_bucket, "key": key,
        "expires_in": 86400, "result": "ok",
    }  # fmt: skip


def test_share_link_stops_working_when_it_expires(
    rclone_server: Server, rclone_bucket: str
) -> None:
    # rclone only: moto does not check pre-signed URLs at all.
    client = rclone_server.client
    client.put_object(Bucket=rclone_bucket, Key="f.txt", Body=b"short-lived")
    lasting = share_link(client, rclone_bucket, "f.txt", 3600)
    short = share_link(client, rclone_bucket, "f.txt", 1)
    assert short.expires_in == 1
    # X-Amz-Date has whole seconds, so a 1-second link may be dead on arrival: no check
    # that it worked first. It must be turned away within a few seconds.
    wait_for(lambda: _expired(short.url), timeout=10, what="the expired link to be refused")
    assert _fetch(lasting.url) == b"short-lived"  # the refusal was the expiry, not the key
    tampered = lasting.url[:-1] + ("0" if lasting.url[-1] != "0" else "1")
    assert _refusal(tampered) == (403, "SignatureDoesNotMatch")


# Signing needs no request, so the links below name a bucket that need not exist.


def test_share_link_is_capped_at_seven_days(s3: Any, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    link = share_link(s3, "b", "k", 30 * 86400, audit=audit)
    assert (link.expires_in, link.capped) == (MAX_SHARE_SECONDS, True)
    assert "at most 7 days" in link.note
    assert parse_qs(urlsplit(link.url).query)["X-Amz-Expires"] == ["604800"]
    assert next(audit.entries())["expires_in"] == MAX_SHARE_SECONDS  # what was granted
    assert SHARE_EXPIRY_CHOICES == (3600, 86400, 604800)
    exact = share_link(s3, "b", "k", MAX_SHARE_SECONDS)
    assert (exact.expires_in, exact.capped, exact.note) == (MAX_SHARE_SECONDS, False, "")


def test_share_link_is_capped_at_the_credentials_expiry(s3: Any) -> None:
    in_an_hour = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    link = share_link(s3, "b", "k", 86400, credentials_expire_at=in_an_hour)
    assert link.capped and 3590 <= link.expires_in <= 3600
    assert "temporary credentials" in link.note and "expires in 59m" in link.note
    assert parse_qs(urlsplit(link.url).query)["X-Amz-Expires"] == [str(link.expires_in)]
    # Credentials that outlive the link change nothing.
    in_a_day = in_an_hour + datetime.timedelta(days=1)
    later = share_link(s3, "b", "k", 3600, credentials_expire_at=in_a_day)
    assert (later.expires_in, later.capped, later.note) == (3600, False, "")
    # The 7-day cap and an earlier credential expiry: the earlier wins, and says why.
    both = share_link(s3, "b", "k", 30 * 86400, credentials_expire_at=in_an_hour)
    assert both.expires_in <= 3600 and "temporary credentials" in both.note


def test_share_link_refusals(s3: Any) -> None:
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    with pytest.raises(ValueError, match="credentials have expired"):
        share_link(s3, "b", "k", 3600, credentials_expire_at=past)
    with pytest.raises(ValueError, match="time zone"):
        share_link(s3, "b", "k", 3600, credentials_expire_at=datetime.datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="at least one second"):
        share_link(s3, "b", "k", 0)
    with pytest.raises(ValueError, match="not a folder"):
        share_link(s3, "b", "docs/", 3600)


def test_share_link_refuses_a_client_that_does_not_sign_with_sigv4(
    moto_endpoint: S3Endpoint, tmp_path: Path
) -> None:
    import boto3
    from botocore.config import Config

    sigv2 = boto3.client(
        "s3", endpoint_url=moto_endpoint.endpoint_url, region_name="us-east-1",
        config=Config(signature_version="s3", s3={"addressing_style": "path"}),
    )  # fmt: skip
    audit = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(ValueError, match="SigV4"):
        share_link(sigv2, "b", "k", 3600, audit=audit)
    assert list(audit.entries()) == []


def test_create_folder_is_audited_made_refused_or_failed(
    s3: Any, bucket: str, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    assert create_folder(s3, bucket, "docs/", "Invoices", audit=audit, account="Work")
    with pytest.raises(ValueError):
        create_folder(s3, bucket, "docs/", "a/b", audit=audit, account="Work")
    with pytest.raises(ValueError):
        create_folder(s3, bucket, "", "\udcff", audit=audit, account="Work")
    with pytest.raises(ClientError):
        create_folder(s3, f"{bucket}-gone", "", "x", audit=audit, account="Work")
    entries = list(audit.entries())
    assert [(e["action"], e["account"], e["bucket"], e["key"], e["result"]) for e in entries] == [
        ("create-folder", "Work", bucket, "docs/Invoices/", "ok"),
        ("create-folder", "Work", bucket, "docs/a/b/", "refused"),
        ("create-folder", "Work", bucket, "\\udcff/", "refused"),
        ("create-folder", "Work", f"{bucket}-gone", "x/", "failed"),
    ]  # fmt: skip
    assert entries[0]["user"] and "error" not in entries[0]
    assert "cannot contain '/'" in entries[1]["error"]
    assert entries[3]["error"].startswith("NoSuchBucket")
