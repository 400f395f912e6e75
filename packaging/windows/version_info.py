"""The Windows version resource (file properties → Details) of s3desk's executables."""

from __future__ import annotations

from typing import Any


def windows_version_info(version: str, numbers: tuple[int, int, int, int], exe_name: str) -> Any:
    """A PyInstaller ``VSVersionInfo`` for ``exe_name``; PyInstaller needs pefile for it,
    which it installs on Windows only."""
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    strings = {
        "CompanyName": "s3desk",
        "FileDescription": "s3desk: upload files to Amazon S3 and S3-compatible storage",
        "FileVersion": version,
        "InternalName": exe_name.removesuffix(".exe"),
        "LegalCopyright": "MIT License",
        "OriginalFilename": exe_name,
        "ProductName": "s3desk",
        "ProductVersion": version,
    }
    return VSVersionInfo(
        ffi=FixedFileInfo(
            filevers=numbers,
            prodvers=numbers,
            mask=0x3F,
            flags=0x0,
            OS=0x40004,  # Windows NT, 32-bit resources
            fileType=0x1,  # an application
            subtype=0x0,
            date=(0, 0),
        ),
        kids=[
            StringFileInfo(
                [StringTable("040904B0", [StringStruct(k, v) for k, v in strings.items()])]
            ),
            VarFileInfo([VarStruct("Translation", [0x0409, 0x04B0])]),  # US English, Unicode
        ],
    )
