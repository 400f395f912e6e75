"""Local demo storage: moto's S3 server in-process on a free 127.0.0.1 port.

It lets someone try s3desk with no account. Everything lives in memory and is gone when the
app quits. moto is an optional extra (``s3desk[demo]``); without it there is no demo storage.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import TYPE_CHECKING

from s3desk.core.phrases import phrase
from s3desk.core.storage.endpoint import S3Endpoint, make_client

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

DEMO_BUCKET = "demo"
DEMO_LABEL = phrase("Local demo storage")
DEMO_NOTE = phrase("cleared when the app quits")
# moto does not check signatures; these fixed values only keep boto3 from looking elsewhere.
_DEMO_KEY = "s3desk-demo"
_DEMO_SECRET = "s3desk-demo-secret"


def demo_available() -> bool:
    return importlib.util.find_spec("moto") is not None


class DemoStorage:
    """Start with ``start()``; the endpoint is then in ``endpoint``. ``stop()`` discards all."""

    def __init__(self, buckets: tuple[str, ...] = (DEMO_BUCKET,)) -> None:
        self._buckets = buckets
        self._server: ThreadedMotoServer | None = None
        self.endpoint: S3Endpoint | None = None

    def start(self) -> S3Endpoint:
        from moto.server import ThreadedMotoServer

        # The server logs every request at INFO; the app's log is not the place for that.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        self._server = server
        host, port = server.get_host_and_port()
        self.endpoint = S3Endpoint(
            label=DEMO_LABEL,
            endpoint_url=f"http://{host}:{port}",
            region="us-east-1",
            access_key=_DEMO_KEY,
            secret_key=_DEMO_SECRET,
            path_style=True,
            note=DEMO_NOTE,
        )
        client = make_client(self.endpoint, 1)
        for bucket in self._buckets:
            client.create_bucket(Bucket=bucket)
        return self.endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> S3Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
