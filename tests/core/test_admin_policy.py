"""The IAM policies and CORS rules ``s3desk admin`` prints: their shape, and proof that the
policies let s3desk do its work and nothing more, on a moto server that enforces IAM.

moto's IAM enforcement is a process-wide switch read at start-up, so it runs in a moto
server process of its own, never in the suite's shared in-process server. That moto
checks actions, resources and signatures; it does not evaluate conditions in identity
policies (so the s3:prefix limit on listing is shown by the policy's shape only), it
authorizes DeleteObjects against the bucket rather than each key, and it cannot serve
pre-signed URLs with enforcement on; the tests prove what it does enforce.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from s3desk.core.admin.cors import EXPOSED_HEADERS, build_cors, check_origin
from s3desk.core.admin.policy import Role, build_policy, normalize_prefix, policy_json
from s3desk.core.bucket.browse import list_page
from s3desk.core.bucket.incomplete_uploads import list_incomplete_uploads
from s3desk.core.bucket.versions import list_versions, restore_version
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.core.storage.errors import describe_error
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.helpers import list_keys, read_object
from tests.servers import MotoIamServer

BUCKET = "policy-proof"
PREFIX = "team/"
ROLES = list(Role)
DENIED = (
    f"Access denied: these credentials may not write to '{BUCKET}'. "
    "Ask your administrator for upload permission"
)
SMALL_PARTS = EngineConfig(concurrency=4, multipart_threshold=5 * MiB, part_size=5 * MiB)


def _actions(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] for a in s["Action"]}


# -- the policies' shape ---------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "team/", "a/b c/"])
@pytest.mark.parametrize("role", ROLES)
def test_no_policy_grants_wildcard_actions_or_resources(role: Role, prefix: str) -> None:
    policy = build_policy(BUCKET, prefix, role)
    assert policy["Version"] == "2012-10-17"
    allowed_resources = {f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/{prefix}*"}
    seen: list[str] = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] in allowed_resources
        for action in statement["Action"]:
            assert action.startswith("s3:") and "*" not in action and "?" not in action
            seen.append(action)
    assert len(seen) == len(set(seen)), "each action is granted once"


def test_roles_build_on_each_other() -> None:
    uploader, browser, manager, broker = (_actions(build_policy(BUCKET, PREFIX, r)) for r in ROLES)
    assert uploader == {
        "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:GetObject",
    }  # fmt: skip
    assert browser - uploader == {
        "s3:ListBucket", "s3:ListBucketVersions", "s3:GetObjectVersion",
    }  # fmt: skip
    assert manager - browser == {
        "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucketMultipartUploads",
    }  # fmt: skip
    assert broker == uploader  # signs what an uploader would send; lists and deletes nothing


def test_listing_is_limited_to_the_prefix_by_condition() -> None:
    listing = next(
        s for s in build_policy(BUCKET, "team", Role.BROWSER)["Statement"]
        if "s3:ListBucket" in s["Action"]
    )  # fmt: skip
    assert listing["Resource"] == f"arn:aws:s3:::{BUCKET}"
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["team/", "team/*"]}}
    whole = build_policy(BUCKET, "", Role.BROWSER)["Statement"]
    assert all("Condition" not in s for s in whole)


def test_prefix_means_a_folder() -> None:
    assert normalize_prefix("team") == "team/"
    assert normalize_prefix("/team/") == "team/"
    assert normalize_prefix("  ") == ""
    resources = {s["Resource"] for s in build_policy(BUCKET, "team", Role.UPLOADER)["Statement"]}
    assert resources == {f"arn:aws:s3:::{BUCKET}/team/*"}  # not team2/


@pytest.mark.parametrize(
    ("bucket", "prefix", "complaint"),
    [
        ("my*bucket", "", "not a valid bucket name"),
        ("arn:aws:s3:::x", "", "not a valid bucket name"),
        ("ok-bucket", "uploads/*", "wildcards"),
        ("ok-bucket", "${aws:username}/", "wildcards"),
        ("ok-bucket", "what?/", "wildcards"),
    ],
)
def test_names_iam_would_misread_are_refused(bucket: str, prefix: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint.replace("?", r"\?")):
        build_policy(bucket, prefix, Role.UPLOADER)


def test_partition_and_json_output() -> None:
    policy = json.loads(policy_json(BUCKET, "x", "manager", partition="aws-cn"))
    assert {s["Resource"] for s in policy["Statement"]} == {
        f"arn:aws-cn:s3:::{BUCKET}", f"arn:aws-cn:s3:::{BUCKET}/x/*",
    }  # fmt: skip
    with pytest.raises(ValueError, match="Partition"):
        build_policy(BUCKET, "", Role.UPLOADER, partition="moon")
    with pytest.raises(ValueError):
        build_policy(BUCKET, "", "admin")


# -- CORS ------------------------------------------------------------------------------------


def test_cors_configuration_is_what_s3_accepts(s3: Any, bucket: str) -> None:
    config = build_cors(["https://app.example.com", "http://localhost:8080"], max_age=600)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=config)
    (rule,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == ["http://localhost:8080", "https://app.example.com"]
    assert sorted(rule["AllowedMethods"]) == ["GET", "HEAD", "POST", "PUT"]
    assert rule["ExposeHeaders"][0] == "ETag"
    assert set(rule["ExposeHeaders"]) == set(EXPOSED_HEADERS)
    assert {"x-amz-checksum-crc32", "x-amz-checksum-sha256"} <= set(rule["ExposeHeaders"])
    assert rule["MaxAgeSeconds"] == 600
    with_delete = build_cors(["https://a.example"], allow_delete=True)["CORSRules"][0]
    assert "DELETE" in with_delete["AllowedMethods"]


@pytest.mark.parametrize(
    "origin",
    ["*", "app.example.com", "ftp://app.example.com", "https://app.example.com/upload",
     "https://user@app.example.com", "https://bad_host", "https://x.example.com:port"],
)  # fmt: skip
def test_origins_must_be_scheme_and_host(origin: str) -> None:
    with pytest.raises(ValueError):
        check_origin(origin)


def test_origins_are_written_as_browsers_send_them() -> None:
    assert check_origin("HTTPS://App.Example.com/") == "https://app.example.com"
    assert check_origin("https://*.example.com") == "https://*.example.com"
    assert check_origin("http://127.0.0.1:5173") == "http://127.0.0.1:5173"
    with pytest.raises(ValueError, match="at least one"):
        build_cors([])


# -- proof on a moto server that enforces IAM ------------------------------------------------


@pytest.fixture(scope="module")
def iam_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoIamServer]:
    server = MotoIamServer(tmp_path_factory.mktemp("moto-iam") / "server.log")
    try:
        server.s3.create_bucket(Bucket=BUCKET)
        server.s3.put_bucket_versioning(
            Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"}
        )
        server.s3.create_bucket(Bucket="another-bucket")
        for bucket, key in ((BUCKET, "team/existing.txt"), (BUCKET, "other/secret.txt"),
                            ("another-bucket", "team/existing.txt")):  # fmt: skip
            server.s3.put_object(Bucket=bucket, Key=key, Body=b"there before")
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def role_endpoints(iam_server: MotoIamServer) -> dict[Role, S3Endpoint]:
    return {role: iam_server.user(role.value, build_policy(BUCKET, PREFIX, role)) for role in Role}


def _write(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def _denied(call: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    assert describe_error(caught.value, BUCKET) == DENIED
    return caught.value


def _upload(endpoint: S3Endpoint, files: dict[str, Path], config: EngineConfig) -> dict[str, Any]:
    engine = UploadEngine(endpoint, config)
    try:
        ids = {key: engine.submit_file(path, BUCKET, key) for key, path in files.items()}
        assert engine.wait(60)
        return {key: engine.job(job_id) for key, job_id in ids.items()}
    finally:
        engine.shutdown()


def test_the_admin_server_refuses_unknown_keys(iam_server: MotoIamServer) -> None:
    """Enforcement is on: the setup's root credentials no longer work."""
    root = replace(iam_server.endpoint(), access_key="testing", secret_key="testing")
    with pytest.raises(ClientError) as caught:
        make_client(root, 1, attempts=1).list_objects_v2(Bucket=BUCKET)
    assert caught.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_uploader_uploads_small_and_multipart_files_with_the_engine(
    iam_server: MotoIamServer, role_endpoints: dict[Role, S3Endpoint], tmp_path: Path
) -> None:
    small = _write(tmp_path / "small.txt", 3000)
    large = _write(tmp_path / "large.bin", 12 * MiB)  # three parts
    jobs = _upload(
        role_endpoints[Role.UPLOADER],
        {"team/up/small.txt": tmp_path / "small.txt", "team/up/large.bin": tmp_path / "large.bin"},
        SMALL_PARTS,
    )
    assert {k: (j.state, j.error) for k, j in jobs.items()} == {
        "team/up/small.txt": (JobState.DONE, ""), "team/up/large.bin": (JobState.DONE, ""),
    }  # fmt: skip
    assert read_object(iam_server.s3, BUCKET, "team/up/small.txt") == small
    assert read_object(iam_server.s3, BUCKET, "team/up/large.bin") == large


