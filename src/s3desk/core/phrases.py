"""Sentences the core shows a person, translatable without the core knowing Qt.

A ``Phrase`` is the finished English sentence, a ``str`` that the command line, the logs,
the journal and the audit log use as it is, which also remembers its template and values.
The window looks the template up in its catalogue and fills the values in again
(``s3desk.ui.common.core_phrases``). Templates are string literals passed to ``phrase()`` or marked
with ``template()``, so that a test can find them all and check that the window lists each
one for the translators.
"""

from __future__ import annotations

from typing import Any


class Phrase(str):
    """An English sentence that knows its template and values."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any]) -> Phrase:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template, text.values = template, values
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # pickled whole to the window's process
        return (Phrase, (self.template, self.values))


def phrase(template: str, **values: Any) -> Phrase:
    """``template`` (a literal with ``{name}`` fields) filled in with ``values``."""
    return Phrase(template, values)


def template(text: str) -> str:
    """Marks a literal kept for ``phrase()`` later (in a table, say) as a template."""
    return text
