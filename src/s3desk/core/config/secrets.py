"""The one place s3desk touches the OS keyring (Secret Service, KWallet, macOS Keychain,
Windows Credential Manager).

Secret keys never go to a config file. Keeping every keyring call here gives one error type
with sentences a person can act on, one refusal of plain-text backends, and one point where
each secret is registered for log redaction.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Literal

import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from s3desk.core.redact import redact, register_secret

SERVICE = "s3desk"

Reason = Literal["no-backend", "locked", "denied", "failed"]

log = logging.getLogger(__name__)

_NO_BACKEND = (
    "No secure password store (keyring) is available on this computer. Install and unlock one "
    "(GNOME Keyring / KWallet on Linux), or use an AWS profile account instead."
)
_LOCKED = (
    "The secure password store (keyring) is locked and could not be unlocked. Unlock it (for "
    "example by signing in to the desktop again or in your keyring manager), then try again."
)
_DENIED = (
    "Access to the secure password store (keyring) was refused. Try again and allow s3desk "
    "when the system asks, or use an AWS profile account instead."
)
_ENV = "PYTHON_KEYRING_BACKEND"

# Signs of a refusal somewhere in a backend's exception chain: SecretStorage's dismissed
# prompt, macOS Keychain's denial, D-Bus access errors (jeepney keeps the error name).
_DENIED_TYPES = frozenset({"PromptDismissedException", "KeychainDenied"})
_DENIED_DBUS_NAMES = frozenset(
    {"org.freedesktop.DBus.Error.AccessDenied", "org.gnome.keyring.Error.Denied"}
)
_LOCKED_TYPES = frozenset({"LockedException"})
_UNAVAILABLE_TYPES = frozenset({"SecretServiceNotAvailableException"})


class SecretStoreError(Exception):
    """The keyring cannot be used; str() says what happened and what to do.

    ``reason`` is a short code: "no-backend", "locked", "denied" or "failed".
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


def default_backend() -> KeyringBackend:
    """The OS keyring, or the one ``PYTHON_KEYRING_BACKEND`` names, if it keeps secrets safe.

    Backends are named here rather than discovered through entry points, which frozen
    (PyInstaller) builds lose. Raises SecretStoreError("no-backend") when none is usable.
    """
    chosen = os.environ.get(_ENV, "").strip()
    if chosen:
        try:
            backend = keyring.core.load_keyring(chosen)
        except Exception as exc:  # ImportError, AttributeError, or RuntimeError: not viable
            raise SecretStoreError(
                "no-backend",
                f"The password store chosen with {_ENV} ({chosen}) cannot be used here "
                f"({_short(exc)}). Unset {_ENV} to use the system's keyring, or use an AWS "
                "profile account instead.",
            ) from exc
        _refuse_insecure(backend, chosen_by_env=True)
        return backend
    best: tuple[float, type[KeyringBackend]] | None = None
    for cls in _os_backend_classes():
        try:
            priority = float(cls.priority)
        except Exception as exc:  # the backend says why it cannot run here
            log.debug("keyring backend %s not usable: %s", cls.__name__, _short(exc))
            continue
        if best is None or priority > best[0]:
            best = (priority, cls)
    if best is None:
        raise SecretStoreError("no-backend", _NO_BACKEND)
    return best[1]()


def _os_backend_classes() -> list[type[KeyringBackend]]:
    classes: list[type[KeyringBackend]] = []
    if sys.platform == "win32":
        try:
            from keyring.backends import Windows

            classes.append(Windows.WinVaultKeyring)
        except ImportError:
            pass
    elif sys.platform == "darwin":
        try:
            from keyring.backends import macOS

            classes.append(macOS.Keyring)
        except ImportError:
            pass
    else:
        try:
            from keyring.backends import SecretService

            classes.append(SecretService.Keyring)
        except ImportError:
            pass
        try:
            from keyring.backends import kwallet

            classes += [kwallet.DBusKeyring, kwallet.DBusKeyringKWallet4]
        except ImportError:
            pass
    return classes


