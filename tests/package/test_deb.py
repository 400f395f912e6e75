"""The Debian package as users get it: unpacked into a scratch root, then run from there.

``S3DESK_DEB`` names the .deb (``make test-package`` builds it). The installed program runs
with its own Python and libraries, never the development venv: its self-test, its messages
without a display, the CLI uploading to ``rclone serve s3`` (which checks signatures), an
account whose secret goes through a real gnome-keyring, and the window under Xvfb, driven
with xdotool to upload a file through its file dialog, then photographed into dist/.
"""

from __future__ import annotations

import hashlib
import os
import select
import shutil
import struct
import subprocess
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from s3desk import __version__
from tests.conftest import NewBucket, Server

ROOT = Path(__file__).resolve().parents[2]
DEB = Path(os.environ.get("S3DESK_DEB", "")).resolve()
SCREENSHOT = Path(os.environ.get("S3DESK_SCREENSHOT", ROOT / "dist" / "s3desk-installed.png"))
MAX_DEB_BYTES = 80 * 1024 * 1024
GUI_FILE_MIB = 128
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
# What Qt's X11 platform plugin links to, by Debian package (ldd of libqxcb.so and the
# libraries it pulls in), plus libdbus-1-3, which QtDBus loads at run time.
XCB_DEPENDS = (
    "libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libxcb-keysyms1",
    "libxcb-shape0", "libxcb-image0", "libxcb-randr0", "libxcb-render-util0", "libxcb-xkb1",
    "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3", "libx11-xcb1",
)  # fmt: skip


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package unpacked as dpkg would install it, under a scratch root."""
    assert DEB.is_file(), f"S3DESK_DEB={DEB} is not a file"
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(DEB), str(root)], check=True)
    return root


@pytest.fixture(scope="session")
def app(installed: Path) -> Path:
    return installed / "opt" / "s3desk" / "s3desk"


def field(name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(DEB), name], check=True, capture_output=True, text=True
    ).stdout.strip()


def run_app(app: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        [str(app), *args], env=env, capture_output=True, text=True, timeout=timeout,
        input=stdin,
    )  # fmt: skip


def without_display() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


def server_env(server: Server) -> dict[str, str]:
    env = without_display()
    env["AWS_ACCESS_KEY_ID"] = server.endpoint.access_key or ""
    env["AWS_SECRET_ACCESS_KEY"] = server.endpoint.secret_key or ""
    return env


def digest(stream: Any) -> str:
    md5 = hashlib.md5()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        md5.update(chunk)
    return md5.hexdigest()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# -- the package itself ----------------------------------------------------------------------


def test_control_fields_name_the_version_and_the_libraries_qt_needs() -> None:
    assert field("Package") == "s3desk"
    assert field("Version") == __version__
    depends = [d.strip().split(" ")[0] for d in field("Depends").split(",")]
    missing = [name for name in XCB_DEPENDS if name not in depends]
    assert not missing, f"Depends lacks {missing}: {field('Depends')}"
    assert field("Recommends") == "gnome-keyring | kwalletmanager"
    assert DEB.stat().st_size < MAX_DEB_BYTES, f"{DEB.stat().st_size / 2**20:.1f} MiB"


def test_the_files_are_where_desktops_look_for_them(installed: Path, app: Path) -> None:
    assert os.access(app, os.X_OK)
    assert os.readlink(installed / "usr/bin/s3desk") == "/opt/s3desk/s3desk"
    desktop = installed / "usr/share/applications/s3desk.desktop"
    text = desktop.read_text()
    assert "Exec=s3desk" in text and "Icon=s3desk" in text
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True)
        assert result.returncode == 0, result.stdout + result.stderr
    hicolor = installed / "usr/share/icons/hicolor"
    assert (hicolor / "scalable/apps/s3desk.svg").read_bytes().startswith(b"<svg")
    for size in ICON_SIZES:
        assert png_size(hicolor / f"{size}x{size}/apps/s3desk.png") == (size, size)
    assert (installed / "usr/share/doc/s3desk/copyright").is_file()
    # The English plural forms ("1 file", "2 files"), which every language falls back on.
    assert (installed / "opt/s3desk/_internal/s3desk/resources/translations/s3desk_en.qm").is_file()
    # The window's own icons, for desktops without an icon theme.
    icons = installed / "opt/s3desk/_internal/s3desk/resources/icons"
    assert (icons / "edit-delete.svg").read_bytes().startswith(b"<svg")


def test_what_the_app_does_not_use_is_left_out(installed: Path) -> None:
    names = [str(p.relative_to(installed)) for p in (installed / "opt/s3desk").rglob("*")]
    for unwanted in ("moto", "tkinter", "pytest", "libQt6Qml", "libQt6Quick", "libQt6WebEngine",
                     "libQt6Multimedia", "libQt63D", "libQt6Network",
                     "plugins/sqldrivers", "libgtk-3", "libxcb.so", "s3desk/broker"):  # fmt: skip
        found = [n for n in names if unwanted in n]
        assert not found, f"{unwanted}: {found[:5]}"
    # Qt's own texts only in the languages s3desk speaks (English): never German buttons in
    # an English window.
    qt_translations = {p.name for p in installed.rglob("Qt/translations/*")}
    assert qt_translations == {"qtbase_en.qm"}
    data = installed / "opt/s3desk/_internal/botocore/data"
    botocore_services = {p.name for p in data.iterdir() if p.is_dir()}
    assert botocore_services == {"s3", "sts", "sso", "sso-oidc", "signin"}


def test_every_library_is_in_the_package_or_on_the_system(installed: Path) -> None:
    internal = installed / "opt/s3desk/_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal}/PySide6/Qt/lib"}
    missing: list[str] = []
    for path in sorted((installed / "opt/s3desk").rglob("*")):
        if not path.is_file() or path.is_symlink() or path.read_bytes()[:4] != b"\x7fELF":
            continue
        out = subprocess.run(["ldd", str(path)], env=env, capture_output=True, text=True).stdout
        missing += [
            f"{path.name}: {line.strip()}" for line in out.splitlines() if "not found" in line
        ]
    assert not missing


@pytest.mark.skipif(os.geteuid() != 0, reason="dpkg --dry-run needs root")
def test_the_declared_dependencies_are_installable_here() -> None:
    result = subprocess.run(
        ["dpkg", "--dry-run", "--install", str(DEB)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- the installed program -------------------------------------------------------------------


def test_version_through_the_usr_bin_symlink(app: Path, tmp_path: Path) -> None:
    link = tmp_path / "s3desk"
    link.symlink_to(app)  # as /usr/bin/s3desk -> /opt/s3desk/s3desk
    result = run_app(link, "--version")
    assert result.stdout.strip() == f"s3desk {__version__}"


def test_self_test_passes_without_a_display_on_the_offscreen_platform(
    app: Path, tmp_path: Path
) -> None:
    managed = tmp_path / "managed.toml"
    managed.write_text("version = 1\n")
    env = {**without_display(), "S3DESK_MANAGED_CONFIG": str(managed), "LANG": "de_DE.UTF-8"}
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        env.pop(name, None)  # LANG decides
    result = run_app(app, "--self-test", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"s3desk {__version__} (installed build, {app})" in out
    assert "platform 'offscreen'; no display found" in out
    # German asked for, none shipped: English throughout, Qt's buttons too.
    assert "translations qtbase_en.qm, s3desk_en.qm" in out
    assert "Secret Service (secretstorage" in out
    assert f"managed configuration: ok. {managed}: read" in out
    # The build's versions are the development venv's (both from the lock); no demo storage.
    packages = next(line for line in out.splitlines() if line.startswith("  packages: "))
    for package in ("boto3", "botocore", "keyring", "PySide6-Essentials", "shiboken6", "qasync",
                    "SecretStorage"):  # fmt: skip
        assert f"{package} {metadata.version(package)}" in packages
    assert "moto not installed" in packages
    assert "Self-test passed: all 8 checks succeeded." in out


def test_without_a_display_the_window_says_what_to_do(app: Path) -> None:
    result = run_app(app, env=without_display(), timeout=60)
    assert result.returncode == 2
    assert "s3desk needs a graphical desktop, and none was found" in result.stderr
    assert "xcb" not in result.stderr  # no Qt abort about its platform plugin


def test_demo_storage_is_not_installed_and_says_so(app: Path) -> None:
    result = run_app(app, "--demo", env={**without_display(), "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 2
    assert "The local demo storage is not part of this installation" in result.stderr


def test_cli_uploads_small_and_multipart_files(
    app: Path, rclone_server: Server, new_bucket: NewBucket, tmp_path: Path
) -> None:
    bucket = new_bucket(rclone_server.client)
    small = tmp_path / "small.txt"
    small.write_bytes(b"hello from the installed s3desk\n")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(20 * 1024 * 1024))  # above the 16 MiB multipart threshold
    result = run_app(
        app, "upload", str(small), str(big), f"s3://{bucket}/inbox/",
        "--endpoint-url", rclone_server.endpoint.endpoint_url or "",
        env=server_env(rclone_server),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    for path in (small, big):
        body = rclone_server.client.get_object(Bucket=bucket, Key=f"inbox/{path.name}")["Body"]
        assert body.read() == path.read_bytes()


@pytest.mark.skipif(not shutil.which("gnome-keyring-daemon"), reason="needs gnome-keyring")
def test_an_account_keeps_its_secret_in_the_real_keyring_and_uploads(
    app: Path, rclone_server: Server, new_bucket: NewBucket, tmp_path: Path
) -> None:
    """The Secret Service backend, jeepney and cryptography inside the frozen build."""
    bucket = new_bucket(rclone_server.client)
    source = tmp_path / "from-keyring.txt"
    source.write_text("signed with a secret read from gnome-keyring\n")
    script = tmp_path / "session.sh"
    script.write_text(
        "set -eu\n"
        f'"$APP" accounts add Local --kind s3-compatible --endpoint-url "$URL" '
        f'--access-key-id "$KEY" --path-style --bucket {bucket} --secret-stdin <<EOF\n'
        "$SECRET\nEOF\n"
        '"$APP" --self-test | grep "  keyring: "\n'
        f'"$APP" upload "$SOURCE" s3://{bucket}/kr/ --account Local\n'
    )
    env = {
        **without_display(), "APP": str(app), "URL": rclone_server.endpoint.endpoint_url or "",
        "KEY": rclone_server.endpoint.access_key or "",
        "SECRET": rclone_server.endpoint.secret_key or "", "SOURCE": str(source),
    }  # fmt: skip
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(name)  # the secret can only come from the keyring
    result = subprocess.run(
        [str(ROOT / "tools/with-keyring.sh"), "bash", str(script)],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in use: keyring.backends.SecretService.Keyring" in result.stdout
    body = rclone_server.client.get_object(Bucket=bucket, Key="kr/from-keyring.txt")["Body"]
    assert body.read() == source.read_bytes()


# -- the window ------------------------------------------------------------------------------


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A virtual screen; its DISPLAY. Xvfb names its display once it accepts clients."""
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        pytest.skip("needs Xvfb and xdotool (make test-package installs them)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten",
         "tcp"],
        pass_fds=(write_end,), stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 30)
        assert ready, "Xvfb did not start"
        number = os.read(read_end, 64).decode().strip()
        assert number.isdigit(), f"Xvfb said {number!r}"
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(10)


