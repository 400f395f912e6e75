"""Real file beginnings for the tests of file types: written by the standard library (PNG,
ZIP, DOCX), copied from real files (JPEG, ELF) or laid out field by field as the format
defines them (PDF, Windows PE, Mach-O)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1 by 1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff"))
        + chunk(b"IEND", b"")
    )


def _zip(entries: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries:
            archive.writestr(name, text)
    return buffer.getvalue()


def _pe() -> bytes:
    """A DOS header pointing (e_lfanew) at the PE signature and COFF header of an x64 EXE."""
    dos = bytearray(64)
    struct.pack_into("<2sHHHHHHHHHHHHH", dos, 0, b"MZ", 0x90, 3, 0, 4, 0, 0xFFFF, 0, 0xB8,
                     0, 0, 0, 0x40, 0)  # fmt: skip
    struct.pack_into("<I", dos, 0x3C, 0x80)
    stub = (
        b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
        b"This program cannot be run in DOS mode.\r\r\n$"
    )
    coff = struct.pack("<HHIIIHH", 0x8664, 6, 0x62EE0D01, 0, 0, 0xF0, 0x22)
    return bytes(dos) + stub.ljust(0x80 - 64, b"\x00") + b"PE\x00\x00" + coff


# The first bytes of Python's test image Lib/test/imghdrdata/python.jpg (JFIF, then a
# quantisation table).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010101000100010000ffdb0043000302020202020302"
    "02020303030304060404040404080606050609080a0a090809090a0c0f0c0a"
)
PNG = _png()
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
ZIP = _zip([("notes.txt", "hello"), ("more.txt", "world")])
DOCX = _zip(
    [
        (
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType="application/'
            'xml"/></Types>',
        ),
        ("_rels/.rels", "<Relationships/>"),
        ("word/document.xml", "<w:document/>"),
    ]
)
# /bin/true of a Debian x86-64 system: ELF64, little-endian, a position-independent program.
ELF = bytes.fromhex(
    "7f454c4602010100000000000000000003003e0001000000d023000000000000"
    "4000000000000000908300000000000000000000400038000d0040001f001e00"
)
PE = _pe()
# mach_header_64: MH_MAGIC_64, x86-64, MH_EXECUTE, 16 load commands.
MACHO = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 2, 16, 1376, 0x00200085, 0)
SCRIPT = b"#!/bin/sh\nset -e\necho 'hello'\n"
TEXT = "Dear team,\nthe figures for March are attached. — Zoë\n".encode()
NO_BYTES = b""
