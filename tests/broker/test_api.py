"""The broker's API over HTTP against moto: uploads through its pre-signed URLs, resumes,
and every refusal, with the bytes read back from S3."""

from __future__ import annotations

import base64
import itertools
import unicodedata
from typing import Any

import pytest

from tests.broker.conftest import (
    ELF_HEAD,
    PE_HEAD,
    Api,
    MiB,
    Running,
    StartBroker,
    crc32_b64,
    declaration,
    jpeg,
    put,
    sha256_b64,
)
from tests.helpers import list_keys, multipart_uploads, read_object


def test_health_needs_no_token(broker: Running) -> None:
    reply = Api(broker.url, None).call("GET", "/health")
    assert (reply.status, reply.json) == (200, {"status": "ok"})


def test_me_describes_the_callers_policy(alice: Api, bucket: str) -> None:
    me = alice.call("GET", "/v1/me").json
    assert me["user"] == "alice"
    assert me["bucket"] == bucket
    assert me["prefix"] == "uploads/alice/"
    assert me["max_size"] == 64 * MiB
    assert me["allowed_types"] == ["jpeg", "jpg", "pdf", "png", "txt"]
    assert me["head_bytes"] == 512


def test_single_upload_through_the_presigned_put(
    broker: Running, alice: Api, s3: Any, bucket: str
) -> None:
    data = jpeg(200_000)
    created = alice.create("Holiday photo.jpg", data)
    assert created.status == 201, created.body
    info = created.json
    assert info["kind"] == "single"
    assert info["key"] == "uploads/alice/Holiday photo.jpg"
    assert info["headers"]["Content-Length"] == str(len(data))
    assert info["headers"]["x-amz-checksum-crc32"] == crc32_b64(data)
    assert info["headers"]["If-None-Match"] == "*"
    assert "X-Amz-Signature=" in info["url"]
    assert put(info["url"], info["headers"], data).status == 200

    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert done.status == 200, done.body
    assert done.json["key"] == info["key"]
    assert done.json["size"] == len(data)
    assert done.json["checksum_verified"] is True
    assert read_object(s3, bucket, info["key"]) == data
    assert s3.head_object(Bucket=bucket, Key=info["key"])["ContentType"] == "image/jpeg"
    [entry] = broker.audit()
    assert entry["action"] == "upload"
    assert entry["user"] == "alice"
    assert entry["result"] == "ok"
    assert entry["key"] == info["key"]
    assert entry["size"] == len(data)
    # Asking again (an answer lost on the way) gives the same answer, no second entry.
    again = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert (again.status, again.json) == (200, done.json)
    assert len(broker.audit()) == 1


def test_sha256_checksum_and_an_empty_file(alice: Api, s3: Any, bucket: str) -> None:
    data = b"plain text\n" * 100
    body = declaration("notes.txt", data)
    body["checksum"] = {"algorithm": "sha256", "value": sha256_b64(data)}
    info = alice.call("POST", "/v1/uploads", body).json
    assert info["headers"]["x-amz-checksum-sha256"] == sha256_b64(data)
    assert put(info["url"], info["headers"], data).status == 200
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert done.status == 200, done.body
    assert read_object(s3, bucket, "uploads/alice/notes.txt") == data

    assert alice.upload("empty.txt", b"")["size"] == 0
    assert read_object(s3, bucket, "uploads/alice/empty.txt") == b""


def test_multipart_upload_resumed_from_the_parts_listed(
    broker: Running, alice: Api, s3: Any, bucket: str
) -> None:
    data = jpeg(11 * MiB + 12345)
    created = alice.create("video-still.jpg", data)
    assert created.status == 201, created.body
    info = created.json
    assert info["kind"] == "multipart"
    assert (info["part_size"], info["part_count"]) == (5 * MiB, 3)
    upload_id = info["upload_id"]

    first = alice.put_parts(info, data, [1])
    listed = alice.call("GET", f"/v1/uploads/{upload_id}/parts").json
    assert [(p["number"], p["size"]) for p in listed["parts"]] == [(1, 5 * MiB)]
    assert listed["parts"][0]["etag"] == first[1]
    # The client resumes from what the service lists, not from its own memory.
    done_numbers = {p["number"] for p in listed["parts"]}
    rest = alice.put_parts(info, data, [n for n in (1, 2, 3) if n not in done_numbers])
    etags = {1: listed["parts"][0]["etag"], **rest}
    parts = [{"number": n, "etag": etag} for n, etag in sorted(etags.items())]
    done = alice.call("POST", f"/v1/uploads/{upload_id}/complete", {"parts": parts})
    assert done.status == 200, done.body
    assert done.json["checksum_verified"] is True  # 11 MiB: within the download limit
    assert read_object(s3, bucket, "uploads/alice/video-still.jpg") == data
    assert multipart_uploads(s3, bucket) == []
    assert [e["result"] for e in broker.audit()] == ["ok"]


