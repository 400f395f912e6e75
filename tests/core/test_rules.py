"""Per-account upload rules (core/compliance/rules.py): types by name and content, sizes,
object keys from a template with sanitising, the TOML table, and reading first bytes safely."""

from __future__ import annotations

import errno
import os
import tomllib
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
import tomli_w

from s3desk.core.compliance import rules as rules_module
from s3desk.core.compliance.refusals import (
    BAD_KEY,
)
from s3desk.core.compliance.rules import (
    BLOCKED_TYPE,
    CONTENT_MISMATCH,
    DISGUISED,
    EMPTY,
    PROGRAM,
    TOO_LARGE,
    TYPE_NOT_ALLOWED,
    UNREADABLE,
    Refusal,
    RulesError,
    UploadRules,
    format_size,
    parse_size,
    read_head,
)
from s3desk.core.storage.keys import MAX_KEY_BYTES
from s3desk.core.storage.parts import MAX_OBJECT_SIZE
from s3desk.core.transfer.upload.scan import FoundFile, scan
from tests.file_samples import (
    DOCX,
    ELF,
    JPEG,
    MACHO,
    NO_BYTES,
    PDF,
    PE,
    PNG,
    SCRIPT,
    TEXT,
    ZIP,
)

ANY = UploadRules()
NO_PROGRAMS = UploadRules(blocked_types=frozenset({"programs"}))
NOW = datetime(2025, 3, 1, 9, 30)


def code(rules: UploadRules, name: str, head: bytes, size: int | None = None) -> str | None:
    refusal = rules.check(name, len(head) if size is None else size, head)
    return refusal.code if refusal else None


def allow(*types: str) -> UploadRules:
    return UploadRules(allowed_types=frozenset(types))


def block(*types: str) -> UploadRules:
    return UploadRules(blocked_types=frozenset(types))


# ---------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("name", "head", "anything", "no_programs"),
    [
        ("report.pdf", PDF, None, None),
        ("photo.jpg", JPEG, None, None),
        ("chart.png", PNG, None, None),
        ("files.zip", ZIP, None, None),
        ("letter.docx", DOCX, None, None),
        ("notes.txt", TEXT, None, None),
        ("empty.txt", NO_BYTES, None, None),
        ("empty", NO_BYTES, None, None),
        ("backup.bak", ZIP, None, None),  # a harmless mismatch the app lets through
        ("drawing.ai", PDF, None, None),  # Illustrator files are PDFs
        ("tool", ELF, None, PROGRAM),
        ("firmware.bin", ELF, None, PROGRAM),  # .bin is not a program's name; ELF is
        ("app", MACHO, None, PROGRAM),
        ("notes.txt", SCRIPT, None, PROGRAM),  # a #! script named as text
        ("deploy.sh", SCRIPT, None, BLOCKED_TYPE),
        ("setup.exe", PE, None, BLOCKED_TYPE),
        ("setup.exe", NO_BYTES, EMPTY, BLOCKED_TYPE),  # the name alone is enough to block
        ("setup.exe. ", PE, None, BLOCKED_TYPE),  # Windows would drop ". "
        # Misleading names: refused whatever the lists say.
        ("cat.jpg", ELF, CONTENT_MISMATCH, CONTENT_MISMATCH),
        ("invoice.pdf", PE, CONTENT_MISMATCH, CONTENT_MISMATCH),
        ("chart.txt", PNG, CONTENT_MISMATCH, CONTENT_MISMATCH),
        ("photo.jpg", PNG, CONTENT_MISMATCH, CONTENT_MISMATCH),
        ("letter.docx", TEXT, CONTENT_MISMATCH, CONTENT_MISMATCH),
        ("tool.exe", ELF, CONTENT_MISMATCH, BLOCKED_TYPE),
        ("empty.pdf", NO_BYTES, EMPTY, EMPTY),
        ("empty.docx", NO_BYTES, EMPTY, EMPTY),
        ("invoice.pdf.exe", PE, DISGUISED, BLOCKED_TYPE),
        ("invoice\u202efdp.exe", PE, DISGUISED, BLOCKED_TYPE),
    ],
)
def test_types_by_name_and_content(
    name: str, head: bytes, anything: str | None, no_programs: str | None
) -> None:
    assert code(ANY, name, head) == anything
    assert code(NO_PROGRAMS, name, head) == no_programs


