"""The flags ``s3desk upload`` and ``s3desk download`` share, worded alike: how many
requests at once, how often to retry, and how fast."""

from __future__ import annotations

import argparse

from s3desk.core.units import parse_amount

DEFAULT_RETRIES = 7


def add_transfer_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """--concurrency and --bwlimit default to the settings (None here: the command fills
    them in); ``verb`` is "upload" or "download"."""
    parser.add_argument(
        "--concurrency", type=int, help="parallel requests (default: the settings', 10)"
    )
    parser.add_argument(
        "--retries", type=int, default=DEFAULT_RETRIES,
        help=f"retries per request on network or server errors (default: {DEFAULT_RETRIES})",
    )  # fmt: skip
    parser.add_argument(
        "--bwlimit", type=rate, metavar="RATE",
        help=f"bandwidth limit for all {verb}s together, e.g. 500K, 20M or '10 MiB/s' "
        "(binary units; a number alone is bytes per second; default: the settings', none)",
    )  # fmt: skip


def rate(text: str) -> int:
    """Bytes per second from --bwlimit, read as the settings read a bandwidth limit."""
    try:
        return parse_amount(text, rate=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
