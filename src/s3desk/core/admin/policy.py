"""Least-privilege IAM policies for one bucket and prefix, one per way s3desk is used.

Each role holds exactly the actions its requests need, on the bucket's ARN or on the keys
under the prefix; never ``s3:*`` and never a ``*`` resource. The roles build on each other:

- **uploader** — what an upload sends: PutObject (which also authorizes
  CreateMultipartUpload, UploadPart and CompleteMultipartUpload), ListMultipartUploadParts
  (resuming after a crash asks which parts arrived) and AbortMultipartUpload (cancel), plus
  s3:GetObject. The engine HEADs a key before writing it when a file must not overwrite
  what is there: the window's default "ask", "keep both" (name (1).ext) and "skip". S3 has
  no HEAD-only permission; HeadObject is authorized by s3:GetObject. Without it the HEAD is
  refused and the engine counts the name as free; single-request writes still carry
  If-None-Match (skip skips, keep both numbers on, ask asks), but a multipart upload under
  "ask" would replace the object. So the uploader may also read back what is in its prefix.
- **browser** — adds listing the prefix (s3:ListBucket and s3:ListBucketVersions, limited
  by an s3:prefix condition) and reading older versions (s3:GetObjectVersion).
- **manager** — adds deleting (s3:DeleteObject, s3:DeleteObjectVersion) and listing
  incomplete multipart uploads (s3:ListBucketMultipartUploads). Restoring a version copies
  it onto its key, which PutObject and GetObjectVersion already allow. AWS offers no
  s3:prefix condition for ListBucketMultipartUploads, so a manager sees the key names of
  unfinished uploads in the whole bucket (names only, not contents).
- **broker** — a service that signs URLs for others: PutObject, the multipart actions and
  s3:GetObject to verify what arrived. It lists and deletes nothing.

A bucket encrypted with a customer-managed KMS key also needs kms:GenerateDataKey and
kms:Decrypt on that key, which is outside the bucket's policy and not generated here.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any

POLICY_VERSION = "2012-10-17"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


class Role(StrEnum):
    UPLOADER = "uploader"
    BROWSER = "browser"
    MANAGER = "manager"
    BROKER = "broker"


# Bucket names S3 has accepted, including legacy us-east-1 names with capitals and "_".
_BUCKET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]")
# IAM reads these in ARNs as wildcards (* ?) or policy variables (${...}).
_IAM_SPECIAL = frozenset("*?$")

_UPLOAD_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")
_LIST_ACTIONS = ("s3:ListBucket", "s3:ListBucketVersions")
_DELETE_ACTIONS = ("s3:DeleteObject", "s3:DeleteObjectVersion")


def normalize_prefix(prefix: str) -> str:
    """The prefix as a folder: no leading slash, one trailing slash ("" for the whole bucket).
    "inbox" means the folder inbox/, so the policy does not reach inbox2/ as well."""
    prefix = prefix.strip().lstrip("/")
    if not prefix:
        return ""
    if _IAM_SPECIAL & set(prefix):
        raise ValueError(
            f"The prefix {prefix!r} contains * ? or $, which IAM policies read as wildcards "
            "or variables; choose a prefix without them"
        )
    return prefix if prefix.endswith("/") else prefix + "/"


def check_bucket_name(bucket: str) -> str:
    bucket = bucket.strip()
    if not _BUCKET_NAME.fullmatch(bucket):
        raise ValueError(f"'{bucket}' is not a valid bucket name")
    return bucket


def build_policy(
    bucket: str, prefix: str = "", role: Role | str = Role.UPLOADER, *, partition: str = "aws"
) -> dict[str, Any]:
    """The IAM policy document for ``role`` on ``bucket`` under ``prefix``."""
    bucket = check_bucket_name(bucket)
    prefix = normalize_prefix(prefix)
    role = Role(role)
    if partition not in PARTITIONS:
        raise ValueError(f"Partition must be one of {', '.join(PARTITIONS)}, not {partition!r}")
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    objects_arn = f"{bucket_arn}/{prefix}*"

    def on_objects(sid: str, *actions: str) -> dict[str, Any]:
        return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": objects_arn}

    if role is Role.BROKER:
        return _document(
            on_objects("SignUploads", *_UPLOAD_ACTIONS),
            on_objects("VerifyUploads", "s3:GetObject"),
        )
    statements = [on_objects("Upload", *_UPLOAD_ACTIONS)]
    if role is Role.UPLOADER:
        statements.append(on_objects("CheckNamesBeforeUpload", "s3:GetObject"))
        return _document(*statements)
    statements.append(on_objects("ReadObjects", "s3:GetObject", "s3:GetObjectVersion"))
    listing: dict[str, Any] = {
        "Sid": "ListPrefix",
        "Effect": "Allow",
        "Action": list(_LIST_ACTIONS),
        "Resource": bucket_arn,
    }
    if prefix:
        # Listing the folder itself ("inbox/") and anything below it; no prefix at all,
        # or another folder, is refused.
        listing["Condition"] = {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}}
    statements.append(listing)
    if role is Role.MANAGER:
        statements.append(on_objects("DeleteObjectsAndVersions", *_DELETE_ACTIONS))
        statements.append(
            {
                "Sid": "ListIncompleteUploads",
                "Effect": "Allow",
                "Action": ["s3:ListBucketMultipartUploads"],
                "Resource": bucket_arn,
            }
        )
    return _document(*statements)


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def policy_json(
    bucket: str, prefix: str = "", role: Role | str = Role.UPLOADER, *, partition: str = "aws"
) -> str:
    return json.dumps(build_policy(bucket, prefix, role, partition=partition), indent=2)
