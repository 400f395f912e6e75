"""File types from names and first bytes: one module for the desktop app's upload rules
(``core/compliance/rules.py``) and the upload service (``broker/sniff.py`` words its refusals).

Detection uses magic numbers only (no libmagic): formats whose files always start with a
fixed signature, read from a file's first ``HEAD_BYTES`` bytes. Two questions are asked:

- Does the content contradict the name? An extension in ``_EXPECTED`` (``.jpg``, ``.pdf``,
  ``.exe``, …) must come with its format's signature, and a text extension must hold text.
  ``mismatch(..., strict=True)`` (the service) also refuses any recognised content under an
  extension that is not one of its format's; the app's rules judge such files by what the
  content is instead (a program, or a type the lists name).
- Does the name pretend? Files are judged by their LAST extension, after trailing dots and
  spaces (which Windows drops) and invisible characters (bidirectional-text controls that make
  ``invoice<U+202E>fdp.exe`` show as ``invoiceexe.pdf``) are taken away; ``disguise`` says when a
  program hides behind a document's extension (``invoice.pdf.exe``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

HEAD_BYTES = 512
ANY_TYPE = "*"


@dataclass(frozen=True, slots=True)
class Kind:
    label: str  # for messages: "a JPEG image"
    extensions: frozenset[str]
    program: bool = False  # runs when opened: a native program or a script
    textual: bool = False  # text, so it may legitimately carry a text extension
    # The extension the content stands for when the name says something else ("" when the
    # format has no one typical extension): blocked and allowed lists are checked against it.
    primary: str = ""


def _kind(label: str, *extensions: str, program: bool = False, textual: bool = False) -> Kind:
    primary = "" if program else next((e for e in extensions if e), "")
    return Kind(label, frozenset(extensions), program, textual, primary)


JPEG = _kind("a JPEG image", "jpg", "jpeg", "jpe", "jfif")
PNG = _kind("a PNG image", "png")
GIF = _kind("a GIF image", "gif")
WEBP = _kind("a WebP image", "webp")
TIFF = _kind("a TIFF image", "tif", "tiff", "dng", "cr2", "nef", "arw")
PDF = _kind("a PDF document", "pdf")
ZIP = _kind(
    "a ZIP archive",
    "zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk", "vsdx", "kmz",
)  # fmt: skip
# A ZIP archive whose entries include [Content_Types].xml: Word, Excel, PowerPoint (OOXML).
OFFICE = _kind(
    "a Word, Excel or PowerPoint document",
    "docx", "xlsx", "pptx", "docm", "xlsm", "pptm", "dotx", "dotm", "xltx", "xltm", "potx",
    "potm", "ppsx", "ppsm", "xlam", "ppam", "vsdx", "vsdm", "zip",
)  # fmt: skip
OLE = _kind("an Office 97-2003 document", "doc", "xls", "ppt", "msg", "msi", "vsd")
GZIP = _kind("a gzip archive", "gz", "tgz")
SEVEN_ZIP = _kind("a 7-Zip archive", "7z")
RAR = _kind("a RAR archive", "rar")
XZ = _kind("an xz archive", "xz", "txz")
BZIP2 = _kind("a bzip2 archive", "bz2", "tbz2")
ZSTD = _kind("a Zstandard archive", "zst")
ISO_MEDIA = _kind(
    "an MP4/QuickTime/HEIF file", "mp4", "m4v", "m4a", "mov", "heic", "heif", "avif", "3gp",
)  # fmt: skip
WAV = _kind("a WAV audio file", "wav")
AVI = _kind("an AVI video", "avi")
OGG = _kind("an Ogg media file", "ogg", "oga", "ogv", "opus")
FLAC = _kind("a FLAC audio file", "flac")
MATROSKA = _kind("a Matroska/WebM video", "mkv", "webm", "mka")
ELF = _kind("a Linux program (ELF)", "", "so", "o", "elf", "bin", "axf", program=True)
PE = Kind(
    "a Windows program (EXE/DLL)",
    frozenset({"exe", "dll", "sys", "scr", "efi", "com", "cpl", "ocx"}),
    program=True,
    primary="exe",
)
MACHO = _kind("a macOS program (Mach-O)", "", "dylib", "bundle", "so", program=True)
JAVA_OR_FAT = _kind("a macOS program or Java class", "", "class", "dylib", program=True)
WASM = _kind("a WebAssembly module", "wasm")
SCRIPT = _kind(
    "a script (#!)", "", "sh", "bash", "zsh", "py", "pl", "rb", "js", "mjs", "php", "tcl", "lua",
    program=True, textual=True,
)  # fmt: skip

# Extensions whose files always start with their format's signature.
_EXPECTED: dict[str, tuple[Kind, ...]] = {}
for _k in (JPEG, PNG, GIF, WEBP, TIFF, PDF, ZIP, OFFICE, OLE, GZIP, SEVEN_ZIP, RAR, XZ, BZIP2,
           ZSTD, WAV, AVI, OGG, FLAC, MATROSKA, PE, WASM):  # fmt: skip
    for _ext in _k.extensions:
        _EXPECTED.setdefault(_ext, ())
        _EXPECTED[_ext] += (_k,)
for _ext in ("mp4", "m4v", "m4a", "heic", "heif", "avif", "3gp"):  # not .mov: old QuickTime
    _EXPECTED[_ext] = (ISO_MEDIA,)
SIGNED_EXTENSIONS = frozenset(_EXPECTED)

TEXT_EXTENSIONS = frozenset(
    {"txt", "csv", "tsv", "md", "json", "xml", "yaml", "yml", "log", "ini", "toml", "svg",
     "html", "htm", "srt", "vtt", "rtf"}
)  # fmt: skip
_TEXT_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 text is full of NUL bytes

# Extensions of files that run when opened (double-clicked, or by a shell), and what to call
# them. The "programs" group of the upload rules is these, plus content recognised as one.
PROGRAM_EXTENSIONS: dict[str, str] = {
    **dict.fromkeys(("exe", "com", "pif", "scr", "cpl", "efi"), "a Windows program"),
    **dict.fromkeys(("dll", "ocx", "sys"), "a Windows program library"),
    **dict.fromkeys(
        ("msi", "msp", "msix", "msixbundle", "appx", "appxbundle"), "a Windows installer"
    ),
    **dict.fromkeys(("bat", "cmd"), "a Windows batch script"),
    **dict.fromkeys(("ps1", "psm1"), "a PowerShell script"),
    **dict.fromkeys(("vbs", "vbe", "wsf", "wsh"), "a Windows script"),
    **dict.fromkeys(("js", "jse", "mjs"), "a JavaScript program"),
    "hta": "an HTML application (a Windows program)",
    "lnk": "a Windows shortcut",
    "reg": "a Windows registry file",
    **dict.fromkeys(("jar", "class"), "a Java program"),
    **dict.fromkeys(("apk", "aab", "xapk"), "an Android app"),
    "ipa": "an iOS app",
    "app": "a macOS app",
    **dict.fromkeys(("dmg", "pkg", "mpkg"), "a macOS installer"),
    "dylib": "a macOS program library",
    **dict.fromkeys(("deb", "rpm", "appimage", "snap", "flatpak", "run"), "a Linux package"),
    **dict.fromkeys(("elf", "axf"), "a Linux program"),
    "so": "a Linux program library",
    **dict.fromkeys(("sh", "bash", "zsh", "csh", "ksh", "fish", "command"), "a shell script"),
    **dict.fromkeys(("py", "pyw"), "a Python script"),
    "pl": "a Perl script",
    "rb": "a Ruby script",
    "php": "a PHP script",
    "lua": "a Lua script",
    "tcl": "a Tcl script",
}

# Document and media extensions that a program's name may pretend to have
# ("invoice.pdf.exe"), and what to call them. Deliberately not formats developers chain with
# script extensions on purpose (".json.js", ".html.js").
DISGUISE_NOUNS: dict[str, str] = {
    "pdf": "a PDF",
    **dict.fromkeys(("doc", "docx", "rtf", "odt"), "a document"),
    **dict.fromkeys(("xls", "xlsx", "ods", "csv"), "a spreadsheet"),
    **dict.fromkeys(("ppt", "pptx", "odp"), "a presentation"),
    "txt": "a text file",
    **dict.fromkeys(
        ("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "heic", "webp"), "a picture"
    ),
    **dict.fromkeys(("mp3", "wav", "m4a", "flac", "ogg"), "an audio file"),
    **dict.fromkeys(("mp4", "mov", "avi", "wmv", "mkv"), "a video"),
    **dict.fromkeys(("zip", "rar", "7z"), "an archive"),
}

# Characters that change how a name displays without being seen: bidirectional-text controls
# (U+202E makes "invoice\u202efdp.exe" show as "invoiceexe.pdf"), zero-width and filler
# characters, the soft hyphen. Zero-width (non-)joiners are left alone: emoji sequences and
# scripts such as Persian need them.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
INVISIBLE = BIDI_CONTROLS | frozenset(
    "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad\u034f"
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
)


def detect(head: bytes) -> Kind | None:  # noqa: PLR0912
    """The format ``head`` (a file's first bytes) announces, if it has a known signature."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": WEBP, b"WAVE": WAV, b"AVI ": AVI}.get(head[8:12])
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04") and b"[Content_Types].xml" in head:
        return OFFICE
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"\x1f\x8b"):
        return GZIP
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVEN_ZIP
    if head.startswith(b"Rar!\x1a\x07"):
        return RAR
    if head.startswith(b"\xfd7zXZ\x00"):
        return XZ
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4] in b"123456789":
        return BZIP2
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return ZSTD
    if head[4:8] == b"ftyp":
        return ISO_MEDIA
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MATROSKA
    if head.startswith(b"\x7fELF"):
        return ELF
    if head.startswith(b"MZ"):
        # DOS and Windows programs; "MZ" alone is short, but a document starting with those
        # two letters and named like an executable-free type is rare enough to refuse.
        return PE
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe"):  # fmt: skip
        return MACHO
    if head.startswith(b"\xca\xfe\xba\xbe"):
        return JAVA_OR_FAT
    if head.startswith(b"\x00asm"):
        return WASM
    if head.startswith(b"#!"):
        return SCRIPT
    return None