@pytest.mark.parametrize(
    ("rules", "name", "head", "message"),
    [
        (ANY, "invoice.pdf.exe", PE, "invoice.pdf.exe is a Windows program (.exe), not a PDF. "
         "Programs named like documents are not uploaded"),
        (NO_PROGRAMS, "invoice.pdf.exe", PE, "invoice.pdf.exe is a Windows program (.exe), not a "
         "PDF; programs are not allowed"),
        (ANY, "cat.jpg", ELF, "cat.jpg is a Linux program (ELF), not a JPEG image"),
        (ANY, "invoice.pdf", PE, "invoice.pdf is a Windows program (EXE/DLL), not a PDF "
         "document"),
        (ANY, "chart.txt", PNG, "chart.txt is a PNG image, not text"),
        (ANY, "letter.docx", TEXT, "letter.docx is named .docx but its content is not a ZIP "
         "archive"),
        (ANY, "empty.pdf", NO_BYTES, "empty.pdf is empty (0 bytes), so it is not a PDF document"),
        (NO_PROGRAMS, "tool", ELF, "tool is a Linux program (ELF); programs are not allowed"),
        (NO_PROGRAMS, "setup.exe", PE, "setup.exe is a Windows program (.exe); programs are not "
         "allowed"),
        (ANY, "invoice\u202efdp.exe", PE, "invoice<U+202E>fdp.exe is a Windows program (.exe); "
         "its name contains right-to-left text controls (U+202E) that can make it display as "
         "another type. Programs named like documents are not uploaded"),
    ],
)  # fmt: skip
def test_refusals_say_why_in_plain_words(
    rules: UploadRules, name: str, head: bytes, message: str
) -> None:
    refusal = rules.check(name, len(head), head)
    assert refusal is not None
    assert refusal.message == message
    assert str(refusal) == message


def test_allowed_types() -> None:
    rules = allow("jpg", ".PDF")
    assert rules.allowed_types == frozenset({"jpg", "pdf"})
    assert code(rules, "photo.jpg", JPEG) is None
    assert code(rules, "REPORT.PDF", PDF) is None
    assert code(rules, "chart.png", PNG) == TYPE_NOT_ALLOWED
    assert code(rules, "setup.exe", PE) == TYPE_NOT_ALLOWED
    assert code(rules, "invoice.pdf.exe", PE) == DISGUISED
    refusal = rules.check("chart.png", len(PNG), PNG)
    assert refusal is not None
    assert (
        refusal.message
        == "chart.png: files of type .png are not allowed here (allowed: .jpg, .pdf)"
    )
    refusal = rules.check("README", len(TEXT), TEXT)
    assert refusal is not None
    assert refusal.message.startswith("README: files without an extension are not allowed here")


def test_an_allow_list_judges_the_content_too() -> None:
    rules = allow("dat", "txt")
    assert code(rules, "table.dat", TEXT) is None
    assert code(rules, "table.dat", ZIP) == TYPE_NOT_ALLOWED  # a ZIP archive, whatever the name
    assert code(rules, "firmware.dat", ELF) == PROGRAM
    assert code(rules, "notes.txt", SCRIPT) == PROGRAM
    refusal = rules.check("table.dat", len(ZIP), ZIP)
    assert refusal is not None
    assert refusal.message == (
        "table.dat is a ZIP archive; files of type .zip are not allowed here (allowed: .dat, .txt)"
    )
    assert code(allow("sh"), "deploy.sh", SCRIPT) is None  # allowed by name, and it is one


def test_programs_group() -> None:
    rules = allow("programs")
    assert code(rules, "setup.exe", PE) is None
    assert code(rules, "invoice.pdf.exe", PE) is None  # programs are explicitly wanted here
    assert code(rules, "tool", ELF) == TYPE_NOT_ALLOWED  # the group names extensions...
    assert code(allow("programs", ""), "tool", ELF) is None  # ...so allow "no extension" too
    assert code(rules, "photo.jpg", JPEG) == TYPE_NOT_ALLOWED
    assert code(allow("exe"), "invoice.pdf.exe", PE) is None


def test_blocked_beats_allowed() -> None:
    both = UploadRules(allowed_types=frozenset({"exe", "pdf"}), blocked_types=frozenset({"exe"}))
    assert code(both, "setup.exe", PE) == BLOCKED_TYPE
    assert code(both, "report.pdf", PDF) is None
    group = UploadRules(allowed_types=frozenset({"exe"}), blocked_types=frozenset({"programs"}))
    assert code(group, "setup.exe", PE) == BLOCKED_TYPE
    listed = UploadRules(allowed_types=frozenset({"programs"}), blocked_types=frozenset({"sh"}))
    assert code(listed, "deploy.sh", SCRIPT) == BLOCKED_TYPE
    assert code(listed, "setup.exe", PE) is None