def test_uploader_may_check_names_so_keep_both_works(
    iam_server: MotoIamServer, role_endpoints: dict[Role, S3Endpoint], tmp_path: Path
) -> None:
    """The reason the uploader holds s3:GetObject: the HEAD before a write that must not
    overwrite. With it, "keep both" finds the free name."""
    new = _write(tmp_path / "existing.txt", 100)
    config = replace(SMALL_PARTS, conflict=ConflictPolicy.RENAME)
    files = {"team/existing.txt": tmp_path / "existing.txt"}
    jobs = _upload(role_endpoints[Role.UPLOADER], files, config)
    job = jobs["team/existing.txt"]
    assert (job.state, job.error, job.key) == (JobState.DONE, "", "team/existing (1).txt")
    assert read_object(iam_server.s3, BUCKET, "team/existing.txt") == b"there before"
    assert read_object(iam_server.s3, BUCKET, "team/existing (1).txt") == new


def test_uploader_resumes_and_cancels_multipart_uploads(
    iam_server: MotoIamServer, role_endpoints: dict[Role, S3Endpoint]
) -> None:
    client = make_client(role_endpoints[Role.UPLOADER], 1, attempts=1)
    key = "team/resume.bin"
    upload_id = client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    client.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 10)
    parts = client.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1]
    client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)
    with pytest.raises(ClientError, match="NoSuchUpload"):
        iam_server.s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id)


