"""The bucket CORS configuration that lets web pages at given origins upload and download.

The desktop app does not need CORS: only browsers enforce it. A web page that uploads
with pre-signed URLs does, and it must be able to read the ETag of every part to complete
a multipart upload, and the checksum headers to compare what S3 stored with what it sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CORSConfigurationTypeDef, CORSRuleTypeDef

# The rule s3desk writes carries this ID, so `s3desk admin check --fix` finds it again.
RULE_ID = "s3desk-web-uploads"
DEFAULT_MAX_AGE = 3000  # seconds a browser may cache the preflight answer
# PUT: PutObject and UploadPart; POST: Create/CompleteMultipartUpload and form uploads;
# GET and HEAD: downloads and checks before writing.
UPLOAD_METHODS = ("GET", "HEAD", "PUT", "POST")
EXPOSED_HEADERS = (
    "ETag",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-checksum-type",
    "x-amz-version-id",
)
_HOST = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def check_origin(origin: str) -> str:
    """``origin`` as browsers send it (scheme://host[:port], lower case, no path), or
    ValueError saying what is wrong. One leading "*." is allowed for subdomains."""
    text = origin.strip().rstrip("/")
    if text == "*":
        raise ValueError(
            "An origin of '*' lets every web site's pages use the bucket; "
            "name the sites, e.g. --origin https://app.example.com"
        )
    parts = urlsplit(text.lower())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Origin {origin!r} must look like https://app.example.com")
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"Origin {origin!r} must be only scheme://host[:port], without a path")
    host, _, port = parts.netloc.partition(":")
    if not _HOST.fullmatch(host) or (port and not port.isdigit()):
        raise ValueError(f"Origin {origin!r} has no valid host name")
    return f"{parts.scheme}://{parts.netloc}"


def upload_rule(
    origins: Iterable[str], *, max_age: int = DEFAULT_MAX_AGE, allow_delete: bool = False
) -> CORSRuleTypeDef:
    """One CORS rule for ``origins``. ``allow_delete`` adds DELETE, which a page needs to
    abort a multipart upload it gives up on."""
    checked = sorted({check_origin(o) for o in origins})
    if not checked:
        raise ValueError("Give at least one --origin, e.g. https://app.example.com")
    if max_age < 0:
        raise ValueError("--max-age must be 0 or more seconds")
    methods = [*UPLOAD_METHODS, "DELETE"] if allow_delete else list(UPLOAD_METHODS)
    return {
        "ID": RULE_ID,
        "AllowedOrigins": checked,
        "AllowedMethods": methods,
        # Browsers preflight every header a page sets (content type, checksums, metadata,
        # the SDK's own); CORS decides what a page may read, not what S3 allows.
        "AllowedHeaders": ["*"],
        "ExposeHeaders": list(EXPOSED_HEADERS),
        "MaxAgeSeconds": max_age,
    }


def build_cors(
    origins: Iterable[str], *, max_age: int = DEFAULT_MAX_AGE, allow_delete: bool = False
) -> CORSConfigurationTypeDef:
    """The configuration as ``aws s3api put-bucket-cors --cors-configuration`` takes it."""
    return {"CORSRules": [upload_rule(origins, max_age=max_age, allow_delete=allow_delete)]}


def cors_json(
    origins: Iterable[str], *, max_age: int = DEFAULT_MAX_AGE, allow_delete: bool = False
) -> str:
    return json.dumps(build_cors(origins, max_age=max_age, allow_delete=allow_delete), indent=2)
