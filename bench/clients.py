"""Clients that bench/upload.py and bench/download.py run as child processes, so their CPU is
counted the same way as every other tool's.

  clients.py boto3 SOURCE s3://BUCKET/PREFIX/   plain boto3, as a script author would write it
  clients.py engine SOURCE s3://BUCKET/PREFIX/  s3desk's engine in-process, without the CLI
  clients.py boto3-download s3://BUCKET/KEY-OR-PREFIX/ DEST_DIR   the same, downloading
  clients.py engine-download s3://BUCKET/KEY-OR-PREFIX/ DEST_DIR  (a key: one object; a
      prefix ending in "/": every object under it, paths kept below the prefix)

Endpoint and credentials come from AWS_ENDPOINT_URL and the usual AWS variables.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# Threads for many small files: a typical hand-written uploader.
BOTO3_THREADS = 8


def parse_dest(url: str) -> tuple[str, str]:
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    return bucket, prefix


def boto3_client() -> Any:
    import boto3
    from botocore.config import Config

    # rclone's S3 server wants SigV4 and path-style requests; the rest are boto3's defaults.
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"})
    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=config)


def run_boto3(source: Path, bucket: str, prefix: str) -> int:
    client = boto3_client()
    if source.is_file():
        # upload_file: s3transfer's TransferManager with its default config (8 MiB parts,
        # 10 threads, multipart from 8 MiB).
        client.upload_file(str(source), bucket, prefix + source.name)
        return 0

    def put(path: Path) -> None:
        with open(path, "rb") as body:
            client.put_object(Bucket=bucket, Key=prefix + path.name, Body=body)

    files = sorted(p for p in source.iterdir() if p.is_file())
    with ThreadPoolExecutor(BOTO3_THREADS) as pool:
        for _ in pool.map(put, files):
            pass
    return 0


def run_engine(source: Path, bucket: str, prefix: str, concurrency: int | None) -> int:
    # Only the engine's smallest surface (submit, wait, shut down), so the bench keeps working
    # as the engine grows.
    from s3desk.core.config.engine_config import EngineConfig
    from s3desk.core.storage.endpoint import custom_endpoint
    from s3desk.core.transfer.jobs import Destination
    from s3desk.core.transfer.upload.engine import UploadEngine

    config = EngineConfig(concurrency=concurrency) if concurrency else EngineConfig()
    engine = UploadEngine(custom_endpoint(os.environ["AWS_ENDPOINT_URL"]), config)
    try:
        engine.submit_paths([source], Destination(bucket, prefix))
        engine.wait()
        totals = engine.totals()
    finally:
        engine.shutdown(cancel=True)
    if totals.files_failed or totals.files_done != totals.files_total:
        failed = [j for j in engine.jobs() if j.error]
        for job in failed[:5]:
            print(f"{job.source}: {job.error}", file=sys.stderr)
        return 1
    return 0


def list_objects(client: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        objects.extend(page.get("Contents", []))
    return objects


def run_boto3_download(bucket: str, key: str, dest: Path) -> int:
    client = boto3_client()
    if not key.endswith("/"):
        # download_file: s3transfer's TransferManager with its default config (8 MiB ranged
        # GETs, 10 threads, from 8 MiB on).
        client.download_file(bucket, key, str(dest / key.rpartition("/")[2]))
        return 0

    def get(obj_key: str) -> None:
        path = dest / obj_key[len(key) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        body = client.get_object(Bucket=bucket, Key=obj_key)["Body"]
        with open(path, "wb") as f:
            f.write(body.read())

    keys = [obj["Key"] for obj in list_objects(client, bucket, key)]
    with ThreadPoolExecutor(BOTO3_THREADS) as pool:
        for _ in pool.map(get, keys):
            pass
    return 0


def run_engine_download(bucket: str, key: str, dest: Path, concurrency: int | None) -> int:
    # The planner and the engine, as the app drives them, without the CLI's output and audit.
    from s3desk.core.config.engine_config import EngineConfig
    from s3desk.core.storage.endpoint import custom_endpoint
    from s3desk.core.transfer.download.engine import DownloadEngine
    from s3desk.core.transfer.download.plan import plan_download

    config = EngineConfig(concurrency=concurrency) if concurrency else EngineConfig()
    engine = DownloadEngine(custom_endpoint(os.environ["AWS_ENDPOINT_URL"]), config)
    client = engine.client
    if key.endswith("/"):
        objects = list_objects(client, bucket, key)
        base = key
    else:
        head = client.head_object(Bucket=bucket, Key=key)
        objects = [{"Key": key, "Size": head["ContentLength"], "ETag": head["ETag"],
                    "LastModified": head["LastModified"]}]  # fmt: skip
        base = key[: key.rfind("/") + 1]
    selection = [(o["Key"], o["Size"], o["ETag"], o["LastModified"]) for o in objects]
    plan = plan_download(client, bucket, selection, base, str(dest))
    try:
        engine.submit(plan.items, folders=plan.folders)
        engine.wait()
        update = engine.drain()  # nothing drained before: every job is in it
    finally:
        engine.shutdown()
    totals = update.totals
    if plan.refused or totals.files_failed or totals.files_done != totals.files_total:
        for job in [j for j in update.jobs if j.error][:5]:
            print(f"{job.source}: {job.error}", file=sys.stderr)
        for key_refused, why in plan.refused[:5]:
            print(f"{key_refused}: {why}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("client", choices=["boto3", "engine", "boto3-download", "engine-download"])
    parser.add_argument("source", help="a local file or folder; for downloads s3://BUCKET/KEY")
    parser.add_argument("destination", help="s3://BUCKET/PREFIX/; for downloads a local folder")
    parser.add_argument("--concurrency", type=int, help="engine only (default: the engine's)")
    args = parser.parse_args(argv)
    if args.client.endswith("-download"):
        bucket, key = parse_dest(args.source)
        dest = Path(args.destination)
        if args.client == "boto3-download":
            return run_boto3_download(bucket, key, dest)
        return run_engine_download(bucket, key, dest, args.concurrency)
    bucket, prefix = parse_dest(args.destination)
    if args.client == "boto3":
        return run_boto3(Path(args.source), bucket, prefix)
    return run_engine(Path(args.source), bucket, prefix, args.concurrency)


if __name__ == "__main__":
    sys.exit(main())
