"""Screenshots of the Accounts dialog: two accounts, and a new one that cannot be saved yet.

Run under Xvfb: ``xvfb-run -a -s "-screen 0 1280x800x24" python tools/screenshot_accounts.py``.
Secrets go to a keyring in memory and the accounts file to a temporary folder, so the
user's own accounts and keyring are never read or changed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

# The in-memory keyring the tests use: this script runs from a checkout, like the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.memory_keyring import MemoryKeyring


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with TemporaryDirectory() as tmp:
        # The profile picker lists these, not the profiles of whoever runs the script.
        config = Path(tmp) / "aws-config"
        config.write_text("[profile work-sso]\n[profile staging]\n[default]\n", encoding="utf-8")
        os.environ["AWS_CONFIG_FILE"] = str(config)
        _capture(Path(tmp) / "accounts.toml", out)
    return 0


def _capture(accounts_file: Path, out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from s3desk.core.config.account_store import AccountStore
    from s3desk.core.config.accounts import Account, AccountKind
    from s3desk.core.config.secrets import SecretStore
    from s3desk.core.storage import checksums
    from s3desk.ui.app import make_application
    from s3desk.ui.settings.accounts_dialog import AccountsDialog

    app = make_application()
    store = AccountStore(accounts_file, SecretStore(backend=MemoryKeyring()))
    store.save(
        Account(
            name="AWS via SSO", kind=AccountKind.PROFILE, profile="work-sso", region="eu-west-1",
            bucket="team-uploads", prefix="incoming/",
        )
    )  # fmt: skip
    b2 = store.save(
        Account(
            name="Backblaze B2", kind=AccountKind.COMPATIBLE,
            endpoint_url="https://s3.eu-central-003.backblazeb2.com", region="eu-central-003",
            checksum_mode=checksums.MD5, access_key_id="003a1b2c3d4e5f60000000007",
            bucket="photo-archive",
        ),
        secret_key="K003-example-secret",
    )  # fmt: skip

    dialog = AccountsDialog(store)
    dialog.show()

    def save(name: str) -> None:
        QApplication.processEvents()  # lay out and paint before grabbing
        path = out / f"{name}.png"
        dialog.grab().save(str(path))
        print(f"saved {path}")

    try:
        for i in range(dialog.account_list.count()):
            item = dialog.account_list.item(i)
            if item.text().startswith(b2.name):
                dialog.account_list.setCurrentItem(item)
        save("accounts")

        dialog.add_button.click()
        dialog.account_form.kind_box.setCurrentIndex(
            dialog.account_form.kind_box.findData(AccountKind.COMPATIBLE)
        )
        dialog.account_form.endpoint_edit.setText("minio.example.com:9000")
        dialog.account_form.region_edit.setText("us-east-1")
        dialog.save_button.click()
        save("accounts-invalid")
    finally:
        _release(dialog)
        del app


def _release(widget: object) -> None:
    """Destroy the dialog while the QApplication still exists (see tools/screenshots.py)."""
    import gc

    import shiboken6

    shiboken6.delete(widget)
    gc.collect()


if __name__ == "__main__":
    raise SystemExit(main())