def test_blocked_types_by_name_and_by_content() -> None:
    rules = block("zip", "iso", "")
    assert code(rules, "files.zip", ZIP) == BLOCKED_TYPE
    assert code(rules, "backup.bak", ZIP) == BLOCKED_TYPE  # the content is a ZIP archive
    assert code(rules, "letter.docx", DOCX) is None  # name and content agree: a document
    assert code(rules, "disk.iso", NO_BYTES) == BLOCKED_TYPE
    assert code(rules, "README", TEXT) == BLOCKED_TYPE
    refusal = rules.check("disk.iso", 0, b"")
    assert refusal is not None
    assert refusal.message == "disk.iso: files of type .iso are not allowed"
    refusal = block("exe").check("setup.exe", 0, b"")
    assert refusal is not None
    assert (
        refusal.message
        == "setup.exe is a Windows program (.exe); files of type .exe are not allowed"
    )
    exe = block("exe")
    assert code(exe, "payload", PE) == BLOCKED_TYPE  # a Windows program with no name for it
    assert code(exe, "library.dll", PE) is None  # only .exe was blocked


def test_scripts_count_as_their_interpreters_language() -> None:
    python = b"#!/usr/bin/env python3\nprint('hi')\n"
    assert code(block("sh"), "backup", SCRIPT) == BLOCKED_TYPE
    assert code(block("py"), "tool", python) == BLOCKED_TYPE
    assert code(block("py"), "run.sh", python) == BLOCKED_TYPE
    assert code(block("sh"), "tool.py", python) is None
    assert code(block("sh"), "tool", python) is None
    refusal = block("sh").check("backup", len(SCRIPT), SCRIPT)
    assert refusal is not None
    assert refusal.message == "backup is a shell script (#!); files of type .sh are not allowed"


def test_only_a_0_byte_file_is_called_empty() -> None:
    assert code(ANY, "photo.jpg", b"", size=0) == EMPTY
    refusal = ANY.check("photo.jpg", 5000, b"")  # nothing read of a file that has bytes
    assert refusal == Refusal(
        "photo.jpg is named .jpg but its content is not a JPEG image", CONTENT_MISMATCH
    )


def test_allowed_programs_are_not_refused_for_their_type() -> None:
    rules = allow("programs", "")
    assert code(rules, "payload", PE) is None
    assert code(rules, "backup", SCRIPT) is None
    assert code(rules, "notes", TEXT) is None


# ---------------------------------------------------------------------------- sizes


def test_size_limit() -> None:
    rules = UploadRules(max_size=100)
    assert code(rules, "a.txt", b"x", size=100) is None
    refusal = rules.check("big.txt", 101, b"x")
    assert refusal == Refusal("big.txt is 101 B; the limit is 100 B", TOO_LARGE)
    assert code(UploadRules(max_size=0), "empty.txt", b"", size=0) is None
    assert code(UploadRules(max_size=0), "a.txt", b"x", size=1) == TOO_LARGE
    # S3's own limit applies without rules.
    refusal = ANY.check("huge.txt", MAX_OBJECT_SIZE + 1, b"x")
    assert refusal is not None
    assert refusal.code == TOO_LARGE
    assert "at most 5 TiB" in refusal.message
    assert code(ANY, "huge.txt", b"x", size=MAX_OBJECT_SIZE) is None


def test_type_is_reported_before_size() -> None:
    rules = UploadRules(max_size=1, blocked_types=frozenset({"programs"}))
    assert code(rules, "setup.exe", PE, size=10**9) == BLOCKED_TYPE


@pytest.mark.parametrize(
    ("text", "size"),
    [(1000, 1000), ("5 GiB", 5 * 1024**3), ("500 MB", 500 * 1000**2), ("16M", 16 * 1024**2),
     ("1.5 KiB", 1536), ("0", 0)],
)  # fmt: skip
def test_parse_size(text: object, size: int) -> None:
    assert parse_size(text, "max_size") == size


@pytest.mark.parametrize("bad", ["five", "-1", "5 XB", True, -3, 1.5, None])
def test_parse_size_refuses(bad: object) -> None:
    with pytest.raises(RulesError, match=r"max_size: .* is not a size"):
        parse_size(bad, "max_size")


