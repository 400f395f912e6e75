"""SecretStore on in-memory keyring backends: storage, refusals and the wording of failures."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.compat import properties

from s3desk.core.config import secrets
from s3desk.core.config.secrets import SecretStore, SecretStoreError, default_backend
from s3desk.core.redact import MASK, redact
from tests.memory_keyring import MemoryKeyring


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend, which writes secrets unencrypted."""


class AltFileKeyring(MemoryKeyring):
    pass


AltFileKeyring.__module__ = "keyrings.alt.file"


class RaisingKeyring(KeyringBackend):
    """Every call raises what ``make_error`` returns, as a backend in trouble does."""

    priority = 1

    def __init__(self, make_error: Callable[[], Exception]) -> None:
        super().__init__()
        self.make_error = make_error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.make_error()

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.make_error()

    def delete_password(self, service: str, username: str) -> None:
        raise self.make_error()


def unique_secret() -> str:
    return f"secret-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def no_keyring_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)


def test_set_get_update_delete() -> None:
    backend = MemoryKeyring()
    store = SecretStore(backend)
    store.set("work", "first-secret")
    assert store.get("work") == "first-secret"
    assert backend.entries == {("s3desk", "work"): "first-secret"}
    store.set("work", "second-secret")
    assert store.get("work") == "second-secret"
    assert backend.entries == {("s3desk", "work"): "second-secret"}
    store.delete("work")
    assert store.get("work") is None
    assert backend.entries == {}


def test_services_are_separate() -> None:
    backend = MemoryKeyring()
    SecretStore(backend, service="s3desk").set("work", "app-secret")
    other = SecretStore(backend, service="other-app")
    assert other.get("work") is None
    other.set("work", "other-secret")
    assert SecretStore(backend).get("work") == "app-secret"


def test_missing_secret() -> None:
    backend = MemoryKeyring()
    backend.entries[("s3desk", "kept")] = "kept-secret"
    store = SecretStore(backend)
    assert store.get("absent") is None
    store.delete("absent")  # nothing to remove is fine
    assert backend.entries == {("s3desk", "kept"): "kept-secret"}


