"""S3's multipart limits, and the part size that fits a file within them."""

from __future__ import annotations

MiB = 1024 * 1024
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * 1024 * MiB
MAX_PARTS = 10_000
MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB  # 5 TiB


def choose_part_size(file_size: int, preferred: int) -> int:
    """The smallest size >= ``preferred`` (within 5 MiB-5 GiB) that needs at most 10,000 parts."""
    if file_size > MAX_OBJECT_SIZE:
        raise ValueError("larger than S3's 5 TiB object limit")
    part = min(max(preferred, MIN_PART_SIZE), MAX_PART_SIZE)
    if -(-file_size // part) > MAX_PARTS:
        needed = -(-file_size // MAX_PARTS)
        part = -(-needed // MiB) * MiB  # round up to whole MiB
    return min(part, MAX_PART_SIZE)


def part_count(file_size: int, part_size: int) -> int:
    return max(1, -(-file_size // part_size))
