"""``s3desk admin``: IAM policies and CORS rules to hand to an administrator, and a check
of a bucket's settings that can apply the recommended ones.

``policy`` and ``cors`` only print JSON and talk to no service. ``check`` reads the
bucket's settings with the same credentials ``s3desk upload`` would use (``--account``,
``--endpoint-url``/``--profile``, or the standard AWS chain). Exit codes of ``check``:
0 all as recommended, 1 settings need attention, 2 the check could not be done.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from s3desk.cli.endpoints import add_storage_arguments

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from s3desk.core.admin.bucket_check import Finding

_ROLES = ("uploader", "browser", "manager", "broker")  # admin_policy.Role's values
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")  # admin_policy.PARTITIONS

ALL_GOOD, NEEDS_ATTENTION, CANNOT_CHECK = 0, 1, 2


def add_admin_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="admin_action", metavar="ACTION", required=True)

    policy = actions.add_parser(
        "policy",
        help="print a least-privilege IAM policy (JSON) for a bucket and prefix",
        description="Print the IAM policy a role needs on one bucket and prefix, as JSON "
        "for 'aws iam create-policy --policy-document file://policy.json'. Roles build on "
        "each other: uploader < browser (lists and reads the prefix) < manager (deletes, "
        "versions); broker is for a service that pre-signs uploads.",
    )
    policy.add_argument("--bucket", required=True)
    policy.add_argument(
        "--prefix", default="", help="folder the role is limited to (default: the whole bucket)"
    )
    policy.add_argument("--role", choices=_ROLES, default=_ROLES[0], help="(default: uploader)")
    policy.add_argument("--partition", choices=_PARTITIONS, default=_PARTITIONS[0])

    cors = actions.add_parser(
        "cors",
        help="print the bucket CORS configuration (JSON) web pages need to upload",
        description="Print a CORS configuration for 'aws s3api put-bucket-cors "
        "--cors-configuration file://cors.json' that lets web pages at the given origins "
        "upload (multipart too) and download.",
    )
    cors.add_argument(
        "--origin", action="append", required=True, metavar="URL",
        help="a web site allowed to upload, e.g. https://app.example.com (repeatable)",
    )  # fmt: skip
    cors.add_argument(
        "--max-age", type=int, default=3000, metavar="SECONDS",
        help="how long browsers may cache the answer to a preflight request (3000)",
    )  # fmt: skip
    cors.add_argument(
        "--allow-delete", action="store_true",
        help="also allow DELETE, so pages can abort multipart uploads they give up on",
    )  # fmt: skip

    check = actions.add_parser(
        "check",
        help="check a bucket's settings; --fix applies the recommended ones",
        description="Report versioning, default encryption, public access block, CORS, "
        "a lifecycle rule for incomplete multipart uploads and object ownership. Exit "
        "status: 0 all as recommended, 1 settings need attention, 2 the check failed.",
    )
    check.add_argument("bucket", metavar="s3://BUCKET")
    check.add_argument(
        "--origin", action="append", default=[], metavar="URL",
        help="a web site that should be able to upload (checks CORS for it; repeatable)",
    )  # fmt: skip
    check.add_argument("--fix", action="store_true", help="show the changes, ask, then apply them")
    check.add_argument("--yes", "-y", action="store_true", help="apply --fix without asking")
    add_storage_arguments(check)


def run_admin(args: argparse.Namespace) -> int:
    if args.admin_action == "policy":
        return _print_json(_policy, args)
    if args.admin_action == "cors":
        return _print_json(_cors, args)
    return _check(args, sys.stdout)


def _policy(args: argparse.Namespace) -> str:
    from s3desk.core.admin.policy import policy_json

    return policy_json(args.bucket, args.prefix, args.role, partition=args.partition)


def _cors(args: argparse.Namespace) -> str:
    from s3desk.core.admin.cors import cors_json

    return cors_json(args.origin, max_age=args.max_age, allow_delete=args.allow_delete)


def _print_json(make: Callable[[argparse.Namespace], str], args: argparse.Namespace) -> int:
    try:
        text = make(args)
    except ValueError as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return 2
    print(text)
    return 0


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from s3desk.cli.endpoints import AccountProblem, endpoint_from
    from s3desk.core.admin.bucket_check import BucketCheckError, check_bucket
    from s3desk.core.admin.cors import check_origin
    from s3desk.core.storage.endpoint import make_client

    try:
        bucket = _bucket_name(args.bucket)
        origins = [check_origin(o) for o in args.origin]
        endpoint = endpoint_from(args)
        client = make_client(endpoint, 1, attempts=3)
        findings = check_bucket(client, bucket, origins)
    except (ValueError, AccountProblem, BucketCheckError) as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return CANNOT_CHECK
    paint = _Painter(out)
    out.write(f"s3://{bucket} on {endpoint.display}\n")
    _report(findings, out, paint)
    fixes = [f for f in findings if f.fix]
    if not args.fix:
        if fixes:
            out.write("Run again with --fix to see the changes and apply them.\n")
        return _exit_code(findings)
    if not fixes:
        out.write("Nothing to change.\n")
        return _exit_code(findings)
    return _fix(client, bucket, origins, findings, args.yes, out, paint)


def _fix(
    client: S3Client,
    bucket: str,
    origins: list[str],
    findings: list[Finding],
    confirmed: bool,
    out: TextIO,
    paint: _Painter,
) -> int:
    from s3desk.core.admin.bucket_check import BucketCheckError, apply_fixes, check_bucket

    fixes = [f for f in findings if f.fix]
    out.write(f"\nTo apply the recommended settings, s3desk will change s3://{bucket}:\n")
    for finding in fixes:
        out.write(f"  - {finding.title}: {finding.fix}\n")
    out.flush()
    if not confirmed:
        if not sys.stdin.isatty():
            print(
                "s3desk: nothing changed: not asking without a terminal; add --yes to apply",
                file=sys.stderr,
            )
            return CANNOT_CHECK
        try:
            answer = input("Apply these changes? [y/N] ").strip().lower()
        except EOFError:  # the terminal closed: no answer is no
            answer = ""
        if answer not in ("y", "yes"):
            out.write("Nothing changed.\n")
            return _exit_code(findings)

    outcomes = apply_fixes(client, bucket, fixes, origins)
    out.write("\n")
    for outcome in outcomes:
        if outcome.ok:
            out.write(f"  {paint.ok('changed')}: {outcome.title}\n")
        else:
            out.write(f"  {paint.problem('not changed')}: {outcome.title}: {outcome.message}\n")
    try:
        after = check_bucket(client, bucket, origins)
    except BucketCheckError as exc:
        print(f"s3desk: {exc}", file=sys.stderr)
        return CANNOT_CHECK
    out.write("\nNow:\n")
    _report(after, out, paint)
    if not all(o.ok for o in outcomes):
        return CANNOT_CHECK
    return _exit_code(after)


def _bucket_name(url: str) -> str:
    if not url.startswith("s3://"):
        raise ValueError(f"Give the bucket as s3://BUCKET, not {url!r}")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"{url!r} names no bucket")
    if prefix:
        raise ValueError(f"The settings belong to the whole bucket; give s3://{bucket}")
    return bucket


def _report(findings: list[Finding], out: TextIO, paint: _Painter) -> None:
    from s3desk.core.admin.bucket_check import Status

    for finding in findings:
        if finding.status is Status.OK:
            mark = paint.ok("✓")
        elif finding.status is Status.PROBLEM:
            mark = paint.problem("✗")
        else:
            mark = paint.unknown("?")
        out.write(f"  {mark} {finding.message}\n")
    total = len(findings)
    problems = sum(f.status is Status.PROBLEM for f in findings)
    unknown = sum(f.status is Status.UNKNOWN for f in findings)
    if not problems and not unknown:
        out.write(f"All {total} settings are as recommended.\n")
    if problems:
        out.write(f"{problems} of {total} settings need attention.\n")
    if unknown:
        out.write(f"{unknown} of {total} settings could not be checked.\n")


def _exit_code(findings: list[Finding]) -> int:
    from s3desk.core.admin.bucket_check import Status

    if any(f.status is Status.UNKNOWN for f in findings):
        return CANNOT_CHECK
    if any(f.status is Status.PROBLEM for f in findings):
        return NEEDS_ATTENTION
    return ALL_GOOD


class _Painter:
    """Green, red and yellow marks on a terminal; plain text elsewhere or with NO_COLOR."""

    def __init__(self, out: TextIO) -> None:
        import os

        self._color = out.isatty() and not os.environ.get("NO_COLOR")

    def _paint(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self._color else text

    def ok(self, text: str) -> str:
        return self._paint("32", text)

    def problem(self, text: str) -> str:
        return self._paint("31", text)

    def unknown(self, text: str) -> str:
        return self._paint("33", text)