# A #! script's interpreter (its name without version digits) → the extensions of its kind.
_SHELLS = frozenset({"sh", "bash", "zsh", "ksh", "csh", "fish", "command"})
_INTERPRETERS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish"), _SHELLS
    ),
    "python": frozenset({"py", "pyw"}),
    "perl": frozenset({"pl"}),
    "ruby": frozenset({"rb"}),
    **dict.fromkeys(("node", "nodejs", "deno", "bun"), frozenset({"js", "mjs"})),
    "php": frozenset({"php"}),
    "lua": frozenset({"lua"}),
    **dict.fromkeys(("tclsh", "wish"), frozenset({"tcl"})),
}


def script_extensions(head: bytes) -> frozenset[str]:
    """The extensions of the language a ``#!`` script's first line names (``#!/bin/sh`` →
    ``sh``, ``bash``, …; ``#!/usr/bin/env python3`` → ``py``, ``pyw``); empty when ``head``
    is no script or its interpreter is not known."""
    if not head.startswith(b"#!"):
        return frozenset()
    words = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
    if words and words[0].rsplit("/", 1)[-1] == "env":
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    if not words:
        return frozenset()
    program = words[0].rsplit("/", 1)[-1].rstrip("0123456789.")
    return _INTERPRETERS.get(program, frozenset())


