"""Check a bucket's settings against what s3desk recommends, and apply the recommendations.

Six settings, each a Finding that is OK, a PROBLEM (with the change that fixes it) or
UNKNOWN (it could not be read: access denied, or the service does not offer the setting;
never reported as OK). Fixes never throw away what is configured: lifecycle and CORS rules
are merged with the bucket's own, re-read just before writing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from s3desk.core.admin.cors import EXPOSED_HEADERS, RULE_ID, UPLOAD_METHODS, check_origin
from s3desk.core.admin.cors import upload_rule as cors_upload_rule
from s3desk.core.storage.errors import describe_error

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import (
        CORSRuleUnionTypeDef,
        GetBucketLifecycleConfigurationOutputTypeDef,
        LifecycleRuleOutputTypeDef,
        LifecycleRuleTypeDef,
        PublicAccessBlockConfigurationTypeDef,
        PutBucketLifecycleConfigurationRequestTypeDef,
    )

# The lifecycle rule s3desk adds; found again by its ID.
ABORT_RULE_ID = "s3desk-abort-incomplete-multipart-uploads"
ABORT_AFTER_DAYS = 7
PUBLIC_ACCESS_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)

_DENIED = frozenset({"403", "AccessDenied", "AllAccessDisabled"})
_UNSUPPORTED = frozenset(
    {"501", "NotImplemented", "405", "MethodNotAllowed", "UnsupportedOperation"}
)
_Answer = TypeVar("_Answer")


class Status(StrEnum):
    OK = "ok"
    PROBLEM = "problem"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Finding:
    setting: str  # "versioning", "encryption", ...: what apply_fix() takes
    title: str
    status: Status
    message: str  # one plain sentence
    fix: str = ""  # what --fix would change; empty when there is nothing to change


@dataclass(frozen=True)
class FixOutcome:
    setting: str
    title: str
    ok: bool
    message: str


class BucketCheckError(Exception):
    """The bucket cannot be checked at all (missing, access denied, unreachable)."""


Origins = tuple[str, ...]
Verdict = tuple[Status, str, str]  # status, one sentence, the fix (when a problem)


@dataclass(frozen=True)
class _Setting:
    key: str
    title: str
    read_permission: str
    write_permission: str
    check: Callable[[S3Client, str, Origins], Verdict]
    apply: Callable[[S3Client, str, Origins], None]


def check_bucket(client: S3Client, bucket: str, origins: Iterable[str] = ()) -> list[Finding]:
    """Every setting's finding. ``origins``: web pages that should be able to upload
    (CORS); without them, CORS is fine as long as upload rules expose ETag.

    Raises BucketCheckError when the bucket is missing, every setting is refused, or the
    service cannot be reached. No HeadBucket first: it would need s3:ListBucket, which
    reading the settings does not."""
    from botocore.exceptions import BotoCoreError

    checked = tuple(check_origin(o) for o in origins)
    try:
        answers = [_finding(setting, client, bucket, checked) for setting in _SETTINGS]
    except BotoCoreError as exc:  # the network or the credentials failed
        raise BucketCheckError(describe_error(exc, bucket)) from exc
    if all(code in _DENIED for _, code in answers):
        raise BucketCheckError(
            f"Access denied: these credentials may not read the settings of bucket '{bucket}'"
        )
    return [finding for finding, _ in answers]


def apply_fix(client: S3Client, bucket: str, setting: str, origins: Iterable[str] = ()) -> None:
    """Apply the recommended value of one setting, merged with what is there now."""
    _by_key(setting).apply(client, bucket, tuple(check_origin(o) for o in origins))


def apply_fixes(
    client: S3Client, bucket: str, findings: Iterable[Finding], origins: Iterable[str] = ()
) -> list[FixOutcome]:
    """Fix every finding that has a fix; one failing fix does not stop the others."""
    from botocore.exceptions import BotoCoreError, ClientError

    outcomes: list[FixOutcome] = []
    for finding in findings:
        if not finding.fix:
            continue
        setting = _by_key(finding.setting)
        try:
            apply_fix(client, bucket, finding.setting, origins)
        except (BotoCoreError, ClientError) as exc:
            if _code(exc) in _DENIED:
                message = f"Access denied: changing this needs {setting.write_permission}"
            else:
                message = describe_error(exc, bucket)
            outcomes.append(FixOutcome(setting.key, setting.title, False, message))
        else:
            outcomes.append(FixOutcome(setting.key, setting.title, True, finding.fix))
    return outcomes


def _by_key(key: str) -> _Setting:
    for setting in _SETTINGS:
        if setting.key == key:
            return setting
    raise ValueError(f"No setting named {key!r}")


def _finding(
    setting: _Setting, client: S3Client, bucket: str, origins: Origins
) -> tuple[Finding, str]:
    """The finding, and the error code when the setting could not be read."""
    from botocore.exceptions import ClientError

    try:
        status, message, fix = setting.check(client, bucket, origins)
    except ClientError as exc:
        code = _code(exc)
        if code == "NoSuchBucket":
            raise BucketCheckError(f"Bucket '{bucket}' does not exist") from exc
        if code in _DENIED:
            why = f"access denied (reading it needs {setting.read_permission})"
        elif code in _UNSUPPORTED:
            why = "this storage service does not offer the setting"
        else:
            why = describe_error(exc, bucket)
        message = f"{setting.title} could not be checked: {why}."
        return Finding(setting.key, setting.title, Status.UNKNOWN, message), code
    fix = fix if status is Status.PROBLEM else ""
    return Finding(setting.key, setting.title, status, message, fix), ""


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def _read(call: Callable[[], _Answer], absent_code: str) -> _Answer | None:
    """The answer of ``call``, or None when the service says the setting was never set."""
    from botocore.exceptions import ClientError

    try:
        return call()
    except ClientError as exc:
        if _code(exc) == absent_code:
            return None
        raise


def _ok(message: str) -> Verdict:
    return Status.OK, message, ""


# -- versioning ------------------------------------------------------------------------------


def _check_versioning(client: S3Client, bucket: str, _: Origins) -> Verdict:
    state = client.get_bucket_versioning(Bucket=bucket).get("Status")
    fix = "Turn on versioning (earlier versions are kept, and billed, until deleted)"
    if state == "Enabled":
        return _ok(
            "Versioning is on: earlier versions of overwritten or deleted objects can be restored."
        )
    if state == "Suspended":
        message = "Versioning is suspended: an overwrite or delete now loses the earlier data."
    else:
        message = "Versioning is off: an overwrite or delete loses the earlier data for good."
    return Status.PROBLEM, message, fix


def _apply_versioning(client: S3Client, bucket: str, _: Origins) -> None:
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


# -- default encryption ----------------------------------------------------------------------


def _check_encryption(client: S3Client, bucket: str, _: Origins) -> Verdict:
    answer = _read(
        lambda: client.get_bucket_encryption(Bucket=bucket),
        "ServerSideEncryptionConfigurationNotFoundError",
    )
    rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", []) if answer else []
    algorithms = [
        str(rule["ApplyServerSideEncryptionByDefault"].get("SSEAlgorithm", ""))
        for rule in rules
        if rule.get("ApplyServerSideEncryptionByDefault")
    ]
    if algorithms:
        names = {"AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}
        which = ", ".join(names.get(a, a) for a in algorithms)
        return _ok(f"Default encryption is on ({which}): new objects are encrypted at rest.")
    return (
        Status.PROBLEM,
        "Default encryption is off: new objects are stored unencrypted unless an upload asks.",
        "Encrypt new objects by default with S3-managed keys (SSE-S3, AES256)",
    )


def _apply_encryption(client: S3Client, bucket: str, _: Origins) -> None:
    client.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


# -- public access block ---------------------------------------------------------------------


def _check_public_access(client: S3Client, bucket: str, _: Origins) -> Verdict:
    answer = _read(
        lambda: client.get_public_access_block(Bucket=bucket),
        "NoSuchPublicAccessBlockConfiguration",
    )
    config: PublicAccessBlockConfigurationTypeDef = (
        answer.get("PublicAccessBlockConfiguration", {}) if answer else {}
    )
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if not config.get(flag)]
    if not off:
        return _ok("Public access is blocked: no ACL or bucket policy can make objects public.")
    fix = (
        "Block all public access (all four settings); a bucket that serves a public web "
        "site stops serving it"
    )
    if len(off) == len(PUBLIC_ACCESS_FLAGS):
        message = (
            "Public access is not blocked: an ACL or bucket policy can make objects "
            "readable by anyone."
        )
    else:
        message = (
            f"Public access is only partly blocked ({', '.join(off)} off): an ACL or "
            "bucket policy can still make objects public."
        )
    return Status.PROBLEM, message, fix


def _apply_public_access(client: S3Client, bucket: str, _: Origins) -> None:
    client.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={  # every one of PUBLIC_ACCESS_FLAGS
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


# -- CORS ------------------------------------------------------------------------------------


def _cors_rules(client: S3Client, bucket: str) -> list[CORSRuleUnionTypeDef]:
    answer = _read(lambda: client.get_bucket_cors(Bucket=bucket), "NoSuchCORSConfiguration")
    return list(answer.get("CORSRules", [])) if answer else []


def _allows_upload(rule: CORSRuleUnionTypeDef) -> bool:
    return bool({"PUT", "POST"} & {m.upper() for m in rule.get("AllowedMethods", [])})


def _exposes_etag(rule: CORSRuleUnionTypeDef) -> bool:
    return "etag" in {h.lower() for h in rule.get("ExposeHeaders", [])}


def _origin_matches(pattern: str, origin: str) -> bool:
    # S3 allows one "*" in an allowed origin, matching any characters.
    regex = ".*".join(re.escape(part) for part in pattern.lower().split("*"))
    return re.fullmatch(regex, origin.lower()) is not None


def _covers(rule: CORSRuleUnionTypeDef, origin: str) -> bool:
    methods = {m.upper() for m in rule.get("AllowedMethods", [])}
    return (
        set(UPLOAD_METHODS) <= methods
        and _exposes_etag(rule)
        and any(_origin_matches(p, origin) for p in rule.get("AllowedOrigins", []))
    )


@dataclass(frozen=True)
class _CorsPlan:
    rules: list[CORSRuleUnionTypeDef]  # the merged configuration
    patched: list[int]  # positions of the bucket's rules that gain ETag and checksum headers
    missing: list[str]  # origins that gain a rule
    ours_existed: bool  # s3desk's rule was there already and takes the new origins

    @property
    def changes(self) -> bool:
        return bool(self.patched or self.missing)


def _plan_cors(rules: list[CORSRuleUnionTypeDef], origins: Origins) -> _CorsPlan:
    """The bucket's rules with what uploads from browsers need added; a rule is changed
    only to expose more headers, and no rule is removed."""
    merged: list[CORSRuleUnionTypeDef] = []
    patched: list[int] = []
    for number, rule in enumerate(rules):
        if _allows_upload(rule) and not _exposes_etag(rule):
            have = {h.lower() for h in rule.get("ExposeHeaders", [])}
            extra = [h for h in EXPOSED_HEADERS if h.lower() not in have]
            merged.append({**rule, "ExposeHeaders": [*rule.get("ExposeHeaders", []), *extra]})
            patched.append(number)
        else:
            merged.append(rule)
    missing = [o for o in origins if not any(_covers(r, o) for r in merged)]
    ours = next((n for n, r in enumerate(merged) if r.get("ID") == RULE_ID), None)
    if missing and ours is None:
        merged.append(cors_upload_rule(missing))
    elif missing and ours is not None:
        # s3desk's rule from an earlier fix takes the new origins too.
        origins_now = [*merged[ours].get("AllowedOrigins", []), *missing]
        merged[ours] = {**merged[ours], **cors_upload_rule(origins_now)}
    return _CorsPlan(merged, patched, missing, ours is not None)


def _check_cors(client: S3Client, bucket: str, origins: Origins) -> Verdict:
    rules = _cors_rules(client, bucket)
    plan = _plan_cors(rules, origins)
    if not plan.changes and origins:
        return _ok(
            f"CORS lets web pages at {', '.join(origins)} upload, and exposes the ETag "
            "header multipart uploads need."
        )
    if not plan.changes and not rules:
        return _ok(
            "No CORS rules: web pages cannot use the bucket, which the desktop app does not "
            "need (give --origin to check for a web uploader)."
        )
    if not plan.changes:
        return _ok(
            f"{_count(len(rules), 'CORS rule')}; every one that allows uploads exposes the "
            "ETag header multipart uploads need."
        )
    problems: list[str] = []
    changes: list[str] = []
    if plan.patched:
        who = sorted({o for n in plan.patched for o in rules[n].get("AllowedOrigins", [])})
        problems.append(
            f"CORS rules that allow uploads from {', '.join(who)} do not expose the ETag "
            "header, so browsers cannot complete multipart uploads"
        )
        changes.append(
            f"expose ETag and the checksum headers in {_count(len(plan.patched), 'CORS rule')}"
        )
    if plan.missing:
        problems.append(f"no CORS rule lets web pages at {', '.join(plan.missing)} upload")
        verb = "add" if plan.ours_existed else "add CORS rule"
        changes.append(f"{verb} '{RULE_ID}' for {', '.join(plan.missing)}")
    untouched = len(rules) - len(plan.patched) - (1 if plan.ours_existed else 0)
    if untouched:
        changes.append(_unchanged(untouched, "other rule"))
    return Status.PROBLEM, _capital("; ".join(problems)) + ".", _capital("; ".join(changes))


def _apply_cors(client: S3Client, bucket: str, origins: Origins) -> None:
    plan = _plan_cors(_cors_rules(client, bucket), origins)
    if plan.changes:
        client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": plan.rules})


# -- lifecycle: abort incomplete multipart uploads --------------------------------------------


def _lifecycle(
    client: S3Client, bucket: str
) -> GetBucketLifecycleConfigurationOutputTypeDef | None:
    return _read(
        lambda: client.get_bucket_lifecycle_configuration(Bucket=bucket),
        "NoSuchLifecycleConfiguration",
    )


def _whole_bucket(rule: LifecycleRuleOutputTypeDef) -> bool:
    """The rule applies to every key: no prefix, tag or size filter."""
    if rule.get("Prefix"):  # the old form, without Filter
        return False
    scope = rule.get("Filter")
    if not scope:
        return True
    terms: Mapping[str, object] = scope.get("And", scope)
    return set(terms) <= {"Prefix"} and not terms.get("Prefix")


def _aborts_uploads(rule: LifecycleRuleOutputTypeDef) -> bool:
    return rule.get("Status") == "Enabled" and bool(rule.get("AbortIncompleteMultipartUpload"))


def _scope(rule: LifecycleRuleOutputTypeDef) -> str:
    scope = rule.get("Filter") or {}
    prefix = rule.get("Prefix") or scope.get("Prefix") or scope.get("And", {}).get("Prefix")
    return f"under '{prefix}'" if prefix else f"where rule '{rule.get('ID', '?')}' applies"


def _check_lifecycle(client: S3Client, bucket: str, _: Origins) -> Verdict:
    config = _lifecycle(client, bucket)
    rules = list(config.get("Rules", [])) if config else []
    whole = [r for r in rules if _aborts_uploads(r) and _whole_bucket(r)]
    if whole:
        days = whole[0]["AbortIncompleteMultipartUpload"].get("DaysAfterInitiation", "?")
        return _ok(
            f"Incomplete multipart uploads are removed {days} days after they start "
            f"(lifecycle rule '{whole[0].get('ID', '')}')."
        )
    others = [r for r in rules if r.get("ID") != ABORT_RULE_ID]
    fix = (
        f"Add lifecycle rule '{ABORT_RULE_ID}': abort incomplete multipart uploads "
        f"{ABORT_AFTER_DAYS} days after they start"
    )
    if others:
        fix += f" ({_unchanged(len(others), 'existing rule')})"
    partial = [r for r in rules if _aborts_uploads(r)]
    if partial:
        where = ", ".join(_scope(r) for r in partial)
        message = (
            f"Incomplete multipart uploads are removed only {where}: elsewhere their parts "
            "stay in the bucket and are billed."
        )
    else:
        message = (
            "No lifecycle rule removes incomplete multipart uploads: parts of uploads that "
            "never finish stay in the bucket and are billed, though no listing shows them."
        )
    return Status.PROBLEM, message, fix


def _apply_lifecycle(client: S3Client, bucket: str, _: Origins) -> None:
    config = _lifecycle(client, bucket)
    kept = config.get("Rules", []) if config else []
    rules = [r for r in kept if r.get("ID") != ABORT_RULE_ID]
    ours: LifecycleRuleTypeDef = {
        "ID": ABORT_RULE_ID,
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_AFTER_DAYS},
    }
    # Written in the form the bucket's rules already use (the old one has no Filter).
    if any("Prefix" in r and "Filter" not in r for r in rules):
        ours["Prefix"] = ""
    else:
        ours["Filter"] = {"Prefix": ""}
    params: PutBucketLifecycleConfigurationRequestTypeDef = {
        "Bucket": bucket,
        "LifecycleConfiguration": {"Rules": [*rules, ours]},
    }
    if config and config.get("TransitionDefaultMinimumObjectSize"):
        # Left out, it would fall back to S3's default for the existing transition rules.
        params["TransitionDefaultMinimumObjectSize"] = config["TransitionDefaultMinimumObjectSize"]
    client.put_bucket_lifecycle_configuration(**params)


# -- object ownership ------------------------------------------------------------------------


def _check_ownership(client: S3Client, bucket: str, _: Origins) -> Verdict:
    answer = _read(
        lambda: client.get_bucket_ownership_controls(Bucket=bucket),
        "OwnershipControlsNotFoundError",
    )
    rules = answer.get("OwnershipControls", {}).get("Rules", []) if answer else []
    mode = str(rules[0].get("ObjectOwnership", "")) if rules else ""
    if mode == "BucketOwnerEnforced":
        return _ok(
            "Object ownership is BucketOwnerEnforced: the bucket owner owns every object "
            "and ACLs grant nothing."
        )
    return (
        Status.PROBLEM,
        f"Object ownership is {mode or 'not set'}: ACLs still grant access, and objects "
        "another account uploads can stay that account's.",
        "Set object ownership to BucketOwnerEnforced (ACLs stop applying; s3desk sets none)",
    )


def _apply_ownership(client: S3Client, bucket: str, _: Origins) -> None:
    client.put_bucket_ownership_controls(
        Bucket=bucket,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )


def _count(count: int, what: str) -> str:
    return f"{count} {what}" + ("" if count == 1 else "s")


def _unchanged(count: int, what: str) -> str:
    if count == 1:
        return f"the {what} stays as it is"
    return f"the {count} {what}s stay as they are"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_SETTINGS = (
    _Setting(
        "versioning",
        "Versioning",
        "s3:GetBucketVersioning",
        "s3:PutBucketVersioning",
        _check_versioning,
        _apply_versioning,
    ),
    _Setting(
        "encryption",
        "Default encryption",
        "s3:GetEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
        _check_encryption,
        _apply_encryption,
    ),
    _Setting(
        "public-access",
        "Public access block",
        "s3:GetBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        _check_public_access,
        _apply_public_access,
    ),
    _Setting("cors", "CORS", "s3:GetBucketCORS", "s3:PutBucketCORS", _check_cors, _apply_cors),
    _Setting(
        "lifecycle",
        "Incomplete multipart uploads",
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        _check_lifecycle,
        _apply_lifecycle,
    ),
    _Setting(
        "ownership",
        "Object ownership",
        "s3:GetBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        _check_ownership,
        _apply_ownership,
    ),
)
SETTINGS = tuple(s.key for s in _SETTINGS)