def test_multipart_over_the_download_limit_is_recorded_unverified(
    start_broker: StartBroker, s3: Any, bucket: str
) -> None:
    alice = start_broker(verify_download_limit=1 * MiB).as_user("alice")
    data = jpeg(7 * MiB)
    assert alice.upload("big.jpg", data)["checksum_verified"] is False
    assert read_object(s3, bucket, "uploads/alice/big.jpg") == data


def test_uploads_survive_a_restart_of_the_service(
    start_broker: StartBroker, s3: Any, bucket: str
) -> None:
    first = start_broker()
    alice = first.as_user("alice")
    data = jpeg(10 * MiB + 1)
    info = alice.create("scan.jpg", data).json
    alice.put_parts(info, data, [1])
    first.stop()

    second = start_broker()
    alice = second.as_user("alice")
    upload_id = info["upload_id"]
    status = alice.call("GET", f"/v1/uploads/{upload_id}").json
    assert (status["state"], status["key"], status["size"]) == ("pending", info["key"], len(data))
    listed = alice.call("GET", f"/v1/uploads/{upload_id}/parts").json["parts"]
    assert [p["number"] for p in listed] == [1]
    etags = {1: listed[0]["etag"], **alice.put_parts(info, data, [2, 3])}
    parts = [{"number": n, "etag": e} for n, e in sorted(etags.items())]
    done = alice.call("POST", f"/v1/uploads/{upload_id}/complete", {"parts": parts})
    assert done.status == 200, done.body
    assert read_object(s3, bucket, info["key"]) == data
    # Bob never sees it, before or after the restart.
    bob = second.as_user("bob")
    assert bob.call("GET", f"/v1/uploads/{upload_id}").status == 404


def test_a_single_upload_url_can_be_fetched_again(alice: Api, s3: Any, bucket: str) -> None:
    data = b"hello\n"
    info = alice.create("again.txt", data).json
    status = alice.call("GET", f"/v1/uploads/{info['upload_id']}").json
    assert status["state"] == "pending"
    assert put(status["url"], status["headers"], data).status == 200
    assert alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {}).status == 200
    assert read_object(s3, bucket, "uploads/alice/again.txt") == data


# ---------------------------------------------------------------- refusals: sizes


def test_declared_size_over_the_limit_is_refused(alice: Api, s3: Any, bucket: str) -> None:
    body = declaration("huge.jpg", jpeg(512))
    body["size"] = 12 * 1024**3
    reply = alice.call("POST", "/v1/uploads", body)
    assert reply.status == 413
    assert reply.json == {
        "error": "too_large",
        "message": "This file is 12.0 GiB; the limit is 64.0 MiB",
    }
    assert list_keys(s3, bucket) == []
    assert multipart_uploads(s3, bucket) == []


@pytest.mark.parametrize("sent_size", [2000, 500], ids=["more", "fewer"])
def test_single_upload_of_another_length_than_declared_is_removed(
    broker: Running, alice: Api, s3: Any, bucket: str, sent_size: int
) -> None:
    declared = jpeg(1000)
    info = alice.create("photo.jpg", declared).json
    sent = jpeg(sent_size, seed=9)
    # moto stores whatever length arrives (real S3 refuses a body that does not match the
    # signed Content-Length: tests/broker/test_storage_enforcement.py), so the service's own
    # check on completion is what stops it here.
    headers = {**info["headers"], "Content-Length": str(sent_size)}
    put(info["url"], headers, sent)
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert done.status == 422
    assert done.json["error"] == "size_mismatch"
    assert f"{sent_size:,} bytes, but 1,000 were declared" in done.json["message"]
    assert list_keys(s3, bucket) == []
    [entry] = broker.audit()
    assert (entry["result"], entry["size"]) == ("rejected", sent_size)
    assert alice.call("GET", f"/v1/uploads/{info['upload_id']}").status == 404