def test_uploader_may_not_upload_list_read_or_delete_beyond_its_rights(
    iam_server: MotoIamServer, role_endpoints: dict[Role, S3Endpoint], tmp_path: Path
) -> None:
    endpoint = role_endpoints[Role.UPLOADER]
    _write(tmp_path / "small.txt", 10)
    _write(tmp_path / "large.bin", 6 * MiB)
    jobs = _upload(
        endpoint,
        {"other/small.txt": tmp_path / "small.txt", "other/large.bin": tmp_path / "large.bin"},
        SMALL_PARTS,
    )
    assert {k: (j.state, j.error) for k, j in jobs.items()} == {
        "other/small.txt": (JobState.FAILED, DENIED), "other/large.bin": (JobState.FAILED, DENIED),
    }  # fmt: skip
    client = make_client(endpoint, 1, attempts=1)
    _denied(lambda: list_page(client, BUCKET, PREFIX))
    _denied(lambda: client.get_object(Bucket=BUCKET, Key="other/secret.txt"))
    _denied(lambda: client.delete_object(Bucket=BUCKET, Key="team/existing.txt"))
    _denied(lambda: client.put_object(Bucket="another-bucket", Key="team/x.txt", Body=b"x"))
    assert list_keys(iam_server.s3, BUCKET, "other/") == ["other/secret.txt"]
    assert read_object(iam_server.s3, BUCKET, "team/existing.txt") == b"there before"


