"""What the command line says about itself and at the end: ``s3desk --help`` names the
desktop app's options (``s3desk --demo`` opens the app), and the summary counts cancelled
files apart from skipped ones."""

from __future__ import annotations

import io

import pytest

from s3desk.cli import build_parser, main
from s3desk.cli.progress import ProgressPrinter
from s3desk.core.transfer.jobs import Totals


def _help(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_the_first_help_page_lists_the_desktop_apps_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys=capsys)
    for option in ("--demo", "--endpoint-url URL", "--account ACCOUNT", "--bucket BUCKET"):
        assert option in text, option
    # Each with what it does, as 's3desk gui --help' says it.
    gui = _help("gui", capsys=capsys)
    for line in gui.splitlines():
        if line.strip().startswith(("--demo", "--endpoint-url")):
            assert line in text.splitlines()
    # And where the commands' own options are.
    assert "'s3desk COMMAND --help'" in text
    assert all(len(line) <= 80 for line in text.splitlines()), text


@pytest.mark.parametrize(("command", "options"), [
    ("upload", ["--endpoint-url", "--demo", "--account", "--profile", "--region"]),
    ("download", ["--endpoint-url", "--account", "--profile", "--region"]),
])  # fmt: skip
def test_upload_and_download_help_list_the_storage_options(
    command: str, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(command, capsys=capsys)
    for option in options:
        assert f"  {option}" in text, option


def test_the_desktop_apps_options_still_open_the_app() -> None:
    args = build_parser().parse_args(["gui", "--demo", "--endpoint-url", "http://x"])
    assert args.command == "gui" and args.demo and args.endpoint_url == "http://x"


def _totals(**counts: int) -> Totals:
    values = {
        "files_total": 0,
        "files_done": 0,
        "files_failed": 0,
        "files_active": 0,
        "files_paused": 0,
        "files_asking": 0,
        "bytes_total": 0,
        "bytes_done": 0,
    }
    values.update(counts)
    return Totals(speed=0.0, eta=None, **values)


@pytest.mark.parametrize(("counts", "said"), [
    ({"files_total": 11, "files_done": 9, "files_failed": 1, "files_cancelled": 1},
     "9 uploaded, 1 failed, 1 cancelled;"),
    ({"files_total": 4, "files_done": 1, "files_skipped": 2, "files_cancelled": 1},
     "1 uploaded, 0 failed, 1 cancelled, 2 skipped;"),
    ({"files_total": 3, "files_done": 3}, "3 uploaded, 0 failed;"),
    ({"files_total": 3, "files_done": 1, "files_failed": 1},
     "1 uploaded, 1 failed, 1 not finished;"),
])  # fmt: skip
def test_the_summary_counts_each_ending_apart(counts: dict[str, int], said: str) -> None:
    out = io.StringIO()
    status = ProgressPrinter(out, quiet=True).finish(_totals(**counts))
    assert out.getvalue().startswith(said), out.getvalue()
    assert status == 0  # the failures the printer saw decide it; it saw none here
