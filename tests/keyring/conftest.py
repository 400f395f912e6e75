"""The real OS keyring: gnome-keyring's Secret Service on a private D-Bus session.

tools/with-keyring.sh (``make test-keyring``) starts a throwaway keyring and sets
S3DESK_REAL_KEYRING=1. Without it these tests are skipped, so a plain test run never writes
to the keyring of whoever runs it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def real_keyring_only() -> None:
    if os.environ.get("S3DESK_REAL_KEYRING") != "1":
        pytest.skip("needs a throwaway OS keyring: run it with tools/with-keyring.sh")


@pytest.fixture
def service() -> Iterator[str]:
    """A keyring service name of the test's own; whatever the test stored is removed after."""
    import secretstorage

    name = f"s3desk-test-{uuid.uuid4().hex[:12]}"
    yield name
    with closing(secretstorage.dbus_init()) as connection:
        collection = secretstorage.get_default_collection(connection)
        if not collection.is_locked():
            for item in collection.search_items({"service": name}):
                item.delete()


def _unlock_with_password(connection: Any, collection: Any) -> None:
    # gnome-keyring's own interface for unlocking without a prompt: the
    # standard Unlock call needs a person to type the password.
    from secretstorage.util import DBusAddressWrapper, format_secret, open_session

    password = os.environ["S3DESK_TEST_KEYRING_PASSWORD"].encode()
    internal = DBusAddressWrapper(
        "/org/freedesktop/secrets",
        "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
        connection,
    )
    secret = format_secret(open_session(connection), password, "text/plain")
    path = collection.collection_path
    if path.startswith("/org/freedesktop/secrets/aliases/"):
        # The call wants the collection's own path, not an alias of it.
        secret_service = DBusAddressWrapper(
            "/org/freedesktop/secrets", "org.freedesktop.Secret.Service", connection
        )
        (path,) = secret_service.call("ReadAlias", "s", path.rsplit("/", 1)[1])
    internal.call("UnlockWithMasterPassword", "o(oayays)", path, secret)


@pytest.fixture
def locked_keyring() -> Iterator[Callable[[], None]]:
    """Lock the default collection; the test gets a function that unlocks it again, as
    signing in would. It is unlocked after the test in any case."""
    import secretstorage

    if "S3DESK_TEST_KEYRING_PASSWORD" not in os.environ:
        pytest.skip("the keyring's password is unknown: run it with tools/with-keyring.sh")
    connection = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(connection)
    collection.lock()
    assert collection.is_locked()

    def unlock() -> None:
        _unlock_with_password(connection, collection)
        assert not collection.is_locked()

    try:
        yield unlock
    finally:
        if collection.is_locked():
            unlock()
        connection.close()
