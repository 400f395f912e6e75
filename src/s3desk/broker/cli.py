"""``s3desk-broker``: run the service, make tokens, check a configuration.

``s3desk-broker --config broker.toml`` serves; ``--config broker.toml check`` loads the
configuration and says what is wrong; ``hash-token --user alice --policy staff >> broker.toml``
makes a token (shown on standard error) and appends its hash lines; ``hash-token --stdin``
hashes an existing token.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import sys
from typing import TYPE_CHECKING

from s3desk.broker.auth import hash_token, new_token

if TYPE_CHECKING:
    from s3desk.broker.config import BrokerConfig


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="s3desk-broker",
        description="Hand out pre-signed S3 upload URLs to holders of access tokens.",
    )
    parser.add_argument("--config", help="the service's broker.toml (see docs/broker.md)")
    parser.add_argument("--host", help="listen on this address instead of [server] host")
    parser.add_argument("--port", type=int, help="listen on this port instead of [server] port")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service (the default)")
    commands.add_parser("check", help="load the configuration, report problems, and exit")
    hashing = commands.add_parser(
        "hash-token", help="make a new token and print it with the line for broker.toml"
    )
    hashing.add_argument("--user", default="NAME", help="the user (or group) it is for")
    hashing.add_argument("--policy", default="POLICY", help="the [policies.*] table it gets")
    hashing.add_argument(
        "--stdin", action="store_true", help="hash a token read from standard input instead"
    )
    return parser


def _hash_token(args: argparse.Namespace) -> int:
    if args.stdin:
        token = sys.stdin.readline().strip()
        if not token:
            print("s3desk-broker: no token on standard input", file=sys.stderr)
            return 2
    else:
        token = new_token()
        # The token goes to the terminal only, so `hash-token >> broker.toml` stores the hash
        # and nothing else.
        print(
            f"Token for {args.user} (hand it over privately; it is stored nowhere):\n{token}",
            file=sys.stderr,
        )
    print("[[tokens]]")
    print(f"user = {json.dumps(args.user)}")
    print(f"policy = {json.dumps(args.policy)}")
    print(f'sha256 = "{hash_token(token)}"')
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "hash-token":
        return _hash_token(args)
    if not args.config:
        print("s3desk-broker: --config broker.toml is required", file=sys.stderr)
        return 2

    from s3desk.broker.config import ConfigError, load

    try:
        config = load(args.config)
    except ConfigError as exc:
        print(f"s3desk-broker: {exc}", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    config = config.with_overrides(**overrides)
    if args.command == "check":
        print(
            f"{args.config}: OK — {len(config.policies)} policies, {len(config.tokens)} tokens, "
            f"storage {config.endpoint.display}"
        )
        return 0
    return _serve(config)


def _serve(config: BrokerConfig) -> int:
    import uvicorn

    from s3desk.broker.api import create_app
    from s3desk.broker.request_log import RequestLog
    from s3desk.core.redact import install_redaction

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_redaction()
    log = RequestLog(config.request_log)
    app = create_app(config, request_log=log)
    scheme = "https" if config.tls_certfile else "http"
    log.write(
        "start",
        url=f"{scheme}://{config.host}:{config.port}",
        storage=config.endpoint.display,
        policies=len(config.policies),
        tokens=len(config.tokens),
    )
    if scheme == "http" and not _is_loopback(config.host):
        log.write(
            "warning",
            message="listening without TLS on a non-loopback address: tokens and URLs travel "
            "in clear text; set tls_certfile/tls_keyfile or put a TLS proxy in front",
        )
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        ssl_certfile=str(config.tls_certfile) if config.tls_certfile else None,
        ssl_keyfile=str(config.tls_keyfile) if config.tls_keyfile else None,
        access_log=False,  # the request log replaces it
        server_header=False,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
