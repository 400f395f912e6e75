"""The share link dialog says where a link to the demo storage works: on this computer,
while s3desk runs (the demo storage is a server inside the app, on 127.0.0.1)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot


@pytest.mark.parametrize("demo", [True, False])
def test_the_share_link_dialog_says_a_demo_link_works_only_here(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo: bool
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from s3desk.core.bucket.browse import Entry
    from s3desk.core.storage.demo import DEMO_LABEL
    from s3desk.ui.browser.view import BrowserView

    view = BrowserView()
    qtbot.addWidget(view)
    view.account = DEMO_LABEL if demo else "Work"
    entry = Entry(key="photos/cat.jpg", name="cat.jpg", is_folder=False, size=3)
    monkeypatch.setattr(view, "selected_object", lambda: entry)
    asked: list[str] = []

    def get_item(parent: object, title: str, label: str, *rest: object) -> tuple[str, bool]:
        asked.append(label)
        return "", False

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    view.share_links.ask_share_link()
    assert len(asked) == 1 and "'cat.jpg'" in asked[0]
    says_so = "only on this computer, and only until s3desk quits" in asked[0]
    assert says_so is demo