def test_single_upload_with_other_bytes_of_the_same_length_is_removed(
    alice: Api, s3: Any, bucket: str
) -> None:
    declared = jpeg(4000)
    info = alice.create("photo.jpg", declared).json
    put(info["url"], info["headers"], jpeg(4000, seed=2))
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert (done.status, done.json["error"]) == (422, "checksum_mismatch")
    assert list_keys(s3, bucket) == []


def test_multipart_with_more_bytes_than_declared_is_aborted(
    broker: Running, alice: Api, s3: Any, bucket: str
) -> None:
    declared = jpeg(11 * MiB)  # parts of 5, 5 and 1 MiB
    info = alice.create("photo.jpg", declared).json
    etags = alice.put_parts(info, declared, [1, 2])
    signed = alice.call("POST", f"/v1/uploads/{info['upload_id']}/parts", {"numbers": [3]}).json
    [part3] = signed["parts"]
    assert part3["headers"]["Content-Length"] == str(1 * MiB)
    bigger = jpeg(3 * MiB, seed=3)
    reply = put(part3["url"], {**part3["headers"], "Content-Length": str(len(bigger))}, bigger)
    etags[3] = reply.headers["etag"]  # moto takes it; S3 would refuse it (signed length)
    parts = [{"number": n, "etag": e} for n, e in sorted(etags.items())]
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {"parts": parts})
    assert done.status == 422
    assert done.json["error"] == "size_mismatch"
    assert "more than the 11,534,336 declared" in done.json["message"]
    assert multipart_uploads(s3, bucket) == []
    assert list_keys(s3, bucket) == []
    assert broker.audit()[-1]["result"] == "rejected"


def test_multipart_over_the_limit_is_aborted(broker: Running, s3: Any, bucket: str) -> None:
    carol = broker.as_user("carol")  # limit 12 MiB
    declared = jpeg(11 * MiB)
    info = carol.create("photo.jpg", declared).json
    etags = carol.put_parts(info, declared, [1, 2])
    [part3] = carol.call("POST", f"/v1/uploads/{info['upload_id']}/parts", {"numbers": [3]}).json[
        "parts"
    ]
    bigger = jpeg(3 * MiB, seed=4)
    etags[3] = put(part3["url"], {"Content-Length": str(len(bigger))}, bigger).headers["etag"]
    parts = [{"number": n, "etag": e} for n, e in sorted(etags.items())]
    done = carol.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {"parts": parts})
    assert done.status == 413
    assert done.json == {
        "error": "too_large",
        "message": "The parts uploaded add up to 13.0 MiB; the limit is 12.0 MiB. The upload "
        "was cancelled",
    }
    assert multipart_uploads(s3, bucket) == []


def test_multipart_with_a_short_part_is_aborted(alice: Api, s3: Any, bucket: str) -> None:
    declared = jpeg(11 * MiB)
    info = alice.create("photo.jpg", declared).json
    etags = alice.put_parts(info, declared, [1, 3])
    signed = alice.call("POST", f"/v1/uploads/{info['upload_id']}/parts", {"numbers": [2]})
    [part2] = signed.json["parts"]
    short = put(part2["url"], {"Content-Length": "100"}, declared[5 * MiB : 5 * MiB + 100])
    etags[2] = short.headers["etag"]
    parts = [{"number": n, "etag": e} for n, e in sorted(etags.items())]
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {"parts": parts})
    assert done.status == 422
    assert done.json["message"].startswith("Part 2 has 100 bytes; it should have 5,242,880")
    assert multipart_uploads(s3, bucket) == []


def test_completing_with_parts_missing_says_which_and_keeps_the_upload(
    alice: Api, s3: Any, bucket: str
) -> None:
    data = jpeg(11 * MiB)
    info = alice.create("photo.jpg", data).json
    etags = alice.put_parts(info, data, [2])
    parts = [{"number": 2, "etag": etags[2]}]
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {"parts": parts})
    assert done.status == 409
    assert done.json == {
        "error": "parts_missing",
        "message": "2 of 3 parts have not been uploaded yet (part 1, 3); upload them, then "
        "complete again",
    }
    etags.update(alice.put_parts(info, data, [1, 3]))
    # A stale ETag (the client's memory of an older attempt) is refused, not completed.
    stale = [{"number": n, "etag": '"0123"' if n == 1 else e} for n, e in sorted(etags.items())]
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {"parts": stale})
    assert (done.status, done.json["error"]) == (409, "part_mismatch")
    parts = [{"number": n, "etag": e} for n, e in sorted(etags.items())]
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {"parts": parts})
    assert done.status == 200, done.body
    assert read_object(s3, bucket, info["key"]) == data