def test_browser_lists_and_reads_its_prefix_and_nothing_else(
    iam_server: MotoIamServer, role_endpoints: dict[Role, S3Endpoint]
) -> None:
    client = make_client(role_endpoints[Role.BROWSER], 1, attempts=1)
    iam_server.s3.put_object(Bucket=BUCKET, Key="team/browse/a.txt", Body=b"first")
    iam_server.s3.put_object(Bucket=BUCKET, Key="team/browse/a.txt", Body=b"second")

    page = list_page(client, BUCKET, "team/browse/")
    assert [e.name for e in page.entries] == ["a.txt"]
    versions = list_versions(client, BUCKET, "team/browse/a.txt")
    assert len(versions) == 2
    older = next(v for v in versions if not v.is_latest)
    old = client.get_object(Bucket=BUCKET, Key="team/browse/a.txt", VersionId=older.version_id)
    assert old["Body"].read() == b"first"
    assert read_object(client, BUCKET, "team/browse/a.txt") == b"second"

    _denied(lambda: client.get_object(Bucket=BUCKET, Key="other/secret.txt"))
    _denied(lambda: client.delete_object(Bucket=BUCKET, Key="team/browse/a.txt"))
    _denied(lambda: client.list_objects_v2(Bucket="another-bucket", Prefix=PREFIX))
    _denied(lambda: client.get_object(Bucket="another-bucket", Key="team/existing.txt"))
    assert read_object(iam_server.s3, BUCKET, "team/browse/a.txt") == b"second"


def test_manager_deletes_and_restores_in_its_prefix_only(
    iam_server: MotoIamServer, role_endpoints: dict[Role, S3Endpoint]
) -> None:
    client = make_client(role_endpoints[Role.MANAGER], 1, attempts=1)
    admin = iam_server.s3
    first = admin.put_object(Bucket=BUCKET, Key="team/manage/a.txt", Body=b"first")
    admin.put_object(Bucket=BUCKET, Key="team/manage/a.txt", Body=b"second")
    admin.put_object(Bucket=BUCKET, Key="other/keep.txt", Body=b"keep")

    restore_version(client, BUCKET, "team/manage/a.txt", first["VersionId"])
    assert read_object(admin, BUCKET, "team/manage/a.txt") == b"first"
    client.delete_object(Bucket=BUCKET, Key="team/manage/a.txt")
    assert list_keys(admin, BUCKET, "team/manage/") == []
    client.delete_object(Bucket=BUCKET, Key="team/manage/a.txt", VersionId=first["VersionId"])
    left = list_versions(admin, BUCKET, "team/manage/a.txt")
    assert first["VersionId"] not in {v.version_id for v in left}

    upload_id = admin.create_multipart_upload(Bucket=BUCKET, Key="team/manage/big.bin")["UploadId"]
    incomplete = list_incomplete_uploads(client, BUCKET, "team/manage/")
    assert [u.upload_id for u in incomplete] == [upload_id]

    _denied(lambda: client.delete_object(Bucket=BUCKET, Key="other/keep.txt"))
    _denied(lambda: client.delete_object(Bucket="another-bucket", Key="team/existing.txt"))
    assert read_object(admin, BUCKET, "other/keep.txt") == b"keep"


def test_broker_verifies_uploads_but_lists_and_deletes_nothing(
    iam_server: MotoIamServer, role_endpoints: dict[Role, S3Endpoint]
) -> None:
    """What the broker's pre-signed URLs can do is what its own requests can do (moto
    cannot serve pre-signed URLs with enforcement on, so its keys are used directly)."""
    client = make_client(role_endpoints[Role.BROKER], 1, attempts=1)
    client.put_object(Bucket=BUCKET, Key="team/broker/a.txt", Body=b"signed")
    assert client.head_object(Bucket=BUCKET, Key="team/broker/a.txt")["ContentLength"] == 6
    upload_id = client.create_multipart_upload(Bucket=BUCKET, Key="team/broker/b.bin")["UploadId"]
    client.list_parts(Bucket=BUCKET, Key="team/broker/b.bin", UploadId=upload_id)
    client.abort_multipart_upload(Bucket=BUCKET, Key="team/broker/b.bin", UploadId=upload_id)

    _denied(lambda: client.list_objects_v2(Bucket=BUCKET, Prefix="team/broker/"))
    _denied(lambda: client.delete_object(Bucket=BUCKET, Key="team/broker/a.txt"))
    with pytest.raises(ClientError) as caught:  # a HEAD's refusal has no body, only 403
        client.head_object(Bucket=BUCKET, Key="other/secret.txt")
    assert caught.value.response["Error"]["Code"] == "403"
    assert read_object(iam_server.s3, BUCKET, "team/broker/a.txt") == b"signed"