def test_format_size_reads_back() -> None:
    assert format_size(5 * 1024**3) == "5 GiB"
    assert format_size(1536) == 1536
    for size in (0, 1, 1536, 1024**2, 7 * 1024**4, 10**9):
        assert parse_size(format_size(size), "x") == size


# ---------------------------------------------------------------------------- reading


def test_read_head(tmp_path: Path) -> None:
    long = tmp_path / "long.bin"
    long.write_bytes(bytes(range(256)) * 4)
    assert read_head(long) == (bytes(range(256)) * 2)
    short = tmp_path / "short.txt"
    short.write_bytes(b"hello")
    assert read_head(str(short)) == b"hello"
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert read_head(empty) == b""


def test_read_head_turns_trouble_into_refusals(tmp_path: Path) -> None:
    gone = read_head(tmp_path / "gone.pdf")
    assert gone == Refusal(
        "gone.pdf no longer exists (moved or deleted after it was added)", UNREADABLE
    )
    folder = read_head(tmp_path)
    assert isinstance(folder, Refusal)
    assert folder.message == f"{tmp_path.name} is a folder, not a file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_read_head_does_not_wait_on_a_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    refusal = read_head(pipe)  # opening a pipe for reading would block without a writer
    assert refusal == Refusal("pipe is not a regular file (a device, pipe or socket)", UNREADABLE)