def test_a_single_upload_completed_before_the_bytes_arrived(alice: Api) -> None:
    info = alice.create("later.txt", b"later").json
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert (done.status, done.json["error"]) == (409, "not_uploaded")
    assert put(info["url"], info["headers"], b"later").status == 200
    assert alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {}).status == 200


def test_part_requests_are_checked(alice: Api) -> None:
    info = alice.create("photo.jpg", jpeg(11 * MiB)).json
    path = f"/v1/uploads/{info['upload_id']}/parts"
    for body, words in [
        ({"numbers": list(range(1, 102))}, "at most 100 parts"),
        ({"numbers": [4]}, "part 4 does not exist"),
        ({"numbers": [0]}, "part 0 does not exist"),
        ({"numbers": [1, 1]}, "twice"),
        ({"numbers": []}, "non-empty"),
        ({"numbers": ["1"]}, "non-empty list of part numbers"),
    ]:
        reply = alice.call("POST", path, body)
        assert reply.status == 400, body
        assert words in reply.json["message"]


# ---------------------------------------------------------------- refusals: types


def test_a_disallowed_extension_is_refused(alice: Api, s3: Any, bucket: str) -> None:
    reply = alice.create("setup.exe", PE_HEAD + bytes(100))
    assert reply.status == 415
    assert reply.json["error"] == "type_not_allowed"
    assert reply.json["message"].startswith("Files of type .exe are not allowed")
    reply = alice.create("Makefile", b"all:\n")
    assert reply.json["message"] == "Files without an extension are not allowed"
    assert list_keys(s3, bucket) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cat.jpg", ELF_HEAD + bytes(600), "This file is named .jpg but its content is a Linux "
         "program (ELF)"),
        ("cat.png", PE_HEAD + bytes(600), "This file is named .png but its content is a Windows "
         "program (EXE/DLL)"),
        ("cat.jpg", b"just some text, not a picture\n", "This file is named .jpg but does not "
         "look like a JPEG image"),
        ("notes.txt", b"\x00\x01\x02binary", "This file is named .txt but its content is not "
         "text"),
        ("report.pdf", b"#!/bin/sh\nrm -rf ~\n", "This file is named .pdf but its content is a "
         "script (#!)"),
    ],
    ids=["elf-as-jpg", "pe-as-png", "text-as-jpg", "binary-as-txt", "script-as-pdf"],
)  # fmt: skip
def test_content_sniffing_refuses_what_the_name_hides(
    alice: Api, s3: Any, bucket: str, name: str, data: bytes, message: str
) -> None:
    reply = alice.create(name, data)
    assert reply.status == 415
    assert reply.json == {"error": "content_not_allowed", "message": message}
    assert list_keys(s3, bucket) == []


def test_declared_head_that_was_not_sent_is_removed(
    broker: Running, alice: Api, s3: Any, bucket: str
) -> None:
    """A client that declares a JPEG's first bytes but uploads a program: the checksum is
    honest (of the bytes sent), the head is not; the ranged read after the upload sees it."""
    sent = ELF_HEAD + bytes(3000)
    body = declaration("cat.jpg", sent)
    body["head"] = base64.b64encode(jpeg(512)).decode()
    info = alice.call("POST", "/v1/uploads", body).json
    assert put(info["url"], info["headers"], sent).status == 200
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert (done.status, done.json["error"]) == (422, "content_mismatch")
    assert list_keys(s3, bucket) == []
    assert broker.audit()[-1]["result"] == "rejected"


def test_the_head_must_be_the_files_first_bytes(alice: Api) -> None:
    body = declaration("cat.jpg", jpeg(5000))
    body["head"] = base64.b64encode(jpeg(100)).decode()
    reply = alice.call("POST", "/v1/uploads", body)
    assert reply.status == 400
    assert "first 512 bytes (it holds 100)" in reply.json["message"]


def test_any_type_policy_still_checks_content(broker: Running) -> None:
    dave = broker.as_user("dave")
    assert dave.create("tool", ELF_HEAD + bytes(100)).status == 201
    assert dave.create("tool.jpg", ELF_HEAD + bytes(100)).status == 415


# ---------------------------------------------------------------- refusals: who and where


