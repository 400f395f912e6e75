"""The rules without a server: names, prefixes, type sniffing, tokens."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from s3desk.broker import names, sniff
from s3desk.broker.auth import Policy, TokenAuthenticator, TokenEntry, hash_token, new_token
from s3desk.broker.errors import Refusal
from tests.broker.conftest import ELF_HEAD, JPEG_HEAD, PE_HEAD


def test_a_name_becomes_a_key_under_the_users_prefix() -> None:
    prefix = names.user_prefix("scans/{user}/{date}/", "alice", datetime.date(2025, 3, 1))
    assert prefix == "scans/alice/2025-03-01/"
    assert names.object_key(prefix, names.clean_name("Scan 1.pdf")) == (
        "scans/alice/2025-03-01/Scan 1.pdf"
    )
    assert names.clean_name(".env") == ".env"
    assert names.clean_name("résumé.pdf") == "résumé.pdf"


@pytest.mark.parametrize(
    "name",
    ["../x.txt", "a/b.txt", "a\\b.txt", "/x.txt", "..", ".", "", "a\tb.txt", "a\u200fb.txt",
     "tail .txt ", 42, None],
)  # fmt: skip
def test_names_refused(name: object) -> None:
    with pytest.raises(Refusal) as caught:
        names.clean_name(name)
    assert caught.value.code == "bad_name"


def test_a_key_over_s3s_limit_is_refused() -> None:
    with pytest.raises(Refusal, match="at most 1,024"):
        names.object_key("p/" * 500, "x" * 200 + ".txt")


@pytest.mark.parametrize("template", ["../{user}/", "/{user}/", "a//{user}/", "a/{user}", "{x}/"])
def test_bad_prefix_templates(template: str) -> None:
    with pytest.raises(ValueError):
        names.check_prefix_template(template)


@pytest.mark.parametrize("user", ["../x", "a/b", "", ".hidden", "a..b", "x" * 129])
def test_user_names_are_path_safe(user: str) -> None:
    with pytest.raises(ValueError):
        names.check_user_name(user)


@pytest.mark.parametrize(
    ("head", "label"),
    [
        (JPEG_HEAD, "a JPEG image"),
        (b"\x89PNG\r\n\x1a\n....", "a PNG image"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"PK\x03\x04\x14\x00", "a ZIP archive"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a WebP image"),
        (b"\x00\x00\x00\x18ftypheic", "an MP4/QuickTime/HEIF file"),
        (ELF_HEAD, "a Linux program (ELF)"),
        (PE_HEAD, "a Windows program (EXE/DLL)"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "a macOS program (Mach-O)"),
        (b"#!/usr/bin/env python3\n", "a script (#!)"),
        (b"hello world", None),
        (b"", None),
    ],
)
def test_detect(head: bytes, label: str | None) -> None:
    found = sniff.detect(head)
    assert (found.label if found else None) == label


def test_extension_and_content_checks() -> None:
    assert sniff.extension("Photo.JPG") == "jpg"
    assert sniff.extension("archive.tar.gz") == "gz"
    assert sniff.extension("README") == ""
    assert sniff.extension(".env") == ""
    sniff.check_content("jpg", JPEG_HEAD)
    sniff.check_content("docx", b"PK\x03\x04")
    sniff.check_content("txt", b"plain")
    sniff.check_content("txt", b"\xff\xfeh\x00i\x00")  # UTF-16 text
    sniff.check_content("csv", b"")
    sniff.check_content("", ELF_HEAD)
    sniff.check_content("mov", b"\x00\x00\x00\x08wide")  # old QuickTime: no ftyp
    for ext, head in [("jpg", b"GIF89a"), ("zip", b"plain"), ("exe", ELF_HEAD),
                      ("pdf", b"")]:  # fmt: skip
        with pytest.raises(Refusal) as caught:
            sniff.check_content(ext, head)
        assert caught.value.status == 415
    sniff.check_extension("jpg", frozenset({"jpg"}))
    sniff.check_extension("exe", frozenset({"*"}))
    with pytest.raises(Refusal, match=r"Files of type \.exe are not allowed \(allowed: \.jpg\)"):
        sniff.check_extension("exe", frozenset({"jpg"}))


POLICY = Policy("staff", "b", "u/{user}/", 100, frozenset({"*"}))


def test_tokens_are_checked_against_their_hashes() -> None:
    alice, bob = new_token(), new_token()
    assert alice.startswith("s3db_")
    assert len(alice) > 40
    assert hash_token(alice) == hashlib.sha256(alice.encode()).hexdigest()
    auth = TokenAuthenticator(
        (
            TokenEntry("alice", "staff", bytes.fromhex(hash_token(alice))),
            TokenEntry("bob", "staff", bytes.fromhex(hash_token(bob))),
        ),
        {"staff": POLICY},
    )
    assert auth.authenticate(f"Bearer {alice}").user == "alice"
    assert auth.authenticate(f"bearer  {bob} ").user == "bob"
    assert auth.authenticate(f"Bearer {bob}").policy is POLICY
    for header in [
        None,
        "",
        f"Basic {alice}",
        "Bearer",
        f"Bearer {alice}x",
        "Bearer " + "a" * 5000,
    ]:
        with pytest.raises(Refusal) as caught:
            auth.authenticate(header)
        assert caught.value.status == 401
