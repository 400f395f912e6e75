"""Translations: every text the window and the dialogs show goes through Qt's translation,
the catalogue template in the repository is current, and tools/check_tr.py finds what
does not.

The pseudo-translation test extracts the catalogue from the sources as they are now, wraps
every translation in ⟦…⟧ and installs it as German: a text shown without the brackets never
went through tr(). Qt's own German catalogue comes along, for the standard buttons.
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt, QTranslator
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from s3desk.core.compliance.upload_options import STORAGE_CLASSES
from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import PRESETS, AccountKind
from s3desk.core.config.secrets import SecretStore
from s3desk.core.config.settings_store import SettingsStore
from s3desk.core.transfer.jobs import Totals
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.app import install_translators
from tests.memory_keyring import MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "src" / "s3desk" / "ui"
TEMPLATE = ROOT / "src" / "s3desk" / "resources" / "translations" / "s3desk.ts"
# As `make translations` runs lupdate.
LUPDATE_OPTIONS = ["-silent", "-no-obsolete", "-locations", "none", "-sort-messages"]
OPEN, CLOSE = "⟦", "⟧"

# Shown as they are in every language: the name, and sample values marked "# notr".
AS_IS = {"s3desk", "AKIA…"}
# Names the core gives (account kinds, service presets) and S3's storage class names: the
# core has no Qt to translate with; they are not the UI's to wrap.
CORE_NAMES = (
    {k.display_name for k in AccountKind} | {p.name for p in PRESETS} | set(STORAGE_CLASSES)
)
# Not words: addresses, and the core's sizes, rates and durations (10 B, 5.0 MiB/s, 3m 05s).
NOT_WORDS = re.compile(r"\w+://\S*|\d[\d.,]*\s*(?:[KMGTP]i)?B(?:/s)?|\b\d+[hms]\b")


def _tool(name: str) -> str:
    """pyside6-lupdate or pyside6-lrelease, from the Python running the tests."""
    found = shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent))
    found = found or shutil.which(f"pyside6-{name}")
    if found is None:
        pytest.fail(f"pyside6-{name} not found (it comes with PySide6-Essentials)")
    return found


def _lupdate(ts: Path) -> None:
    sources = sorted(str(p) for p in UI.rglob("*.py"))
    subprocess.run([_tool("lupdate"), *LUPDATE_OPTIONS, *sources, "-ts", str(ts)], check=True)


def _messages(ts: Path) -> set[tuple[str, str, str, bool]]:
    """(context, source, disambiguation, plural) of every message in a .ts file."""
    found = set()
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            found.add((
                name, message.findtext("source", ""), message.findtext("comment", ""),
                message.get("numerus") == "yes",
            ))  # fmt: skip
    return found


def _pseudo_translate(ts: Path) -> int:
    """Fill every translation (and plural form) with ⟦source⟧; placeholders stay intact
    inside. Returns the number of messages."""
    tree = ET.parse(ts)
    messages = list(tree.getroot().iter("message"))
    for message in messages:
        text = OPEN + message.findtext("source", "") + CLOSE
        translation = message.find("translation")
        assert translation is not None
        translation.attrib.pop("type", None)  # "unfinished" would not be compiled
        forms = translation.findall("numerusform")
        for form in forms:
            form.text = text
        if not forms:
            translation.text = text
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return len(messages)


def test_qt_own_texts_follow_the_language_s3desk_is_shown_in(
    qapp: QApplication, tmp_path: Path
) -> None:
    """German Qt buttons only with a German s3desk: never "Abbrechen" in an English window."""
    from s3desk.ui.app import translations_folder

    def names(locale: QLocale, folder: Path) -> list[str]:
        installed = install_translators(qapp, locale, folder=folder)
        return [Path(t.filePath()).name for t in installed]

    try:
        # s3desk has no German: all English, with the English plural forms.
        assert names(QLocale(QLocale.Language.German), translations_folder()) == [
            "qtbase_en.qm", "s3desk_en.qm"
        ]  # fmt: skip
        # With a German s3desk catalogue, Qt's German comes with it (and English plurals
        # under it for what the catalogue lacks).
        (tmp_path / "s3desk_en.qm").write_bytes(
            (translations_folder() / "s3desk_en.qm").read_bytes()
        )
        _compile_pseudo(tmp_path, "de")
        assert names(QLocale(QLocale.Language.German, QLocale.Country.Austria), tmp_path) == [
            "qtbase_de.qm", "s3desk_en.qm", "s3desk_de.qm"
        ]  # fmt: skip
        # A language neither has: English.
        assert names(QLocale(QLocale.Language.Swahili), tmp_path) == [
            "qtbase_en.qm", "s3desk_en.qm"
        ]  # fmt: skip
    finally:
        install_translators(qapp, QLocale(QLocale.Language.English))


def _compile_pseudo(folder: Path, language: str) -> None:
    ts = folder / f"s3desk_{language}.ts"
    _lupdate(ts)
    assert _pseudo_translate(ts) > 100
    subprocess.run(
        [_tool("lrelease"), "-silent", str(ts), "-qm", str(folder / f"s3desk_{language}.qm")],
        check=True,
    )


@pytest.fixture
def pseudo_german(qapp: QApplication, tmp_path: Path) -> Iterator[list[QTranslator]]:
    """The pseudo-translation installed for German, with Qt's own German; removed after."""
    _compile_pseudo(tmp_path, "de")
    installed = install_translators(qapp, QLocale(QLocale.Language.German), folder=tmp_path)
    try:
        assert [Path(t.filePath()).name for t in installed] == ["qtbase_de.qm", "s3desk_de.qm"]
        yield installed
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        qapp.s3desk_translators = []  # type: ignore[attr-defined]