def type_name(name: str) -> str:
    """``name`` as Windows and file managers will take it: without invisible characters and
    without the trailing dots and spaces Windows drops (``"a.exe. "`` is ``a.exe``)."""
    name = "".join(ch for ch in name if ch not in INVISIBLE)
    return name.rstrip(" .")


def extension(name: str) -> str:
    """The last extension: ``Photo.JPG`` → ``jpg``, ``invoice.pdf.exe`` → ``exe``; ``README``
    and ``.env`` → "" (no extension). Trailing dots and spaces and invisible characters do not
    hide it (``"setup.exe. "`` → ``exe``)."""
    stem, dot, ext = type_name(name).rpartition(".")
    return ext.lower() if dot and stem else ""


def shown(ext: str) -> str:
    return f".{ext}" if ext else "without an extension"


def describe(ext: str) -> str:
    """What a file named ``*.ext`` is, for messages: ``a Windows program (.exe)``."""
    noun = PROGRAM_EXTENSIONS.get(ext)
    if noun:
        return f"{noun} (.{ext})"
    return f"a .{ext} file" if ext else "a file without an extension"


def visible(name: str) -> str:
    """``name`` safe to show in a message or a list: control characters, invisible ones and
    bytes that are not UTF-8 are written out (``<U+202E>``, ``<0xE9>``), so a name cannot
    disguise itself or break the line it is shown on."""
    out: list[str] = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"<0x{code - 0xDC00:02X}>")
        elif ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"<U+{code:04X}>")
        else:
            out.append(ch)
    return "".join(out)


