"""How a question names what it acts on: the first few names, then how many more.

A question that deletes, cancels or discards says what, by name: "a.jpg, b.jpg, c.jpg and
12 more", never only "15 objects".
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject

# Names a question lists before "and N more".
SHOWN_NAMES = 3


class Names(QObject):
    """The translation context of the list (a QObject: lupdate finds plural forms only in
    ``self.tr``)."""

    def listed(self, names: Sequence[str], shown: int) -> str:
        if len(names) <= shown + 1:
            return ", ".join(names)
        more = len(names) - shown
        return self.tr("{names} and %n more", "", more).format(names=", ".join(names[:shown]))


def name_list(names: Sequence[str], shown: int = SHOWN_NAMES) -> str:
    """ "a.jpg, b.jpg, c.jpg and 12 more"; all of them when only one would be left over."""
    return Names().listed(names, shown)