def xdotool(display: str, *args: str, timeout: float = 60) -> str:
    result = subprocess.run(
        ["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True,
        text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, f"xdotool {args}: {result.stderr}"
    return result.stdout.strip()


def test_the_window_uploads_a_file_chosen_in_its_dialog(
    app: Path, rclone_server: Server, new_bucket: NewBucket, xvfb: str, tmp_path: Path
) -> None:
    bucket = new_bucket(rclone_server.client)
    # Big enough that the upload runs for a while: the window's title shows its progress
    # ("40% — s3desk"), and its return to "s3desk" means the table shows the result.
    source = tmp_path / "site-backup.tar"
    with source.open("wb") as f:
        for _ in range(GUI_FILE_MIB):
            f.write(os.urandom(1024 * 1024))
    env = {**server_env(rclone_server), "DISPLAY": xvfb, "HOME": str(tmp_path)}
    output = tmp_path / "app-output.txt"
    with output.open("wb") as sink:
        window_app = subprocess.Popen(
            [str(app), "--endpoint-url", rclone_server.endpoint.endpoint_url or "", "--bucket",
             bucket],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        window = xdotool(xvfb, "search", "--sync", "--onlyvisible", "--name", "^s3desk$")
        window = window.splitlines()[0]
        xdotool(xvfb, "windowfocus", "--sync", window, "key", "ctrl+o")
        dialog = xdotool(
            xvfb, "search", "--sync", "--onlyvisible", "--name", "^Add files to upload$"
        ).splitlines()[0]
        xdotool(xvfb, "windowfocus", "--sync", dialog, "type", "--delay", "2", str(source))
        enter = subprocess.run(
            ["xdotool", "key", "--window", dialog, "Return"],
            env={**os.environ, "DISPLAY": xvfb}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if enter.returncode != 0:
            # Now and then the dialog takes the typed path by itself (its completer, under
            # synthetic input) and is gone before Return: fine, if it is gone.
            still_open = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", "^Add files to upload$"],
                env={**os.environ, "DISPLAY": xvfb}, capture_output=True, text=True,
            ).stdout.split()  # fmt: skip
            assert "BadWindow" in enter.stderr and not still_open, enter.stderr

        title = lambda: xdotool(xvfb, "getwindowname", window)  # noqa: E731
        wait_until(lambda: title().endswith("% — s3desk"), 60, "the upload to start")
        wait_until(lambda: title() == "s3desk", 180, "the upload to end")
        body = rclone_server.client.get_object(Bucket=bucket, Key=source.name)["Body"]
        assert digest(body) == digest(source.open("rb"))
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["import", "-window", window, str(SCREENSHOT)],
            env={**os.environ, "DISPLAY": xvfb}, check=True, timeout=60,
        )  # fmt: skip
        assert png_size(SCREENSHOT)[0] > 400
        assert window_app.poll() is None, output.read_text()
    finally:
        window_app.terminate()
        window_app.wait(30)
    assert "Traceback" not in output.read_text(), output.read_text()
