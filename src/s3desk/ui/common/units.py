"""Sizes, rates and durations as the window shows them.

The same rules as the core's (binary units, as file managers show them: "5.0 MiB", one
decimal below 100), but with the number in the user's regional format ("5,0 MiB" in
Germany), the unit names from Qt's own catalogue and the words through Qt's translation
functions, so that a translator can change "3m 05s". The command line keeps the core's.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from s3desk.core.units import size_parts


def human_size(n: float) -> str:
    locale = QLocale()
    if n < 1024:
        return QCoreApplication.translate("units", "{count} B").format(
            count=locale.toString(int(n))
        )
    decimals = size_parts(n)[2]  # the core's rule; Qt picks the same unit
    return locale.formattedDataSize(int(n), decimals, QLocale.DataSizeFormat.DataSizeIecFormat)


def human_rate(bytes_per_second: float) -> str:
    return QCoreApplication.translate("units", "{size}/s").format(size=human_size(bytes_per_second))


def human_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    number = QLocale().toString
    if hours:
        return QCoreApplication.translate("units", "{hours}h {minutes}m").format(
            hours=number(hours), minutes=f"{minutes:02d}"
        )
    if minutes:
        return QCoreApplication.translate("units", "{minutes}m {seconds}s").format(
            minutes=number(minutes), seconds=f"{secs:02d}"
        )
    return QCoreApplication.translate("units", "{seconds}s").format(seconds=number(secs))