def test_missing_or_invalid_tokens_are_refused(broker: Running) -> None:
    body = declaration("a.txt", b"a")
    api = Api(broker.url, None)
    for token, words in [
        (None, "carries no access token"),
        ("s3db_not-a-real-token", "not valid"),
        (broker.tokens["alice"] + "x", "not valid"),
    ]:
        reply = api.call("POST", "/v1/uploads", body, token=token)
        assert reply.status == 401
        assert reply.json["error"] == "unauthorized"
        assert words in reply.json["message"]
        assert reply.headers["www-authenticate"].startswith("Bearer")
    reply = api.call("GET", "/v1/me", token=None)
    assert reply.status == 401
    from tests.broker.conftest import send

    basic = send("GET", broker.url + "/v1/me", headers={"Authorization": "Basic YWxpY2U6eA=="})
    assert basic.status == 401
    assert "malformed" in basic.json["message"]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd", "../bob/photo.jpg", "/etc/passwd.txt", "..", ".",
        "folder/photo.jpg", "C:\\Users\\bob\\photo.jpg", "..\\photo.jpg", "bad\x00.txt",
        "line\nbreak.txt", "\u202egpj.exe.txt", " photo.jpg", "", "x" * 300 + ".txt",
    ],
)  # fmt: skip
def test_names_that_could_escape_or_mislead_are_refused(
    alice: Api, s3: Any, bucket: str, name: str
) -> None:
    reply = alice.create(name, b"text")
    assert reply.status == 400, reply.body
    assert reply.json["error"] == "bad_name"
    assert list_keys(s3, bucket) == []


def test_names_are_normalised_to_nfc(alice: Api, s3: Any, bucket: str) -> None:
    decomposed = unicodedata.normalize("NFD", "café.txt")
    assert decomposed != "café.txt"
    assert alice.upload(decomposed, b"menu")["key"] == "uploads/alice/café.txt"
    assert list_keys(s3, bucket) == ["uploads/alice/café.txt"]


def test_a_taken_name_keeps_both_or_is_refused(alice: Api, s3: Any, bucket: str) -> None:
    assert alice.upload("a.txt", b"first")["key"] == "uploads/alice/a.txt"
    assert alice.upload("a.txt", b"second")["key"] == "uploads/alice/a (1).txt"
    # A pending upload holds its name too, before any byte arrived.
    pending = alice.create("a.txt", b"third").json
    assert pending["key"] == "uploads/alice/a (2).txt"
    assert alice.create("a.txt", b"fourth").json["key"] == "uploads/alice/a (3).txt"
    refused = alice.create("a.txt", b"fifth", if_exists="fail")
    assert refused.status == 409
    assert refused.json == {"error": "exists", "message": "A file named 'a.txt' is already there"}
    assert read_object(s3, bucket, "uploads/alice/a.txt") == b"first"


def test_users_cannot_touch_each_others_uploads(
    broker: Running, alice: Api, s3: Any, bucket: str
) -> None:
    data = jpeg(11 * MiB)
    info = alice.create("photo.jpg", data).json
    etags = alice.put_parts(info, data, [1, 2, 3])
    upload_id = info["upload_id"]
    bob = broker.as_user("bob")
    parts = [{"number": n, "etag": e} for n, e in sorted(etags.items())]
    for method, path, body in [
        ("GET", f"/v1/uploads/{upload_id}", None),
        ("GET", f"/v1/uploads/{upload_id}/parts", None),
        ("POST", f"/v1/uploads/{upload_id}/parts", {"numbers": [1]}),
        ("POST", f"/v1/uploads/{upload_id}/complete", {"parts": parts}),
        ("DELETE", f"/v1/uploads/{upload_id}", None),
    ]:
        reply = bob.call(method, path, body)
        assert reply.status == 404, (method, path)
        assert reply.json["error"] == "not_found"
    # Bob's own uploads land under his prefix whatever he names them.
    assert bob.upload("photo.jpg", jpeg(100))["key"] == "uploads/bob/photo.jpg"
    done = alice.call("POST", f"/v1/uploads/{upload_id}/complete", {"parts": parts})
    assert done.status == 200, done.body
    assert read_object(s3, bucket, "uploads/alice/photo.jpg") == data


