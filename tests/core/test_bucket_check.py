"""Checking a bucket's settings and applying the recommended ones, over HTTP against moto.

moto implements all six settings (versioning, default encryption, public access block,
CORS, lifecycle, ownership controls), so every finding can be read and fixed for real.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.admin.bucket_check import (
    ABORT_RULE_ID,
    SETTINGS,
    BucketCheckError,
    Finding,
    Status,
    apply_fix,
    apply_fixes,
    check_bucket,
)
from s3desk.core.admin.cors import RULE_ID
from s3desk.core.storage.endpoint import custom_endpoint, make_client
from tests.servers import MotoIamServer

APP = "https://app.example.com"


def _by_setting(findings: list[Finding]) -> dict[str, Finding]:
    return {f.setting: f for f in findings}


def _statuses(findings: list[Finding]) -> dict[str, Status]:
    return {f.setting: f.status for f in findings}


def test_a_fresh_bucket_needs_five_settings(s3: Any, bucket: str) -> None:
    findings = _by_setting(check_bucket(s3, bucket))
    assert list(findings) == list(SETTINGS)
    assert {k: f.status for k, f in findings.items()} == {
        "versioning": Status.PROBLEM, "encryption": Status.PROBLEM,
        "public-access": Status.PROBLEM, "cors": Status.OK, "lifecycle": Status.PROBLEM,
        "ownership": Status.PROBLEM,
    }  # fmt: skip
    assert findings["versioning"].message.startswith("Versioning is off")
    assert "unencrypted" in findings["encryption"].message
    assert findings["public-access"].message.startswith("Public access is not blocked")
    assert "desktop app does not need" in findings["cors"].message
    assert "billed" in findings["lifecycle"].message
    assert findings["ownership"].message.startswith("Object ownership is not set")
    assert all(f.fix for f in findings.values() if f.status is Status.PROBLEM)
    assert findings["cors"].fix == ""


def test_fix_turns_every_finding_green(s3: Any, bucket: str) -> None:
    findings = check_bucket(s3, bucket, [APP])
    assert _statuses(findings)["cors"] is Status.PROBLEM
    outcomes = apply_fixes(s3, bucket, findings, [APP])
    assert [(o.setting, o.ok) for o in outcomes] == [(s, True) for s in SETTINGS]
    after = check_bucket(s3, bucket, [APP])
    assert _statuses(after) == dict.fromkeys(SETTINGS, Status.OK)
    assert all(f.fix == "" for f in after)

    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert ownership["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["ID"] == ABORT_RULE_ID and rule["Status"] == "Enabled"
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert cors["ID"] == RULE_ID and cors["AllowedOrigins"] == [APP]


def test_fix_keeps_existing_lifecycle_and_cors_rules(s3: Any, bucket: str) -> None:
    lifecycle = [
        {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Expiration": {"Days": 30}},
        {"ID": "archive-tagged", "Status": "Enabled",
         "Filter": {"And": {"Prefix": "a/", "Tags": [{"Key": "k", "Value": "v"}]}},
         "Transitions": [{"Days": 40, "StorageClass": "GLACIER"}]},
        {"ID": "abort-under-uploads", "Status": "Enabled", "Filter": {"Prefix": "uploads/"},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
    ]  # fmt: skip
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": lifecycle}
    )
    viewer = {"ID": "viewer", "AllowedOrigins": ["https://viewer.example"],
              "AllowedMethods": ["GET"], "MaxAgeSeconds": 60}  # fmt: skip
    legacy = {"ID": "legacy", "AllowedOrigins": ["https://legacy.example"],
              "AllowedMethods": ["PUT", "GET"], "ExposeHeaders": ["x-amz-request-id"]}  # fmt: skip
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [viewer, legacy]})

    findings = _by_setting(check_bucket(s3, bucket, [APP]))
    assert findings["lifecycle"].status is Status.PROBLEM
    assert "only under 'uploads/'" in findings["lifecycle"].message
    assert "the 3 existing rules stay as they are" in findings["lifecycle"].fix
    cors = findings["cors"]
    assert cors.status is Status.PROBLEM
    assert "https://legacy.example do not expose the ETag header" in cors.message
    assert f"no CORS rule lets web pages at {APP} upload" in cors.message
    assert "the other rule stays as it is" in cors.fix

    apply_fixes(s3, bucket, findings.values(), [APP])
    assert _statuses(check_bucket(s3, bucket, [APP])) == dict.fromkeys(SETTINGS, Status.OK)
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[:3] == lifecycle
    assert [r["ID"] for r in rules] == [*(r["ID"] for r in lifecycle), ABORT_RULE_ID]
    cors_rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert [r["ID"] for r in cors_rules] == ["viewer", "legacy", RULE_ID]
    assert cors_rules[0] == viewer
    assert {k: v for k, v in cors_rules[1].items() if k != "ExposeHeaders"} == {
        k: v for k, v in legacy.items() if k != "ExposeHeaders"
    }
    assert cors_rules[1]["ExposeHeaders"][:2] == ["x-amz-request-id", "ETag"]
    assert "x-amz-checksum-crc32" in cors_rules[1]["ExposeHeaders"]


def test_fixing_again_adds_nothing_twice(s3: Any, bucket: str) -> None:
    apply_fixes(s3, bucket, check_bucket(s3, bucket, [APP]), [APP])
    for setting in SETTINGS:
        apply_fix(s3, bucket, setting, [APP])
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]) == 1
    assert len(s3.get_bucket_cors(Bucket=bucket)["CORSRules"]) == 1
    assert apply_fixes(s3, bucket, check_bucket(s3, bucket, [APP]), [APP]) == []


def test_a_new_origin_joins_the_rule_s3desk_wrote(s3: Any, bucket: str) -> None:
    apply_fix(s3, bucket, "cors", [APP])
    other = "https://second.example.com"
    cors = _by_setting(check_bucket(s3, bucket, [APP, other]))["cors"]
    assert cors.status is Status.PROBLEM
    assert cors.fix == f"Add '{RULE_ID}' for {other}"
    apply_fix(s3, bucket, "cors", [other])
    (rule,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == [APP, other]
    assert _by_setting(check_bucket(s3, bucket, [APP, other]))["cors"].status is Status.OK


def test_a_wildcard_origin_rule_covers_its_subdomains(s3: Any, bucket: str) -> None:
    rule = {
        "AllowedOrigins": ["https://*.example.com"],
        "AllowedMethods": ["GET", "HEAD", "PUT", "POST"],
        "ExposeHeaders": ["ETag"],
    }
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
    assert _by_setting(check_bucket(s3, bucket, [APP]))["cors"].status is Status.OK
    elsewhere = _by_setting(check_bucket(s3, bucket, ["https://example.org"]))["cors"]
    assert elsewhere.status is Status.PROBLEM


def test_half_measures_are_named(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": False, "RestrictPublicBuckets": False,
        },
    )  # fmt: skip
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [
            {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": ""},
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
        ]},
    )  # fmt: skip
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    findings = _by_setting(check_bucket(s3, bucket))
    assert findings["versioning"].message.startswith("Versioning is suspended")
    assert "(BlockPublicPolicy, RestrictPublicBuckets off)" in findings["public-access"].message
    assert findings["lifecycle"].status is Status.PROBLEM  # a disabled rule removes nothing
    assert findings["ownership"].message.startswith("Object ownership is ObjectWriter")
    assert all(f.status is Status.PROBLEM for k, f in findings.items() if k != "cors")


def test_kms_encryption_counts_as_encrypted(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    encryption = _by_setting(check_bucket(s3, bucket))["encryption"]
    assert (encryption.status, encryption.fix) == (Status.OK, "")
    assert "(SSE-KMS)" in encryption.message


def test_a_missing_bucket_is_an_error(s3: Any) -> None:
    with pytest.raises(BucketCheckError, match="Bucket 'no-such-bucket-here' does not exist"):
        check_bucket(s3, "no-such-bucket-here")


def test_an_unreachable_service_is_an_error() -> None:
    client = make_client(custom_endpoint("http://127.0.0.1:9", region="us-east-1"), 1, attempts=1)
    with pytest.raises(BucketCheckError, match="Cannot reach the storage service"):
        check_bucket(client, "any-bucket")


# -- settings that cannot be read are never reported as fine ----------------------------------


class _NotImplementedHandler(BaseHTTPRequestHandler):
    """An S3 service that offers none of the settings, as some S3-compatible ones answer."""

    def _refuse(self) -> None:
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code>'
            b"<Message>A header you provided implies functionality that is not implemented"
            b"</Message></Error>"
        )
        self.send_response(501)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = _refuse

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def bare_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotImplementedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_settings_a_service_does_not_offer_are_unknown(bare_service: str) -> None:
    client = make_client(custom_endpoint(bare_service, region="us-east-1"), 1, attempts=1)
    findings = check_bucket(client, "some-bucket")
    assert _statuses(findings) == dict.fromkeys(SETTINGS, Status.UNKNOWN)
    assert findings[0].message == (
        "Versioning could not be checked: this storage service does not offer the setting."
    )
    assert all(f.fix == "" for f in findings)
    assert apply_fixes(client, "some-bucket", findings) == []


def test_refused_reads_and_writes_name_the_permission(tmp_path: Path) -> None:
    server = MotoIamServer(tmp_path / "moto.log")
    try:
        server.s3.create_bucket(Bucket="guarded")
        arn = "arn:aws:s3:::guarded"

        def user(name: str, *actions: str) -> Any:
            policy = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": arn}],
            }
            return make_client(server.user(name, policy), 1, attempts=1)

        readers = user("readers", "s3:GetBucketVersioning", "s3:GetBucketCORS", "s3:ListBucket")
        findings = _by_setting(check_bucket(readers, "guarded"))
        assert findings["versioning"].status is Status.PROBLEM
        assert findings["cors"].status is Status.OK
        lifecycle = findings["lifecycle"]
        assert lifecycle.status is Status.UNKNOWN
        assert lifecycle.message == (
            "Incomplete multipart uploads could not be checked: access denied "
            "(reading it needs s3:GetLifecycleConfiguration)."
        )
        (outcome,) = apply_fixes(readers, "guarded", [findings["versioning"]])
        assert not outcome.ok
        assert outcome.message == "Access denied: changing this needs s3:PutBucketVersioning"
        assert server.s3.get_bucket_versioning(Bucket="guarded").get("Status") is None

        stranger = user("stranger", "s3:GetObject")
        with pytest.raises(BucketCheckError, match=r"Access denied: .* bucket 'guarded'"):
            check_bucket(stranger, "guarded")
    finally:
        server.close()