def disguise(name: str) -> str | None:
    """Why ``name`` (a file name, no folders) pretends to be what it is not, or None.

    A program extension behind a document or media one ("invoice.pdf.exe", also with spaces
    before the last dot), or a program whose name carries bidirectional-text controls, which
    can make its extension display as something else."""
    ext = extension(name)
    noun = PROGRAM_EXTENSIONS.get(ext)
    if noun is None:
        return None
    what = f"{visible(name)} is {noun} (.{ext})"
    hidden = sorted({ch for ch in name if ch in BIDI_CONTROLS})
    if hidden:
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in hidden)
        return (
            f"{what}; its name contains right-to-left text controls ({codes}) that can make "
            "it display as another type"
        )
    inner = extension(type_name(name).rpartition(".")[0])
    pretended = DISGUISE_NOUNS.get(inner)
    if pretended is None:
        return None
    return f"{what}, not {pretended}"


Reason = Literal["content", "signature", "text"]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Content that contradicts a file's extension."""

    ext: str
    reason: Reason
    found: Kind | None = None  # what the content is, when recognised
    expected: Kind | None = None  # what a file named .ext must be, if it has a signature

    def message(self) -> str:
        """The sentence the upload service answers with (no file name: it has only one)."""
        if self.reason == "content" and self.found is not None:
            return f"This file is named {shown(self.ext)} but its content is {self.found.label}"
        if self.reason == "signature" and self.expected is not None:
            return f"This file is named .{self.ext} but does not look like {self.expected.label}"
        return f"This file is named .{self.ext} but its content is not text"


def mismatch(ext: str, head: bytes, *, strict: bool = True) -> Mismatch | None:
    """How ``head`` (a file's first bytes, all of them for a short file) contradicts the
    extension ``ext``, or None.

    Always: an extension with a fixed signature must have it (so an empty ``.pdf`` is not a
    PDF) and must not hold another recognised format; a text extension must not hold a
    recognised binary format or NUL bytes (UTF-16 with a byte-order mark excepted).
    ``strict`` (the service's rule): any recognised format under an extension that is not
    one of its own is a contradiction too, e.g. a ZIP archive named ``.dat``.
    """
    found = detect(head)
    expected = _EXPECTED.get(ext)
    is_text = ext in TEXT_EXTENSIONS
    if found is not None and ext not in found.extensions:
        contradicts = expected is not None or (is_text and not found.textual)
        if strict or contradicts:
            return Mismatch(ext, "content", found, expected[0] if expected else None)
    if expected is not None and found not in expected:
        return Mismatch(ext, "signature", expected=expected[0])
    if is_text and b"\x00" in head and not head.startswith(_TEXT_BOMS):
        return Mismatch(ext, "text")
    return None
