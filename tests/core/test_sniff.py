"""File types from first bytes and names (core/compliance/sniff.py), shared by the app and the
service, checked on real file beginnings (tests/file_samples.py)."""

from __future__ import annotations

import io
import struct
import sys
import zipfile
import zlib

import pytest

from s3desk.broker import sniff as broker_sniff
from s3desk.broker.errors import Refusal
from s3desk.core.compliance import sniff
from s3desk.core.compliance.sniff import (
    detect,
    disguise,
    extension,
    mismatch,
    script_extensions,
    visible,
)
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


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (JPEG, sniff.JPEG),
        (PNG, sniff.PNG),
        (PDF, sniff.PDF),
        (ZIP, sniff.ZIP),
        (DOCX, sniff.OFFICE),
        (ELF, sniff.ELF),
        (PE, sniff.PE),
        (MACHO, sniff.MACHO),
        (SCRIPT, sniff.SCRIPT),
        (TEXT, None),
        (NO_BYTES, None),
        (PNG[:4], None),  # too short to be sure
    ],
    ids=["jpeg", "png", "pdf", "zip", "docx", "elf", "pe", "macho", "script", "text", "empty",
         "short"],
)  # fmt: skip
def test_detect_real_file_beginnings(head: bytes, kind: sniff.Kind | None) -> None:
    assert detect(head[: sniff.HEAD_BYTES]) == kind


def test_the_samples_are_the_real_thing() -> None:
    assert zipfile.ZipFile(io.BytesIO(DOCX)).namelist()[0] == "[Content_Types].xml"
    assert zlib.decompress(PNG[PNG.index(b"IDAT") + 4 : -16]) == b"\x00\xff"
    assert struct.unpack_from("<I", PE, 0x3C)[0] == PE.index(b"PE\x00\x00")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux programs are ELF")
def test_a_program_on_this_machine_is_recognised() -> None:
    with open(sys.executable, "rb") as f:
        assert detect(f.read(sniff.HEAD_BYTES)) == sniff.ELF


@pytest.mark.parametrize(
    ("name", "ext"),
    [
        ("Photo.JPG", "jpg"),
        ("invoice.pdf.exe", "exe"),  # the last extension is the one that counts
        ("archive.tar.gz", "gz"),
        ("README", ""),
        (".env", ""),
        ("setup.exe.", "exe"),  # Windows drops trailing dots and spaces
        ("setup.exe . ", "exe"),
        ("invoice\u202efdp.exe", "exe"),  # shows as "invoiceexe.pdf"
        ("report.p\u200bdf", "pdf"),  # a zero-width space does not change the type
    ],
)
def test_extension_is_the_last_one_as_windows_sees_it(name: str, ext: str) -> None:
    assert extension(name) == ext


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invoice.pdf.exe", "invoice.pdf.exe is a Windows program (.exe), not a PDF"),
        ("INVOICE.PDF.EXE", "INVOICE.PDF.EXE is a Windows program (.exe), not a PDF"),
        ("holiday.jpg.scr", "holiday.jpg.scr is a Windows program (.scr), not a picture"),
        ("minutes.docx   .js", "minutes.docx   .js is a JavaScript program (.js), not a document"),
        ("salaries.xlsx.bat", "salaries.xlsx.bat is a Windows batch script (.bat), not a "
         "spreadsheet"),
        ("invoice\u202efdp.exe", "invoice<U+202E>fdp.exe is a Windows program (.exe); its name "
         "contains right-to-left text controls (U+202E) that can make it display as another "
         "type"),
        ("setup.exe", None),
        ("report.pdf", None),
        ("archive.tar.gz", None),
        ("app.min.js", None),
        ("strings.json.js", None),  # a developer's convention, not a disguise
        ("photo\u202e.jpg", None),  # odd, but not a program
    ],
)  # fmt: skip
def test_disguised_programs(name: str, message: str | None) -> None:
    assert disguise(name) == message


@pytest.mark.parametrize(
    ("head", "extensions"),
    [
        (SCRIPT, {"sh", "bash", "zsh", "ksh", "csh", "fish", "command"}),
        (b"#!/usr/bin/env python3\nprint()\n", {"py", "pyw"}),
        (b"#!/usr/bin/python3.11 -u\n", {"py", "pyw"}),
        (b"#! /usr/bin/env -S node --harmony\n", {"js", "mjs"}),
        (b"#!/usr/bin/perl -w\n", {"pl"}),
        (b"#!/opt/custom/interpreter\n", set()),
        (b"#!\n", set()),
        (TEXT, set()),
    ],
)
def test_script_extensions_from_the_interpreter(head: bytes, extensions: set[str]) -> None:
    assert script_extensions(head) == extensions


def test_visible_writes_out_what_would_hide_or_break_a_line() -> None:
    assert visible("a\tb\u202ec\u200bd\n") == "a<U+0009>b<U+202E>c<U+200B>d<U+000A>"
    assert visible("caf\udce9.txt") == "caf<0xE9>.txt"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467.jpg"  # joiners belong to the emoji
    assert visible(family) == family
    assert visible("résumé.pdf") == "résumé.pdf"


@pytest.mark.parametrize(
    ("ext", "head", "reason", "strict_reason"),
    [
        ("jpg", JPEG, None, None),
        ("docx", DOCX, None, None),
        ("docx", ZIP, None, None),  # not every writer puts [Content_Types].xml first
        ("zip", DOCX, None, None),  # a document renamed to look inside is still a ZIP
        ("exe", PE, None, None),
        ("", ELF, None, None),
        ("txt", SCRIPT, None, "content"),  # text, but a program: the rules decide (below)
        ("bak", ZIP, None, "content"),  # only the service insists on the format's names
        ("ai", PDF, None, "content"),  # Illustrator files are PDFs
        ("jpg", ELF, "content", "content"),
        ("pdf", PE, "content", "content"),
        ("txt", PNG, "content", "content"),
        ("jpg", PNG, "content", "content"),
        ("docx", TEXT, "signature", "signature"),
        ("pdf", NO_BYTES, "signature", "signature"),  # an empty .pdf is not a PDF
        ("txt", b"abc\x00\x01\x02", "text", "text"),
        ("txt", b"\xff\xfeh\x00i\x00", None, None),  # UTF-16 text has NUL bytes
        ("txt", NO_BYTES, None, None),
    ],
)
def test_mismatch_app_and_service(
    ext: str, head: bytes, reason: str | None, strict_reason: str | None
) -> None:
    lenient = mismatch(ext, head, strict=False)
    strict = mismatch(ext, head, strict=True)
    assert (lenient.reason if lenient else None) == reason
    assert (strict.reason if strict else None) == strict_reason


def test_mismatch_names_what_the_content_is_and_should_be() -> None:
    wrong = mismatch("jpg", ELF, strict=False)
    assert wrong is not None
    assert (wrong.found, wrong.expected) == (sniff.ELF, sniff.JPEG)
    assert wrong.message() == "This file is named .jpg but its content is a Linux program (ELF)"


def test_the_service_uses_the_shared_module() -> None:
    assert broker_sniff.detect is sniff.detect
    assert broker_sniff.HEAD_BYTES == sniff.HEAD_BYTES == 512
    broker_sniff.check_content("docx", DOCX[:512])
    broker_sniff.check_content("zip", DOCX[:512])
    with pytest.raises(Refusal) as caught:
        broker_sniff.check_content("bak", ZIP)  # the service stays strict
    assert (caught.value.status, caught.value.code) == (415, "content_not_allowed")
    assert caught.value.message == "This file is named .bak but its content is a ZIP archive"