class Texts:
    """Every text of a widget tree, and those not translated."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.checked = 0

    def expect(self, where: str, text: object, data: frozenset[str] = frozenset()) -> None:
        """``text`` went through the pseudo-translation, or is the name or a core name, or
        has no words once ``data`` (user data, the core's texts) is taken out."""
        if not isinstance(text, str):  # a header's section number, None
            return
        plain = re.sub(r"<[^<>]*>", "", text).replace("&&", "&").strip()
        if not plain:
            return
        self.checked += 1
        if plain.startswith(OPEN) or plain in AS_IS | CORE_NAMES:
            return
        for item in data:
            plain = plain.replace(item, "")
        if re.search(r"[^\W\d_]", NOT_WORDS.sub("", plain)):
            self.failures.append(f"{where}: {text!r}")

    def tree(self, root: QWidget, data: frozenset[str] = frozenset()) -> None:
        """The texts of ``root`` and of everything in it, and of their actions."""
        self.expect(f"{_name(root)} window title", root.windowTitle(), data)
        for widget in [root, *root.findChildren(QWidget)]:
            if _qt_internal(widget):
                continue
            for what, text in _texts_of(widget):
                self.expect(f"{_name(widget)} {what}", text, data)
        for action in root.findChildren(QAction):
            if not action.isSeparator():
                where = f"action {action.objectName() or action.text()!r}"
                self.expect(f"{where} text", action.text(), data)
                self.expect(f"{where} tooltip", action.toolTip(), data)


# (widget class, getter): one text; a standard dialog button's is Qt's, checked apart.
_SINGLE = (
    (QAbstractButton, "text"), (QLabel, "text"), (QGroupBox, "title"),
    (QLineEdit, "placeholderText"), (QSpinBox, "suffix"), (QSpinBox, "prefix"),
    (QSpinBox, "specialValueText"),
)  # fmt: skip
# (widget class, getter of the text at an index): one text per item or tab.
_LISTS = ((QComboBox, "itemText"), (QTabWidget, "tabText"))


def _texts_of(widget: QWidget) -> Iterator[tuple[str, object]]:
    """Tooltip, accessible name, texts, titles, items, tabs, placeholders, table headers."""
    yield "tooltip", widget.toolTip()
    yield "accessible name", widget.accessibleName()
    for kind, getter in _SINGLE:
        if isinstance(widget, kind) and not _standard_button(widget):
            yield getter, getattr(widget, getter)()
    for kind, getter in _LISTS:
        if isinstance(widget, kind):
            for i in range(widget.count()):  # type: ignore[attr-defined]
                yield f"{getter} {i}", getattr(widget, getter)(i)
    model = widget.model() if isinstance(widget, QTableView | QTreeView) else None
    if model is not None:
        for column in range(model.columnCount(QModelIndex())):
            role = Qt.ItemDataRole.DisplayRole
            yield f"header {column}", model.headerData(column, Qt.Orientation.Horizontal, role)


def _name(widget: QWidget) -> str:
    """Where a text is, for the failure message: the class and object names up the tree."""
    parts = []
    while widget is not None and len(parts) < 4:
        parts.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(parts))


def _qt_internal(widget: QWidget | None) -> bool:
    """A part Qt makes itself (a tab bar's scroll buttons): Qt's catalogue translates it."""
    while widget is not None:
        if widget.objectName().startswith("qt_"):
            return True
        widget = widget.parentWidget()
    return False