def _insecure(backend: KeyringBackend) -> bool:
    """True for backends that keep secrets in plain text, or do not keep them at all."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    cls = type(backend)
    if "PlaintextKeyring" in cls.__name__:
        return True
    parts = cls.__module__.split(".")
    if parts[:2] == ["keyrings", "alt"] and any(
        part.startswith("file") or "plaintext" in part.lower() for part in parts[2:]
    ):
        return True
    # A chain is as safe as its weakest member: it writes to whichever comes first.
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        return any(_insecure(member) for member in backend.backends)
    return False


def _refuse_insecure(backend: KeyringBackend, *, chosen_by_env: bool = False) -> None:
    if not _insecure(backend):
        return
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    what_to_do = (
        f"Unset {_ENV} to use the system's keyring"
        if chosen_by_env
        else "Install and unlock a secure one (GNOME Keyring / KWallet on Linux)"
    )
    raise SecretStoreError(
        "no-backend",
        f"The password store {name} keeps secrets in plain text or does not keep them, so "
        f"s3desk will not use it. {what_to_do}, or use an AWS profile account instead.",
    )


def _short(exc: BaseException) -> str:
    """The backend's own words, trimmed, with anything secret-looking removed."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > 160:
        text = text[:157] + "..."
    return redact(text).rstrip(".")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _translate(exc: Exception, action: str, backend_name: str) -> SecretStoreError:
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    dbus_names = {str(getattr(e, "name", "")) for e in chain}
    if names & _DENIED_TYPES or dbus_names & _DENIED_DBUS_NAMES:
        return SecretStoreError("denied", _DENIED)
    if any(isinstance(e, keyring.errors.NoKeyringError) for e in chain) or (
        names & _UNAVAILABLE_TYPES
    ):
        return SecretStoreError("no-backend", _NO_BACKEND)
    locked = (keyring.errors.KeyringLocked, keyring.errors.InitError)
    if any(isinstance(e, locked) for e in chain) or names & _LOCKED_TYPES:
        return SecretStoreError("locked", _LOCKED)
    return SecretStoreError(
        "failed",
        f"The password store ({backend_name}) could not {action} the secret: {_short(exc)}. "
        "Try again; if it keeps failing, restart the password store or use an AWS profile "
        "account instead.",
    )


class SecretStore:
    """Secrets by name under one keyring service.

    With no ``backend``, the OS keyring is chosen on first use, so creating a store costs
    no D-Bus round trip.
    """

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE) -> None:
        self._backend = backend
        self._service = service

    @property
    def backend_name(self) -> str:
        return str(type(self._resolved()).name)

    def _resolved(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = default_backend()
        _refuse_insecure(self._backend)
        return self._backend

    def set(self, name: str, secret: str) -> None:
        """Store or replace the secret ``name``."""
        _check_name(name)
        register_secret(secret)
        backend = self._resolved()
        try:
            backend.set_password(self._service, name, secret)
        except Exception as exc:
            raise _translate(exc, "save", self.backend_name) from exc

    def get(self, name: str) -> str | None:
        """The secret ``name``, or None if there is none."""
        _check_name(name)
        backend = self._resolved()
        try:
            secret = backend.get_password(self._service, name)
        except Exception as exc:
            raise _translate(exc, "read", self.backend_name) from exc
        if secret is not None:
            register_secret(secret)
        return secret

    def delete(self, name: str) -> None:
        """Remove the secret ``name``; nothing to remove is fine."""
        _check_name(name)
        backend = self._resolved()
        try:
            backend.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError as exc:
            # Backends say "not found" this way, but also real failures: tell them apart.
            if self.get(name) is not None:
                raise _translate(exc, "remove", self.backend_name) from exc
        except Exception as exc:
            raise _translate(exc, "remove", self.backend_name) from exc

    def check(self) -> None:
        """Raise SecretStoreError unless the keyring is there, unlocked and answering."""
        backend = self._resolved()
        try:
            type(backend).priority  # noqa: B018  (raises when the backend cannot run here)
        except Exception as exc:
            raise SecretStoreError("no-backend", _NO_BACKEND) from exc
        try:
            # Reading a name that is never stored makes the backend open (and unlock) its store.
            backend.get_password(self._service, "s3desk-availability-check")
        except Exception as exc:
            raise _translate(exc, "read", self.backend_name) from exc


def _check_name(name: str) -> None:
    if not name:
        raise ValueError("a secret needs a name")
