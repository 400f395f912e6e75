"""The lean sender's credentials and region without botocore are botocore's own: for each
environment, either plain_session finds exactly what botocore's session finds, or it
leaves the case to botocore."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint, make_session, session_region
from s3desk.core.storage.plain_credentials import plain_session

KEYS = {"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret"}
ENDPOINT = custom_endpoint("http://127.0.0.1:9", region=None)


def _botocore_finds(endpoint: S3Endpoint) -> tuple[tuple[str | None, ...], str]:
    session = make_session(endpoint)
    credentials = session.get_credentials()
    assert credentials is not None
    frozen = credentials.get_frozen_credentials()
    return (frozen.access_key, frozen.secret_key, frozen.token), session_region(endpoint, session)


def _never() -> Callable[[], object]:
    def fallback() -> object:
        raise AssertionError("botocore's session was asked")

    return fallback


@pytest.mark.parametrize(
    ("env", "endpoint"),
    [
        ({**KEYS, "AWS_DEFAULT_REGION": "eu-west-1"}, ENDPOINT),
        ({**KEYS, "AWS_DEFAULT_REGION": ""}, ENDPOINT),  # empty: us-east-1
        ({**KEYS, "AWS_SESSION_TOKEN": "tok"}, replace(ENDPOINT, region="ap-south-1")),
        # AWS_SECURITY_TOKEN comes first in botocore's list; an empty one is passed over.
        ({**KEYS, "AWS_SECURITY_TOKEN": "old", "AWS_SESSION_TOKEN": "new",
          "AWS_DEFAULT_REGION": "us-west-2"}, ENDPOINT),
        ({**KEYS, "AWS_SECURITY_TOKEN": "", "AWS_SESSION_TOKEN": "new",
          "AWS_DEFAULT_REGION": "us-west-2"}, ENDPOINT),
        # An account's keys win over the environment's.
        ({**KEYS, "AWS_DEFAULT_REGION": "eu-west-1"},
         replace(ENDPOINT, access_key="AKIDACCOUNT", secret_key="account-secret")),
    ],
)  # fmt: skip
def test_plain_keys_and_region_are_what_botocore_finds(
    env: dict[str, str], endpoint: S3Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
    ):
        monkeypatch.delenv(name, raising=False)  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    plain = plain_session(endpoint, _never())  # type: ignore[arg-type]
    assert plain is not None
    frozen = plain.get_credentials().get_frozen_credentials()
    found = (frozen.access_key, frozen.secret_key, frozen.token), session_region(endpoint, plain)
    assert found == _botocore_finds(endpoint)


@pytest.mark.parametrize(
    ("env", "endpoint"),
    [
        (KEYS, ENDPOINT),  # the region would come from the config file
        ({**KEYS, "AWS_DEFAULT_REGION": "eu-west-1", "AWS_PROFILE": "dev"}, ENDPOINT),
        ({**KEYS, "AWS_DEFAULT_REGION": "eu-west-1"}, replace(ENDPOINT, profile="dev")),
        ({**KEYS, "AWS_DEFAULT_REGION": "eu-west-1",
          "AWS_CREDENTIAL_EXPIRATION": "2099-01-01T00:00:00Z"}, ENDPOINT),  # refreshable
        ({"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_DEFAULT_REGION": "eu-west-1"}, ENDPOINT),
        ({"AWS_DEFAULT_REGION": "eu-west-1"}, ENDPOINT),  # the rest of botocore's chain
    ],
)  # fmt: skip
def test_anything_less_plain_is_left_to_botocore(env: dict[str, str], endpoint: S3Endpoint) -> None:
    assert plain_session(endpoint, _never(), environ=env) is None  # type: ignore[arg-type]


def test_other_configuration_comes_from_botocores_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", "/etc/some-ca.pem")
    env = {**KEYS, "AWS_DEFAULT_REGION": "eu-west-1"}
    plain = plain_session(ENDPOINT, lambda: make_session(ENDPOINT), environ=env)
    assert plain is not None
    assert plain.get_config_variable("ca_bundle") == "/etc/some-ca.pem"
