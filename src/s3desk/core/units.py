"""Human-readable sizes, rates and durations (binary units, as file managers show them)."""

from __future__ import annotations

import re

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def size_parts(n: float) -> tuple[float, str, int]:
    """``n`` bytes as (value, unit, decimals): the largest unit under 1024 of it, one
    decimal below 100, judged after rounding (99.96 KiB reads "100 KiB", not "100.0")."""
    if n < 1024:
        return float(int(n)), _UNITS[0], 0
    value = float(n)
    for unit in _UNITS[1:]:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return value, unit, 1 if round(value, 1) < 100 else 0
    raise AssertionError("unreachable")


def human_size(n: float) -> str:
    value, unit, decimals = size_parts(n)
    return f"{value:.{decimals}f} {unit}"


def human_rate(bytes_per_second: float) -> str:
    return f"{human_size(bytes_per_second)}/s"


def human_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


# K, M, G, T and P are binary (1024) whether written "M", "MB" or "MiB", as rclone reads
# them and as sizes are shown here: "1.5 MB/s" and "1.5 MiB/s" are the same limit.
_AMOUNT = re.compile(
    r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:([kmgtp])(?:i?b)?|(b))?\s*(/\s*s(?:ec)?)?\s*", re.IGNORECASE
)
_FACTORS = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}


def parse_amount(text: str, *, bare: int = 1, rate: bool = False) -> int:
    """Bytes (or bytes per second when ``rate``) from text like "500K", "20M", "8 MiB",
    "1.5 MB/s" or "100 B"; a number without a unit counts in ``bare`` bytes (the settings
    dialog's KiB/s, the command line's bytes). Fractions of a byte are dropped. Raises
    ValueError saying which forms are understood."""
    match = _AMOUNT.fullmatch(text)
    if match is None or (match[4] and not rate):
        example = '"500K", "20M" or "10 MiB/s"' if rate else '"500K", "20M" or "8 MiB"'
        raise ValueError(f"not understood: {text!r} (try {example})")
    number, prefix, byte = match[1], match[2], match[3]
    factor = _FACTORS[prefix.lower()] if prefix else 1 if byte else bare
    return int(float(number) * factor)


def exact_size(n: int) -> str:
    """``n`` bytes in the largest binary unit that shows it exactly with at most two
    decimals: "5 MiB", "1.5 MiB", "5121 KiB", "1000 B". Read back by ``parse_amount``."""
    for power in range(len(_UNITS) - 1, 0, -1):
        factor = 1024**power
        if n >= factor and n * 100 % factor == 0:
            value = f"{n / factor:.2f}".rstrip("0").rstrip(".")
            return f"{value} {_UNITS[power]}"
    return f"{int(n)} B"


def exact_rate(bytes_per_second: int) -> str:
    return f"{exact_size(bytes_per_second)}/s"