def test_cancel_removes_the_partial_upload(
    broker: Running, alice: Api, s3: Any, bucket: str
) -> None:
    data = jpeg(11 * MiB)
    info = alice.create("photo.jpg", data).json
    alice.put_parts(info, data, [1])
    assert len(multipart_uploads(s3, bucket)) == 1
    reply = alice.call("DELETE", f"/v1/uploads/{info['upload_id']}")
    assert (reply.status, reply.json["aborted"]) == (200, True)
    assert multipart_uploads(s3, bucket) == []
    assert alice.call("GET", f"/v1/uploads/{info['upload_id']}/parts").status == 404
    # A single upload that arrived but was cancelled before completion is removed too.
    single = alice.create("note.txt", b"note").json
    put(single["url"], single["headers"], b"note")
    assert alice.call("DELETE", f"/v1/uploads/{single['upload_id']}").status == 200
    assert list_keys(s3, bucket) == []
    assert [e["action"] for e in broker.audit()] == ["upload-abort", "upload-abort"]
    # The name is free again.
    assert alice.upload("note.txt", b"note")["key"] == "uploads/alice/note.txt"


def test_bad_requests_get_plain_answers(broker: Running, alice: Api) -> None:
    from tests.broker.conftest import send

    headers = {"Authorization": f"Bearer {broker.tokens['alice']}"}
    reply = send("POST", broker.url + "/v1/uploads", b"{not json", headers)
    assert (reply.status, reply.json["error"]) == (400, "bad_request")
    reply = send("POST", broker.url + "/v1/uploads", b"[1, 2]", headers)
    assert reply.status == 400
    changes: list[tuple[dict[str, Any], str]] = [
        ({"size": -1}, "'size' must be a whole number"),
        ({"size": "12"}, "'size' must be a whole number"),
        ({"checksum": None}, "'checksum' is required"),
        ({"checksum": {"algorithm": "md5", "value": "AAAA"}}, "crc32"),
        ({"checksum": {"algorithm": "crc32", "value": "!!"}}, "not valid base64"),
        ({"checksum": {"algorithm": "crc32", "value": "AAAAAAAA"}}, "must encode 4 bytes"),
        ({"if_exists": "overwrite"}, "'if_exists'"),
    ]
    for change, words in changes:
        body = {**declaration("a.txt", b"a"), **change}
        reply = alice.call("POST", "/v1/uploads", body)
        assert reply.status == 400, change
        assert words in reply.json["message"]
    reply = alice.call("GET", "/v1/nothing-here")
    assert (reply.status, reply.json["error"]) == (404, "not_found")
    reply = alice.call("PUT", "/v1/uploads")
    assert (reply.status, reply.json["error"]) == (405, "method_not_allowed")


# ---------------------------------------------------------------- the request log


def test_the_request_log_holds_no_token_or_signature(broker: Running, alice: Api) -> None:
    data = jpeg(11 * MiB)
    single = alice.create("one.jpg", jpeg(1000)).json
    multi = alice.create("two.jpg", data).json
    signed = alice.call("POST", f"/v1/uploads/{multi['upload_id']}/parts", {"numbers": [1, 2]})
    Api(broker.url, "s3db_wrong-token-value-123456").call("GET", "/v1/me")
    urls = [single["url"], *(p["url"] for p in signed.json["parts"])]
    signatures = [u.split("X-Amz-Signature=")[1] for u in urls]

    lines = broker.log_lines()
    text = broker.config.request_log.read_text()  # type: ignore[union-attr]
    for secret in [*broker.tokens.values(), "s3db_wrong-token-value-123456", *signatures]:
        assert secret not in text
    assert "X-Amz-Signature" not in text
    assert "X-Amz-Credential" not in text
    requests = [line for line in lines if line["event"] == "request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("POST", "/v1/uploads", 201),
        ("POST", "/v1/uploads", 201),
        ("POST", f"/v1/uploads/{multi['upload_id']}/parts", 200),
        ("GET", "/v1/me", 401),
    ]
    assert [r.get("user") for r in requests] == ["alice", "alice", "alice", None]
    assert requests[-1]["error"] == "unauthorized"
    assert all(isinstance(r["ms"], float) for r in requests)


# ---------------------------------------------------------------- abandoned uploads


