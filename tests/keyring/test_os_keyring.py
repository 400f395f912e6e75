"""SecretStore on the real Secret Service (gnome-keyring over D-Bus), across processes."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from contextlib import closing

import pytest
from keyring.backends import SecretService

from s3desk.core.config.secrets import SecretStore, SecretStoreError, default_backend

# What another run of the app does: pick the OS keyring on its own and read one secret.
READ = """
import json, sys
from s3desk.core.config.secrets import SecretStore, default_backend
backend = default_backend()
secret = SecretStore(backend, service=sys.argv[1]).get(sys.argv[2])
print(json.dumps({"backend": type(backend).__module__ + "." + type(backend).__name__,
                  "secret": secret}))
"""
# The secret comes on stdin, never on a command line other users can list.
WRITE = """
import sys
from s3desk.core.config.secrets import SecretStore, default_backend
SecretStore(default_backend(), service=sys.argv[1]).set(sys.argv[2], sys.stdin.read())
"""


def in_new_process(code: str, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def read_in_new_process(service: str, name: str) -> str | None:
    answer = json.loads(in_new_process(READ, service, name))
    assert answer["backend"] == "keyring.backends.SecretService.Keyring"
    secret: str | None = answer["secret"]
    return secret


def items_of(service: str) -> list[tuple[str, str]]:
    """(name, secret) of every item stored for ``service``, read from the Secret Service
    directly rather than through keyring."""
    import secretstorage

    with closing(secretstorage.dbus_init()) as connection:
        found = secretstorage.get_default_collection(connection).search_items({"service": service})
        return [(item.get_attributes()["username"], item.get_secret().decode()) for item in found]


def new_secret() -> str:
    return f"wJalrXUtnFEMI/{uuid.uuid4().hex}+ü"  # slashes, plus and non-ASCII survive


def test_the_os_keyring_is_the_secret_service() -> None:
    backend = default_backend()
    assert type(backend) is SecretService.Keyring
    store = SecretStore(backend)
    assert store.backend_name == "SecretService Keyring"
    store.check()


def test_a_secret_outlives_the_process(service: str) -> None:
    store = SecretStore(default_backend(), service=service)
    first, second, third = new_secret(), new_secret(), new_secret()

    store.set("work", first)
    assert items_of(service) == [("work", first)]  # in the Secret Service itself
    assert read_in_new_process(service, "work") == first

    store.set("work", second)  # an update replaces, it does not add a second item
    assert items_of(service) == [("work", second)]
    assert read_in_new_process(service, "work") == second

    in_new_process(WRITE, service, "work", stdin=third)
    assert store.get("work") == third

    store.delete("work")
    assert items_of(service) == []
    assert store.get("work") is None
    assert read_in_new_process(service, "work") is None
    store.delete("work")  # already gone is fine


def test_names_are_separate(service: str) -> None:
    store = SecretStore(default_backend(), service=service)
    store.set("work", "work-secret")
    store.set("home", "home-secret")
    assert sorted(items_of(service)) == [("home", "home-secret"), ("work", "work-secret")]
    store.delete("work")
    assert read_in_new_process(service, "home") == "home-secret"
    assert read_in_new_process(service, "work") is None


def test_a_locked_keyring(service: str, locked_keyring: Callable[[], None]) -> None:
    # Nobody can answer the unlock prompt here, as when the user dismisses it.
    store = SecretStore(default_backend(), service=service)
    for call in (store.check, lambda: store.get("work"), lambda: store.set("work", "x-y-z")):
        with pytest.raises(SecretStoreError) as caught:
            call()
        assert caught.value.reason == "locked"
        assert "Unlock it" in str(caught.value)
    locked_keyring()  # signed in again
    store.check()
    assert store.get("work") is None  # nothing was written while it was locked
    store.set("work", "after-unlock")
    assert read_in_new_process(service, "work") == "after-unlock"
