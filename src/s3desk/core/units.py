"""Human-readable sizes, rates and durations (binary units, as file managers show them)."""

from __future__ import annotations

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