def test_the_sweep_checks_or_removes_what_clients_left_behind(
    start_broker: StartBroker, s3: Any, bucket: str
) -> None:
    now = itertools.count(1_000_000_000.0, 0.0)
    offset = [0.0]

    def clock() -> float:
        return next(now) + offset[0]

    broker = start_broker(clock=clock, abandon_after=3600, url_lifetime=900)
    alice = broker.as_user("alice")
    good = jpeg(3000)
    left_good = alice.create("good.jpg", good).json
    put(left_good["url"], left_good["headers"], good)
    left_bad = alice.create("bad.jpg", jpeg(3000)).json
    put(left_bad["url"], {**left_bad["headers"], "Content-Length": "10"}, jpeg(10))
    left_empty = alice.create("never.jpg", jpeg(3000)).json
    multi = alice.create("multi.jpg", jpeg(11 * MiB)).json
    alice.put_parts(multi, jpeg(11 * MiB), [1])

    assert broker.broker.sweep() == dict.fromkeys(
        ("aborted", "verified", "rejected", "forgotten", "failed"), 0
    )
    offset[0] = 10**10  # far beyond every URL's expiry plus abandon_after
    counts = broker.broker.sweep()
    assert counts == {"aborted": 1, "verified": 1, "rejected": 1, "forgotten": 1, "failed": 0}
    assert list_keys(s3, bucket) == ["uploads/alice/good.jpg"]
    assert multipart_uploads(s3, bucket) == []
    results = {(e["key"].rpartition("/")[2], e["result"]) for e in broker.audit()}
    assert results == {("good.jpg", "ok"), ("bad.jpg", "rejected"), ("multi.jpg", "abandoned")}
    assert alice.call("GET", f"/v1/uploads/{left_empty['upload_id']}").status == 404
    done = alice.call("GET", f"/v1/uploads/{left_good['upload_id']}").json
    assert done["state"] == "completed"
    # A second sweep much later forgets the completed record too.
    offset[0] = 2 * 10**10
    assert broker.broker.sweep()["forgotten"] == 1
    assert alice.call("GET", f"/v1/uploads/{left_good['upload_id']}").status == 404


# ---------------------------------------------------------------- trusting the storage


def test_a_checksum_the_storage_reports_is_compared(
    start_broker: StartBroker, s3: Any, bucket: str
) -> None:
    """With ``verifies_checksums`` (AWS S3 refuses bytes that do not match the signed checksum
    header), the service compares the checksum the storage reports instead of downloading.
    moto records the header when the SDK header names the algorithm, without checking it,
    which lets this test make it report a checksum other than the declared one."""
    alice = start_broker(verifies_checksums=True).as_user("alice")
    data = jpeg(3000)
    info = alice.create("good.jpg", data).json
    headers = {**info["headers"], "x-amz-sdk-checksum-algorithm": "CRC32"}
    assert put(info["url"], headers, data).status == 200
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert (done.status, done.json["checksum_verified"]) == (200, True)

    info = alice.create("bad.jpg", data).json
    headers["x-amz-checksum-crc32"] = crc32_b64(b"something else")
    assert put(info["url"], headers, data).status == 200
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert (done.status, done.json["error"]) == (422, "checksum_mismatch")
    assert list_keys(s3, bucket) == ["uploads/alice/good.jpg"]


# ---------------------------------------------------------------- when things break


def test_storage_errors_are_502_with_a_plain_message(start_broker: StartBroker, s3: Any) -> None:
    broker = start_broker(target_bucket="no-such-bucket-for-the-broker")
    reply = broker.as_user("alice").create("photo.jpg", jpeg(11 * MiB))
    assert reply.status == 502
    assert reply.json == {
        "error": "storage_error",
        "message": "The upload service could not use its storage (NoSuchBucket). Try again "
        "later; if it keeps failing, tell the service's administrator",
    }
    [line] = [e for e in broker.log_lines() if e["event"] == "request"]
    assert (line["status"], line["error"]) == (502, "storage_error")
    assert "NoSuchBucket" in line["detail"]
    # Nothing is left reserved: a retry is a fresh start.
    assert broker.broker.records.all() == []


class _Broken:
    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"{name} is broken")


def test_unexpected_errors_are_500_and_logged(start_broker: StartBroker) -> None:
    broker = start_broker(client=_Broken())
    reply = broker.as_user("alice").create("photo.jpg", jpeg(100))
    assert reply.status == 500
    assert reply.json["error"] == "internal"
    events = {e["event"]: e for e in broker.log_lines()}
    assert "head_object is broken" in events["error"]["traceback"]
    assert events["request"]["status"] == 500
    assert broker.broker.records.all() == []  # the name it was about to reserve is free again