def test_a_delete_that_leaves_the_secret_is_reported() -> None:
    class StuckKeyring(MemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError("item is read-only")

    backend = StuckKeyring()
    store = SecretStore(backend)
    store.set("work", "stuck-secret")
    with pytest.raises(SecretStoreError) as caught:
        store.delete("work")
    assert caught.value.reason == "failed"
    assert "could not remove the secret: item is read-only" in str(caught.value)


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(ValueError, match="name"):
        SecretStore(MemoryKeyring()).set("", "x-secret")


def test_backend_name_and_check() -> None:
    store = SecretStore(MemoryKeyring())
    assert "MemoryKeyring" in store.backend_name
    store.check()


def test_the_fail_backend_means_no_keyring() -> None:
    store = SecretStore(fail.Keyring())
    for call in (store.check, lambda: store.get("work"), lambda: store.set("work", "s-e-c")):
        with pytest.raises(SecretStoreError) as caught:
            call()
        assert caught.value.reason == "no-backend"
        message = str(caught.value)
        assert "plain text or does not keep them" in message
        assert "Install and unlock a secure one" in message
        assert "AWS profile" in message


def test_no_keyring_error_from_a_backend_means_no_keyring() -> None:
    store = SecretStore(RaisingKeyring(lambda: keyring.errors.NoKeyringError("none")))
    with pytest.raises(SecretStoreError) as caught:
        store.get("work")
    assert caught.value.reason == "no-backend"
    assert str(caught.value) == (
        "No secure password store (keyring) is available on this computer. Install and unlock "
        "one (GNOME Keyring / KWallet on Linux), or use an AWS profile account instead."
    )


@pytest.mark.parametrize(
    "error",
    [
        lambda: keyring.errors.KeyringLocked("Failed to unlock the collection!"),
        lambda: keyring.errors.InitError("Failed to create the collection: locked."),
    ],
    ids=["KeyringLocked", "InitError"],
)
def test_a_locked_keyring(error: Callable[[], Exception]) -> None:
    store = SecretStore(RaisingKeyring(error))
    calls = (
        store.check,
        lambda: store.get("work"),
        lambda: store.set("work", "locked-secret"),
        lambda: store.delete("work"),
    )
    for call in calls:
        with pytest.raises(SecretStoreError) as caught:
            call()
        assert caught.value.reason == "locked"
        assert "is locked" in str(caught.value)
        assert "Unlock it" in str(caught.value)


def test_a_dismissed_unlock_prompt_is_a_refusal() -> None:
    exceptions = pytest.importorskip("secretstorage.exceptions")

    def dismissed() -> Exception:
        # What SecretStorage raises when the user cancels the unlock prompt, as keyring
        # passes it on.
        try:
            raise exceptions.PromptDismissedException("Prompt dismissed.")
        except exceptions.PromptDismissedException as exc:
            try:
                raise keyring.errors.KeyringError("Failed to unlock") from exc
            except keyring.errors.KeyringError as wrapped:
                return wrapped

    with pytest.raises(SecretStoreError) as caught:
        SecretStore(RaisingKeyring(dismissed)).get("work")
    assert caught.value.reason == "denied"
    assert "was refused" in str(caught.value)


def test_other_failures_give_the_backend_reason_but_never_the_secret() -> None:
    secret = unique_secret()
    store = SecretStore(
        RaisingKeyring(lambda: keyring.errors.PasswordSetError(f"disk full while writing {secret}"))
    )
    with pytest.raises(SecretStoreError) as caught:
        store.set("work", secret)
    assert caught.value.reason == "failed"
    message = str(caught.value)
    assert "could not save the secret: disk full while writing [REDACTED]" in message
    assert secret not in message


@pytest.mark.parametrize(
    "backend_class", [fail.Keyring, null.Keyring, PlaintextKeyring, AltFileKeyring]
)
def test_plaintext_and_non_storing_backends_are_refused(
    backend_class: type[KeyringBackend],
) -> None:
    backend = backend_class()
    with pytest.raises(SecretStoreError) as caught:
        SecretStore(backend).set("work", "would-be-plaintext")
    assert caught.value.reason == "no-backend"
    assert "plain text" in str(caught.value)
    if isinstance(backend, MemoryKeyring):
        assert backend.entries == {}  # refused before anything was written


@pytest.mark.parametrize(
    "name",
    [
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        f"{__name__}.PlaintextKeyring",
        f"{__name__}.AltFileKeyring",
    ],
)
def test_a_plaintext_choice_in_the_environment_is_refused(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    with pytest.raises(SecretStoreError) as caught:
        default_backend()
    assert caught.value.reason == "no-backend"
    assert "Unset PYTHON_KEYRING_BACKEND" in str(caught.value)


def test_a_safe_choice_in_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{__name__}.MemoryKeyring")
    assert type(default_backend()) is MemoryKeyring


def test_an_unloadable_choice_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")
    with pytest.raises(SecretStoreError) as caught:
        default_backend()
    assert caught.value.reason == "no-backend"
    assert "No module named 'no_such_module'" in str(caught.value)


def test_the_viable_backend_with_the_highest_priority_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Unusable(MemoryKeyring):
        @properties.classproperty
        def priority(cls) -> float:  # noqa: N805  (a class property)
            raise RuntimeError("daemon not running")

    class Low(MemoryKeyring):
        priority = 1

    class High(MemoryKeyring):
        priority = 5

    monkeypatch.setattr(secrets, "_os_backend_classes", lambda: [Low, Unusable, High])
    assert type(default_backend()) is High
    monkeypatch.setattr(secrets, "_os_backend_classes", lambda: [Unusable])
    with pytest.raises(SecretStoreError) as caught:
        default_backend()
    assert caught.value.reason == "no-backend"
    assert str(caught.value).startswith("No secure password store (keyring) is available")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux backends")
def test_linux_backends_are_named_explicitly() -> None:
    from keyring.backends import SecretService, kwallet

    classes = secrets._os_backend_classes()
    assert SecretService.Keyring in classes
    assert kwallet.DBusKeyring in classes


def test_the_store_picks_its_backend_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    picked: list[KeyringBackend] = []

    def pick() -> KeyringBackend:
        picked.append(MemoryKeyring())
        return picked[-1]

    monkeypatch.setattr(secrets, "default_backend", pick)
    store = SecretStore()
    assert picked == []
    store.set("work", "lazy-secret")
    assert store.get("work") == "lazy-secret"
    assert len(picked) == 1


def test_secrets_stored_and_read_are_redacted_from_logs() -> None:
    stored, found = unique_secret(), unique_secret()
    backend = MemoryKeyring()
    backend.entries[("s3desk", "found")] = found  # put there by another process
    assert redact(f"key {found}") == f"key {found}"
    store = SecretStore(backend)
    store.set("stored", stored)
    assert store.get("found") == found
    assert redact(f"key {stored} and {found}") == f"key {MASK} and {MASK}"