def _standard_button(widget: QWidget) -> bool:
    """A QDialogButtonBox standard button: Qt's own catalogue translates it."""
    box = widget.parentWidget()
    return (
        isinstance(widget, QAbstractButton)
        and isinstance(box, QDialogButtonBox)
        and box.standardButton(widget) != QDialogButtonBox.StandardButton.NoButton
    )


def test_every_text_of_the_window_and_dialogs_is_translated(
    qtbot: QtBot,
    pseudo_german: list[QTranslator],
    engine: UploadEngine,
    bucket: str,
    event_loop_qt: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    from s3desk.core.bucket.deleting import DeleteResult
    from s3desk.core.transfer.download.plan import DownloadPlan
    from s3desk.ui.browser.incomplete_uploads import IncompleteUploadsDialog, abort_summary
    from s3desk.ui.browser.texts import delete_summary, download_summary, expiry_words
    from s3desk.ui.settings.accounts_dialog import AccountsDialog
    from s3desk.ui.settings.settings_dialog import SettingsDialog
    from s3desk.ui.window.main_window import MainWindow

    texts = Texts()
    window = MainWindow(engine, bucket=bucket)
    qtbot.addWidget(window)
    # The storage's name and address come from the core.
    texts.tree(window, data=frozenset({engine.endpoint.label}))

    settings = SettingsDialog(SettingsStore(), window)
    texts.tree(settings)
    # Qt's catalogue translates the standard buttons: proof that it was loaded too.
    assert settings.save_button.text().replace("&", "") not in ("", "Save")

    store = AccountStore(
        path=tmp_path / "accounts.toml", secrets=SecretStore(backend=MemoryKeyring())
    )
    texts.tree(AccountsDialog(store, window))
    texts.tree(IncompleteUploadsDialog(lambda: None, bucket, "docs/", parent=window))

    # Texts made outside the widgets' methods, in the modules' own contexts; the totals
    # line part by part (each is a message of its own).
    busy = Totals(4, 1, 1, 1, 1, 1, 4096, 1024, 512.0, 6.0, 1, 1)
    for where, text in (
        ("expiry_words", expiry_words(7 * 86400)),
        ("download_summary", download_summary(DownloadPlan(), "/tmp")),
        ("delete_summary", delete_summary(DeleteResult(cancelled=True))),
        ("abort_summary", abort_summary(2, [])),
        ("totals_text (idle)", window.totals_text(replace(busy, files_total=0))),
        *(("totals_text", part) for part in window.totals_text(busy).split(" · ")),
    ):
        texts.expect(where, text)

    assert not texts.failures, (
        f"{len(texts.failures)} of {texts.checked} texts were not translated:\n"
        + "\n".join(texts.failures)
    )
    assert texts.checked > 150  # the walk found the texts


def test_the_catalogue_template_is_up_to_date(tmp_path: Path) -> None:
    """resources/translations/s3desk.ts holds exactly the messages of the sources: a new or
    changed tr() text without `make translations` fails here."""
    fresh = tmp_path / "s3desk.ts"
    _lupdate(fresh)
    wanted, stored = _messages(fresh), _messages(TEMPLATE)
    missing = sorted(wanted - stored)
    stale = sorted(stored - wanted)
    assert not missing and not stale, (
        "run `make translations`:\n"
        + "".join(f"  missing: {m[0]}: {m[1]!r}\n" for m in missing)
        + "".join(f"  stale: {m[0]}: {m[1]!r}\n" for m in stale)
    )


def test_english_has_a_singular_and_a_plural_for_every_count(
    qapp: QApplication, tmp_path: Path
) -> None:
    """s3desk_en.ts gives every %n message its English forms, and the shipped .qm is
    compiled from it: "1 file" and "2 files", never "1 file(s)"."""
    english = TEMPLATE.with_name("s3desk_en.ts")
    plurals = {m[:3] for m in _messages(TEMPLATE) if m[3]}
    forms: dict[tuple[str, str, str], list[str]] = {}
    for context in ET.parse(english).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            key = (context.findtext("name", ""), message.findtext("source", ""),
                   message.findtext("comment", ""))  # fmt: skip
            if translation.get("type") != "unfinished":
                forms[key] = [f.text or "" for f in translation.iter("numerusform")]
    assert sorted(plurals - set(forms)) == [], "give these English forms in s3desk_en.ts"
    assert all(len(f) == 2 and all(f) and "(s)" not in "".join(f) for f in forms.values())

    compiled = tmp_path / "s3desk_en.qm"
    subprocess.run([_tool("lrelease"), "-silent", str(english), "-qm", str(compiled)], check=True)
    assert compiled.read_bytes() == english.with_suffix(".qm").read_bytes(), (
        "run `make translations`"
    )
    translator = QTranslator()
    assert translator.load(str(compiled))
    one = translator.translate("MainWindow", "{done} of %n file(s) done", "", 1)
    many = translator.translate("MainWindow", "{done} of %n file(s) done", "", 4)
    assert (one, many) == ("{done} of %n file done", "{done} of %n files done")


def _contexts_in(path: Path) -> set[str]:
    """The classes of a module that call ``self.tr()``: each is a context of the catalogue."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "tr"
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "self"
            for call in ast.walk(node)
        ):
            found.add(node.name)
    return found


def test_every_module_of_the_ui_is_extracted_and_checked(tmp_path: Path) -> None:
    """The views live in sub-packages of ui/: `make translations` and tools/check_tr.py
    read every module there, so no text of a sub-package goes untranslated or unchecked."""
    by_module = {path: _contexts_in(path) for path in UI.rglob("*.py")}
    with_texts = {path for path, contexts in by_module.items() if contexts}
    assert any(path.parent != UI for path in with_texts)  # the sub-packages have texts

    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # The lupdate commands as `make translations` runs them, without running anything.
    dry = subprocess.run(
        [make, "-n", "-s", "-C", str(ROOT), "translations", "STAMP="],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    joined = dry.stdout.replace("\\\n", " ")  # continued lines
    commands = [line for line in joined.splitlines() if "lupdate" in line]
    assert commands
    for command in commands:
        read = {(ROOT / word).resolve() for word in command.split() if word.endswith(".py")}
        assert sorted(with_texts - read) == [], "make translations skips these"

    fresh = tmp_path / "s3desk.ts"
    _lupdate(fresh)
    contexts = {message[0] for message in _messages(fresh)}
    for path in with_texts:
        assert by_module[path] <= contexts, f"{path}: not in the catalogue"

    checked = {path.resolve() for path in _load_checker().default_paths()}
    assert sorted(set(by_module) - checked) == [], "tools/check_tr.py skips these"


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_tr", ROOT / "tools" / "check_tr.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_tr"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# What the checker must report is marked "# <-" (on the line of the literal).
CHECKED = """
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

HEADERS = (QT_TRANSLATE_NOOP("Model", "Name"), QT_TRANSLATE_NOOP("Model", "Size"))  # <-
CHOICES = (("ask", "Ask me"), ("skip", QT_TRANSLATE_NOOP("View", "Skip")))  # <-


class Model:
    def headerData(self, section, orientation, role=0):
        return HEADERS[section]  # marked, never translated


class GoodModel:
    def headerData(self, section, orientation, role=0):
        return QCoreApplication.translate("Model", HEADERS[section])


def summary(n):
    return f"{n} files"  # <- shown by setText below


class View(QWidget):
    def build(self, box, icon):
        QLabel("Hello")  # <-
        QLabel(self.tr("Hello"))
        QLabel("s3desk")  # notr
        self.setWindowTitle(self.tr(f"{self.name}"))  # <- an f-string lupdate cannot see
        box.addItem("Label", "data")  # <- the text, not the data
        box.addItem(icon, "With icon", "data")  # <-
        box.addItem(self.tr("Fine"), "data")
        QMessageBox.warning(self, "Title", self.tr("Text"))  # <-
        QFileDialog.getSaveFileName(self, self.tr("Save"), "/home", "CSV (*.csv)")  # <-
        text = "Through a name"  # <-
        self.label.setToolTip(text)
        self.label.setText("https://example.com/path")
        self.label.setText("<b>{n}</b> %1 —")
        self.label.setText(self.tr("Saved {path}").format(path="data.csv"))
        self.tip("Through a parameter")  # <-
        self.label.setText(summary(3))
        self.parent().tr("Wrong context")  # <-
        for value, title in CHOICES:
            box.addItem(QCoreApplication.translate("View", title), value)
        self.label.setText(" · ".join(["Joined"]))  # <-

    def tip(self, text):
        self.label.setToolTip(text)
"""


def test_the_checker_finds_untranslated_text(tmp_path: Path) -> None:
    checker = _load_checker()
    path = tmp_path / "view.py"
    path.write_text(CHECKED, encoding="utf-8")
    found = checker.check_file(path)
    marked = [n for n, line in enumerate(CHECKED.splitlines(), 1) if "# <-" in line]
    assert sorted({f.line for f in found}) == marked, "\n".join(f.format("view.py") for f in found)
    assert checker.main([str(path)]) == 1
    clean = tmp_path / "clean.py"
    clean.write_text('from PySide6.QtWidgets import QLabel\nQLabel("s3desk")  # notr\n')
    assert checker.main([str(clean)]) == 0
