"""File types: the name's extension against the policy, and the first bytes against the name.

A client declares the first ``HEAD_BYTES`` bytes of the file when it asks to upload; they are
checked here before anything is signed, and compared with the stored object's first bytes
after the upload (a ranged GET), so a client cannot declare one thing and send another.

Detection uses magic numbers only (no libmagic): formats whose files always start with a
fixed signature. An extension in ``_EXPECTED`` must come with its signature; content that has
a recognised signature must carry one of that format's extensions. Text extensions must not
contain NUL bytes (a binary renamed to .txt).
"""

from __future__ import annotations

from dataclasses import dataclass

from s3desk.broker.errors import Refusal

HEAD_BYTES = 512
ANY_TYPE = "*"


@dataclass(frozen=True, slots=True)
class Kind:
    label: str  # for messages: "a JPEG image"
    extensions: frozenset[str]


def _kind(label: str, *extensions: str) -> Kind:
    return Kind(label, frozenset(extensions))


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
ELF = _kind("a Linux program (ELF)", "", "so", "o", "elf", "bin", "axf")
PE = _kind("a Windows program (EXE/DLL)", "exe", "dll", "sys", "scr", "efi", "com", "cpl", "ocx")
MACHO = _kind("a macOS program (Mach-O)", "", "dylib", "bundle", "so")
JAVA_OR_FAT = _kind("a macOS program or Java class", "", "class", "dylib")
WASM = _kind("a WebAssembly module", "wasm")
SCRIPT = _kind(
    "a script (#!)", "", "sh", "bash", "zsh", "py", "pl", "rb", "js", "mjs", "php", "tcl", "lua",
)  # fmt: skip

# Extensions whose files always start with their format's signature.
_EXPECTED: dict[str, tuple[Kind, ...]] = {}
for _k in (JPEG, PNG, GIF, WEBP, TIFF, PDF, ZIP, OLE, GZIP, SEVEN_ZIP, RAR, XZ, BZIP2, ZSTD,
           WAV, AVI, OGG, FLAC, MATROSKA, PE, WASM):  # fmt: skip
    for _ext in _k.extensions:
        _EXPECTED.setdefault(_ext, ())
        _EXPECTED[_ext] += (_k,)
for _ext in ("mp4", "m4v", "m4a", "heic", "heif", "avif", "3gp"):  # not .mov: old QuickTime
    _EXPECTED[_ext] = (ISO_MEDIA,)

TEXT_EXTENSIONS = frozenset(
    {"txt", "csv", "tsv", "md", "json", "xml", "yaml", "yml", "log", "ini", "toml", "svg",
     "html", "htm", "srt", "vtt", "rtf"}
)  # fmt: skip
_TEXT_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 text is full of NUL bytes


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


def extension(name: str) -> str:
    """``Photo.JPG`` → ``jpg``; ``README`` and ``.env`` → "" (no extension)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def shown(ext: str) -> str:
    return f".{ext}" if ext else "without an extension"


def check_extension(ext: str, allowed: frozenset[str]) -> None:
    if ANY_TYPE in allowed or ext in allowed:
        return
    if not ext:
        raise Refusal(415, "type_not_allowed", "Files without an extension are not allowed")
    listed = ", ".join(f".{e}" if e else "(none)" for e in sorted(allowed))
    raise Refusal(
        415, "type_not_allowed", f"Files of type .{ext} are not allowed (allowed: {listed})"
    )


def check_content(ext: str, head: bytes) -> None:
    """Refuse ``head`` (a file's first bytes) if it contradicts the extension ``ext``."""
    found = detect(head)
    expected = _EXPECTED.get(ext)
    if found is not None and ext not in found.extensions:
        raise Refusal(
            415, "content_not_allowed",
            f"This file is named {shown(ext)} but its content is {found.label}",
        )  # fmt: skip
    if expected is not None and found not in expected:
        raise Refusal(
            415, "content_not_allowed",
            f"This file is named .{ext} but does not look like {expected[0].label}",
        )  # fmt: skip
    if ext in TEXT_EXTENSIONS and b"\x00" in head and not head.startswith(_TEXT_BOMS):
        raise Refusal(
            415, "content_not_allowed", f"This file is named .{ext} but its content is not text"
        )