def test_read_head_permission_and_io_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.txt"
    path.write_bytes(b"x")

    def denied(*args: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    def broken(*args: object) -> bytes:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as patch:
        patch.setattr(rules_module.os, "open", denied)
        assert read_head(path) == Refusal(
            "secret.txt cannot be read: permission denied", UNREADABLE
        )
    with monkeypatch.context() as patch:
        patch.setattr(rules_module.os, "read", broken)
        assert read_head(path) == Refusal(
            "secret.txt cannot be read: Input/output error", UNREADABLE
        )


def test_review_a_drop_refuses_some_and_goes_on(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    (drop / "photo.jpg").write_bytes(JPEG)
    (drop / "sub" / "cat.jpg").write_bytes(ELF)
    (drop / "invoice.pdf.exe").write_bytes(PE)
    (drop / "notes .txt ").write_bytes(TEXT)
    rules = UploadRules(max_size=10_000, key_template="in/{user}/{path}")
    found = [item for item in scan([drop]) if isinstance(item, FoundFile)]
    found.append(FoundFile(str(drop / "gone.txt"), "drop/gone.txt", 5, 0))  # deleted since
    verdicts = {v.mapping.local_name: v for v in (rules.review(f, "alice", NOW) for f in found)}
    assert {name: v.refusal.code if v.refusal else None for name, v in verdicts.items()} == {
        "drop/photo.jpg": None,
        "drop/sub/cat.jpg": CONTENT_MISMATCH,
        "drop/invoice.pdf.exe": DISGUISED,
        "drop/notes .txt ": None,
        "drop/gone.txt": UNREADABLE,
    }
    assert verdicts["drop/photo.jpg"].ok
    assert verdicts["drop/photo.jpg"].mapping.key == "in/alice/drop/photo.jpg"
    assert verdicts["drop/notes .txt "].mapping.key == "in/alice/drop/notes .txt"
    assert verdicts["drop/photo.jpg"].path == str(drop / "photo.jpg")


def test_review_refuses_a_bad_key_of_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x")
    rules = UploadRules(key_template="{user}/{path}")
    verdict = rules.review(FoundFile(str(path), "a.txt", 1, 0), "", NOW)
    assert verdict.refusal is not None
    assert verdict.refusal.code == BAD_KEY
    assert not verdict.ok


# ---------------------------------------------------------------------------- keys


def test_key_templates() -> None:
    rules = UploadRules(key_template="inbox/{user}/{date}/{path}")
    mapping = rules.key_for("photos/2024/beach.jpg", "alice", NOW)
    assert mapping.key == "inbox/alice/2025-03-01/photos/2024/beach.jpg"
    assert mapping.changes == ()
    assert mapping.refusal is None
    assert str(mapping) == "photos/2024/beach.jpg → inbox/alice/2025-03-01/photos/2024/beach.jpg"
    parts = UploadRules(key_template="{year}/{month}/{day}/{user}-{name}")
    assert parts.key_for("photos/2024/beach.jpg", "bob", NOW).key == "2025/03/01/bob-beach.jpg"
    assert ANY.key_for("photos/2024/beach.jpg", "alice", NOW).key == "photos/2024/beach.jpg"
    # Below the destination folder, which keys.join_key joins as the engine does.
    assert ANY.key_for("a.txt", "alice", NOW, prefix="team").key == "team/a.txt"
    assert rules.key_for("a.txt", "alice", NOW, prefix="team/").key == (
        "team/inbox/alice/2025-03-01/a.txt"
    )


def test_unicode_names_become_nfc_keys() -> None:
    nfd = unicodedata.normalize("NFD", "Résumé/café.pdf")
    nfc = unicodedata.normalize("NFC", "Résumé/café.pdf")
    assert nfd != nfc
    from_mac = ANY.key_for(nfd, "alice", NOW)
    typed = ANY.key_for(nfc, "alice", NOW)
    assert from_mac.key == typed.key == nfc
    assert [c.code for c in from_mac.changes] == ["nfc"]
    assert typed.changes == ()
    assert UploadRules(sanitise=False).key_for(nfd, "a", NOW).key == nfc


@pytest.mark.parametrize(
    ("relative", "key", "codes"),
    [
        ("a\tb\n.txt", "a_b_.txt", ["control"]),
        ("bell\x07\x7f\x85.txt", "bell___.txt", ["control"]),
        ("line\u2028break.txt", "line_break.txt", ["control"]),
        ("dir\\file.txt", "dir_file.txt", ["backslash"]),
        ("Folder. /Report .pdf. ", "Folder/Report .pdf", ["trailing"]),
        ("  indented.txt", "indented.txt", ["leading"]),
        ("../etc/passwd", "_/etc/passwd", ["dots"]),
        ("a/./b.txt", "a/_/b.txt", ["dots"]),
        ("a//b.txt", "a/b.txt", ["empty"]),
        ("invoice\u202efdp.exe", "invoicefdp.exe", ["invisible"]),
        ("zero\u200bwidth\ufeff.txt", "zerowidth.txt", ["invisible"]),
        ("caf\udce9.txt", "caf_.txt", ["not_utf8"]),
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467.jpg",
         "\U0001f468\u200d\U0001f469\u200d\U0001f467.jpg", []),
        ("ordinary (1) & co #2, 50%.txt", "ordinary (1) & co #2, 50%.txt", []),
        (".env", ".env", []),
    ],
)  # fmt: skip
def test_sanitising(relative: str, key: str, codes: list[str]) -> None:
    mapping = ANY.key_for(relative, "alice", NOW)
    assert mapping.refusal is None
    assert mapping.key == key
    assert [c.code for c in mapping.changes] == codes
    assert mapping.changed == bool(codes)


def test_changes_say_what_and_why() -> None:
    mapping = ANY.key_for("invoice\u202efdp.exe", "alice", NOW)
    (change,) = mapping.changes
    assert "U+202E" in change.message
    assert "display as something else" in change.message
    trailing = ANY.key_for("Folder. /Report .pdf. ", "alice", NOW).changes[0].message
    assert trailing == (
        "Removed dots and spaces at the end of 'Folder. ', 'Report .pdf. ': Windows drops them"
    )
    # The local name is shown so that it cannot disguise itself either.
    assert str(ANY.key_for("a\tb.txt", "alice", NOW)) == "a<U+0009>b.txt → a_b.txt"


def test_sanitising_off_keeps_names_as_they_are() -> None:
    rules = UploadRules(sanitise=False)
    mapping = rules.key_for("a\tb/c\\d. ", "alice", NOW)
    assert (mapping.key, mapping.changes) == ("a\tb/c\\d. ", ())
    refused = rules.key_for("caf\udce9.txt", "alice", NOW)
    assert refused.refusal is not None
    assert refused.refusal.code == BAD_KEY
    assert "not valid UTF-8" in refused.refusal.message
    assert refused.key == ""


def test_user_name_in_keys() -> None:
    rules = UploadRules(key_template="{user}/{path}")
    mapping = rules.key_for("a.txt", "ad/min", NOW)
    assert mapping.key == "ad_min/a.txt"
    assert [c.code for c in mapping.changes] == ["user"]
    missing = rules.key_for("a.txt", "", NOW)
    assert missing.refusal is not None
    assert "no user name" in missing.refusal.message
    assert ANY.key_for("a.txt", "", NOW).key == "a.txt"  # not needed without {user}


def test_keys_stay_within_s3s_limit() -> None:
    fits = "d/" + "é" * ((MAX_KEY_BYTES - 2) // 2)  # exactly 1,024 bytes
    assert len(fits.encode()) == MAX_KEY_BYTES
    assert ANY.key_for(fits, "alice", NOW).key == fits
    over = ANY.key_for(fits + "x", "alice", NOW)
    assert over.refusal is not None
    assert over.refusal.code == BAD_KEY
    assert "at most 1,024" in over.refusal.message
    assert over.key == ""
    templated = UploadRules(key_template="inbox/{user}/{date}/{path}").key_for(fits, "al", NOW)
    assert templated.refusal is not None
    assert "key template 'inbox/{user}/{date}/{path}' makes the object name 1,044 bytes" in (
        templated.refusal.message
    )
    assert "20 more than the file's path" in templated.refusal.message
    assert len(templated.refusal.message) < 400  # a long path is shortened in the message


def test_a_path_without_a_file_name_is_refused() -> None:
    mapping = ANY.key_for("folder/", "alice", NOW)
    assert mapping.refusal is not None
    assert mapping.refusal.message == "folder/ has no file name"


@pytest.mark.parametrize(
    "template",
    ["{path", "{foo}/{path}", "/abs/{path}", "a\\b/{path}", "inbox/", "{user}/{date}",
     "a//{path}", "../{path}", "inbox./{path}", " inbox/{path}", "{path}/", "in\tbox/{path}", ""],
)  # fmt: skip
def test_bad_key_templates(template: str) -> None:
    with pytest.raises(RulesError, match="key_template"):
        UploadRules(key_template=template)


# ---------------------------------------------------------------------------- TOML

ACCOUNTS_TOML = """
version = 1

[[accounts]]
name = "Company"
kind = "s3-compatible"

[accounts.rules]
allowed_types = ["jpg", "JPEG", ".pdf", "docx", "programs"]
blocked_types = ["exe"]
max_size = "5 GiB"
key_template = "inbox/{user}/{date}/{path}"
sanitise = false
"""


def test_rules_from_an_accounts_table() -> None:
    entry = tomllib.loads(ACCOUNTS_TOML)["accounts"][0]
    rules = UploadRules.from_dict(entry["rules"])
    assert rules == UploadRules(
        allowed_types=frozenset({"jpg", "jpeg", "pdf", "docx", "programs"}),
        blocked_types=frozenset({"exe"}),
        max_size=5 * 1024**3,
        key_template="inbox/{user}/{date}/{path}",
        sanitise=False,
    )
    again = UploadRules.from_dict(tomllib.loads(tomli_w.dumps(rules.to_dict())))
    assert again == rules
    assert rules.to_dict()["max_size"] == "5 GiB"


def test_defaults_are_an_empty_table() -> None:
    assert UploadRules.from_dict({}) == UploadRules()
    assert UploadRules().to_dict() == {}
    assert UploadRules.from_dict({"allowed_types": ["*"]}).allowed_types is None
    odd = UploadRules(max_size=1000)
    assert UploadRules.from_dict(odd.to_dict()) == odd


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"sanitize": False}, "unknown key 'sanitize' (did you mean sanitise?)"),
        ({"blocked_type": ["exe"]}, "unknown key 'blocked_type' (did you mean blocked_types?)"),
        ({"allowed_types": "jpg"}, "allowed_types: expected a list"),
        ({"allowed_types": [1]}, "allowed_types: expected a list"),
        ({"allowed_types": []}, "the list is empty"),
        ({"allowed_types": ["*", "jpg"]}, '"*" already allows every type'),
        ({"blocked_types": ["*"]}, "would refuse every file"),
        ({"blocked_types": ["tar.gz"]}, "judged by their last extension ('gz')"),
        ({"max_size": "lots"}, "max_size: 'lots' is not a size"),
        ({"max_size": "6 TiB"}, "at most 5 TiB"),
        ({"key_template": "{user}/x"}, "needs {path} or {name}"),
        ({"key_template": 5}, "key_template: expected a string"),
        ({"sanitise": "yes"}, "sanitise: expected true or false"),
    ],
)
def test_bad_tables_say_what_is_wrong(table: dict[str, object], words: str) -> None:
    with pytest.raises(RulesError) as caught:
        UploadRules.from_dict(table, where="account 'Company' [accounts.rules]")
    assert str(caught.value).startswith("account 'Company' [accounts.rules]")
    assert words in str(caught.value)
