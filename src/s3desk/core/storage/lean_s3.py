"""The requests made once per small file — PutObject, HeadObject for the name check,
GetObject — without botocore's per-request machinery. GetObject also serves the ranged
GETs of big downloads, their bodies streamed (``get_stream``); ListObjectsV2 and HeadObject
serve a download's planning (``download/listing.py``).

botocore spends about 2.5 ms of CPU on every request (parameter validation, endpoint rules,
event hooks, a fresh signing key); with thousands of small files that, not the network, is
what limits throughput when client and server share a machine. This sender makes the same
requests in a fraction of that: SigV4 with the signing key cached per day, a PUT's payload
covered by its signed checksum header (UNSIGNED-PAYLOAD for the SHA-256, as botocore does
over HTTPS), a GET signed with the SHA-256 of its empty payload (as botocore signs it), over
kept-alive connections of a small HTTP/1.1 client (``http1.py``).

It takes from botocore what must agree with the rest of the engine: the credentials (so
refreshed or rotated credentials apply here too), the region, the CA bundle, and the URL of
each bucket (so virtual-host or path-style addressing, custom endpoints and path prefixes
come out the same). Its failures are botocore's exception types, so the engine's retry and
error wording treat both paths alike. Whatever it does not handle — a redirect to another
region, an access point or directory bucket, a proxy — raises ``NotServed`` and the request
goes through botocore instead.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import ssl
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from s3desk import __version__
from s3desk.core.storage.endpoint import S3Endpoint, session_region
from s3desk.core.storage.http1 import ConnectError, ConnectionPool, ConnectTimeout, Response, Stream

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_s3 import S3Client

    from s3desk.core.storage.plain_credentials import PlainSession

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()  # of a request without a body
_REDIRECT_CODES = frozenset(
    {"PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed",
     "IllegalLocationConstraintException"}
)  # fmt: skip


class NotServed(Exception):
    """This request needs botocore: the caller sends it that way instead."""


class _Bucket:
    """Where one bucket's objects live: a connection pool and the path before the key."""

    def __init__(self, pool: ConnectionPool, scheme: str, host: str, base_path: str) -> None:
        self.pool = pool
        self.scheme = scheme
        self.host = host
        self.base_path = base_path


class LeanS3:
    """PutObject, HeadObject and GetObject on ``endpoint`` with ``session``'s credentials
    (botocore's session, or a PlainSession that needs no botocore). ``client`` is called
    for a botocore client only where the bucket's URL needs botocore's endpoint rules (AWS,
    virtual-host addressing), so a run of small files to a path-style service never pays
    for building one."""

    def __init__(
        self,
        endpoint: S3Endpoint,
        session: Session | PlainSession,
        client: Callable[[], S3Client],
        *,
        max_connections: int,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self._endpoint = endpoint
        self._session = session
        self._client = client
        self._region = session_region(endpoint, session)
        self._max_connections = max_connections
        self._connect_timeout, self._read_timeout = connect_timeout, read_timeout
        self._tls: ssl.SSLContext | None = None
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket | None] = {}
        self._signing_keys: dict[tuple[str, str], bytes] = {}
        # Called with the operation name just before each request goes out, like botocore's
        # before-send event: lets a caller watch or hold requests.
        self.hooks: list[Callable[[str], None]] = []

    def close(self) -> None:
        with self._lock:
            for bucket in self._buckets.values():
                if bucket is not None:
                    bucket.pool.close()
            self._buckets.clear()

    def put(self, bucket: str, key: str, data: bytes, headers: dict[str, str]) -> dict[str, str]:
        """PutObject ``data``; ``headers`` are lower-case (content-type, checksum, ...).

        Returns the ETag and any checksum the service reported, as botocore names them."""
        response = self._request("PUT", "PutObject", bucket, key, data, headers)
        if response.status >= 300:
            raise self._error(response, "PutObject", bucket)
        result = {"ETag": response.headers.get("etag", "")}
        crc = response.headers.get("x-amz-checksum-crc32")
        if crc:
            result["ChecksumCRC32"] = crc
        sse = response.headers.get("x-amz-server-side-encryption")
        if sse:
            result["ServerSideEncryption"] = sse
        return result

    def exists(self, bucket: str, key: str) -> bool:
        """HeadObject: True if ``key`` is there, False if the service says it is not."""
        response = self._request("HEAD", "HeadObject", bucket, key, b"", {})
        if response.status == 404:
            return False
        if response.status >= 300:
            raise self._error(response, "HeadObject", bucket)
        return True

    def head(
        self, bucket: str, key: str, version_id: str = "", part_number: int = 0
    ) -> dict[str, str]:
        """HeadObject (of part ``part_number`` of a multipart object, if given): the
        answer's headers (lower-case names); a missing object raises botocore's ClientError
        with the code "404", as botocore's head_object does."""
        query = {"versionId": version_id} if version_id else {}
        if part_number:
            query["partNumber"] = str(part_number)
        response = self._request(
            "HEAD", "HeadObject", bucket, key, b"", {}, payload_hash=EMPTY_SHA256,
            query=query or None,
        )  # fmt: skip
        if response.status >= 300:
            raise self._error(response, "HeadObject", bucket)
        return response.headers

    def list_objects(self, bucket: str, query: dict[str, str]) -> bytes:
        """ListObjectsV2 with ``query`` (prefix, delimiter, continuation-token, ...;
        list-type is added): the XML answer as it came (``listing.py`` reads it)."""
        response = self._request(
            "GET", "ListObjectsV2", bucket, "", b"", {}, payload_hash=EMPTY_SHA256,
            query={"list-type": "2", **query},
        )  # fmt: skip
        if response.status >= 300:
            raise self._error(response, "ListObjectsV2", bucket)
        return response.data

    def get(self, bucket: str, key: str, headers: dict[str, str], version_id: str = "") -> Response:
        """GetObject into memory, for small objects (a body is read whole, up to 16 MiB);
        ``headers`` are lower-case (if-match, range). Returns the answer (200, or 206 for a
        range); an error answer raises as botocore would (ClientError with S3's code, e.g.
        PreconditionFailed for an If-Match that no longer holds)."""
        query = {"versionId": version_id} if version_id else None
        response = self._request(
            "GET", "GetObject", bucket, key, b"", headers, payload_hash=EMPTY_SHA256, query=query
        )
        if response.status >= 300:
            raise self._error(response, "GetObject", bucket)
        return response

    def get_stream(
        self, bucket: str, key: str, headers: dict[str, str], version_id: str = ""
    ) -> LeanBody:
        """GetObject with the body left to read (``LeanBody.readinto``): parts of big
        objects. Errors as ``get``'s; an answer whose body is not framed by Content-Length
        (which S3 always sends) raises NotServed, and the bucket goes through botocore."""
        query = {"versionId": version_id} if version_id else None
        target, path, sent = self._prepare(
            "GetObject", bucket, key, headers, "GET", EMPTY_SHA256, query
        )
        url = f"{target.scheme}://{target.host}{path}"
        try:
            stream = target.pool.stream("GET", path, sent)
        except OSError as exc:
            raise as_botocore_error(exc, url) from exc
        if stream.status >= 300:
            raise self._error(stream, "GetObject", bucket)
        if stream.length is None:
            self.give_up_on(bucket)
            raise NotServed
        return LeanBody(stream, url)

    def _request(
        self,
        method: str,
        operation: str,
        bucket: str,
        key: str,
        body: bytes,
        headers: dict[str, str],
        *,
        payload_hash: str = UNSIGNED_PAYLOAD,
        query: dict[str, str] | None = None,
    ) -> Response:
        target, path, sent = self._prepare(
            operation, bucket, key, headers, method, payload_hash, query
        )
        return self._send(target, method, path, body, sent)

    def _prepare(
        self,
        operation: str,
        bucket: str,
        key: str,
        headers: dict[str, str],
        method: str,
        payload_hash: str,
        query: dict[str, str] | None,
    ) -> tuple[_Bucket, str, dict[str, str]]:
        """Where the request goes, its target (path and query) and its signed headers; calls
        the hooks, as the request is about to go out."""
        target = self._bucket(bucket)
        if target is None or not _plain_key(key):
            raise NotServed
        access_key, secret_key, token = self._frozen_credentials()
        path = target.base_path + quote(key, safe="/~")
        amz_date = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        signed = {
            **headers,
            "host": target.host,
            "x-amz-content-sha256": payload_hash,
            "x-amz-date": amz_date,
        }
        if token:
            signed["x-amz-security-token"] = token
        canonical_query = _canonical_query(query) if query else ""
        authorization = self._authorization(
            method, path, canonical_query, signed, payload_hash, amz_date,
            access_key, secret_key,
        )  # fmt: skip
        for hook in self.hooks:
            hook(operation)
        sent = {**signed, "authorization": authorization, "user-agent": _USER_AGENT}
        request_target = f"{path}?{canonical_query}" if canonical_query else path
        return target, request_target, sent

    # ----------------------------------------------------------------- addressing

    def _bucket(self, name: str) -> _Bucket | None:
        with self._lock:
            if name not in self._buckets:
                self._buckets[name] = self._locate(name)
            return self._buckets[name]

    def give_up_on(self, bucket: str) -> None:
        """Send this bucket's requests through botocore from now on (e.g. after a redirect)."""
        with self._lock:
            target = self._buckets.get(bucket)
            if target is not None:
                target.pool.close()
            self._buckets[bucket] = None

    def _locate(self, bucket: str) -> _Bucket | None:
        if ":" in bucket or bucket.endswith("--x-s3"):
            return None  # access point ARNs and directory buckets: botocore's rules
        if self._endpoint.path_style and self._endpoint.endpoint_url:
            url = f"{self._endpoint.endpoint_url.rstrip('/')}/{quote(bucket, safe='')}/k"
        else:
            # botocore's endpoint rules decide the URL; presigning computes it offline.
            url = self._client().generate_presigned_url(
                "put_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60
            )
        parts = urlsplit(url)
        if not parts.hostname or not parts.path.endswith("/k") or _proxied(url):
            return None
        scheme = parts.scheme
        if scheme not in ("http", "https"):
            return None
        tls = None
        if scheme == "https":
            if self._tls is None:
                # Verified against the same CA bundle as botocore, host name included.
                self._tls = ssl.create_default_context(cafile=_ca_bundle(self._session))
            tls = self._tls
        pool = ConnectionPool(
            parts.hostname, parts.port or (443 if tls else 80), tls=tls,
            connect_timeout=self._connect_timeout, read_timeout=self._read_timeout,
            max_idle=self._max_connections,
        )  # fmt: skip
        return _Bucket(pool, scheme, parts.netloc, parts.path[:-1])

    # ----------------------------------------------------------------- signing

    def _frozen_credentials(self) -> tuple[str, str, str | None]:
        """The access key, secret key and session token to sign with."""
        credentials = self._session.get_credentials()
        # Refreshable credentials (SSO, assume-role) renew themselves here when due.
        frozen = None if credentials is None else credentials.get_frozen_credentials()
        # botocore's types allow a key of None, which none of its credential providers gives.
        if frozen is None or frozen.access_key is None or frozen.secret_key is None:
            from botocore.exceptions import NoCredentialsError  # only now: a plain session

            raise NoCredentialsError  # has no botocore loaded
        return frozen.access_key, frozen.secret_key, frozen.token

    def _authorization(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        payload_hash: str,
        amz_date: str,
        access_key: str,
        secret_key: str,
    ) -> str:
        names = sorted(headers)
        signed_names = ";".join(names)
        canonical_headers = "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names)
        canonical = "\n".join((method, path, query, canonical_headers, signed_names, payload_hash))
        date = amz_date[:8]
        scope = f"{date}/{self._region}/s3/aws4_request"
        to_sign = "\n".join(
            ("AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest())
        )
        key = self._signing_key(secret_key, date)
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return (
            f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
            f"SignedHeaders={signed_names}, Signature={signature}"
        )

    def _signing_key(self, secret_key: str, date: str) -> bytes:
        cache_key = (secret_key, date)
        key = self._signing_keys.get(cache_key)
        if key is None:
            key = hmac.new(f"AWS4{secret_key}".encode(), date.encode(), hashlib.sha256).digest()
            for part in (self._region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            if len(self._signing_keys) > 8:
                self._signing_keys.clear()
            self._signing_keys[cache_key] = key
        return key

    # ----------------------------------------------------------------- sending

    def _send(
        self, target: _Bucket, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> Response:
        url = f"{target.scheme}://{target.host}{path}"
        return send_as_botocore(target.pool, method, path, headers, body, url)

    def _error(self, response: Response | Stream, operation: str, bucket: str) -> Exception:
        error = client_error(response, operation)
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if response.status in (301, 307, 308) or code in _REDIRECT_CODES:
            # The bucket lives in another region or behind another host: botocore knows how
            # to follow that, so this bucket goes its way from now on.
            self.give_up_on(bucket)
            return NotServed()
        return error


class LeanBody:
    """The body of a GetObject answer, read by the caller; network failures while reading
    come out as botocore's exception types, as for the request."""

    def __init__(self, stream: Stream, url: str) -> None:
        self._stream = stream
        self._url = url
        self.headers = stream.headers
        self.length: int = stream.length or 0  # of the body (Content-Length)

    def readinto(self, buffer: memoryview) -> int:
        """Up to ``len(buffer)`` bytes into ``buffer``; 0 at the end of the body."""
        try:
            return self._stream.readinto(buffer)
        except OSError as exc:
            raise as_botocore_error(exc, self._url) from exc

    def close(self) -> None:
        self._stream.close()


def send_as_botocore(
    pool: ConnectionPool, method: str, target: str, headers: dict[str, str], body: bytes, url: str
) -> Response:
    """One request on ``pool``; network failures come out as botocore's exception types, so
    the engine's retry and error wording treat them like botocore's own."""
    try:
        return pool.request(method, target, headers, body)
    except OSError as exc:
        raise as_botocore_error(exc, url) from exc


def as_botocore_error(exc: OSError, url: str) -> Exception:
    """A network failure of the lean client (TimeoutError and ssl.SSLError are OSErrors
    too) as the botocore exception it would have been."""
    from botocore import exceptions as bx

    if isinstance(exc, ConnectTimeout):
        return bx.ConnectTimeoutError(endpoint_url=url, error=exc)
    if isinstance(exc, ConnectError):
        return bx.EndpointConnectionError(endpoint_url=url, error=exc.__cause__ or exc)
    if isinstance(exc, TimeoutError):
        return bx.ReadTimeoutError(endpoint_url=url, error=exc)
    if isinstance(exc, ssl.SSLError):
        return bx.SSLError(endpoint_url=url, error=exc)
    return bx.ConnectionClosedError(endpoint_url=url)  # reset, broken pipe, a cut-off answer


def client_error(response: Response | Stream, operation: str) -> Exception:
    """An S3 error answer as botocore's ClientError, with the code and message S3 gave."""
    from botocore.exceptions import ClientError

    error = _parse_error(response.data)
    error.setdefault("Code", str(response.status))
    error.setdefault("Message", "")
    headers = {k.lower(): v for k, v in response.headers.items()}
    metadata = {
        "HTTPStatusCode": response.status,
        "HTTPHeaders": headers,
        "RequestId": headers.get("x-amz-request-id", error.get("RequestId", "")),
    }
    # botocore's shape, except for the HostId and RetryAttempts its types insist on
    parsed: Any = {"Error": error, "ResponseMetadata": metadata}
    exc: Exception = ClientError(parsed, operation)
    return exc


_USER_AGENT = f"s3desk/{__version__}"


def _parse_error(body: bytes) -> dict[str, str]:
    if not body:
        return {}
    from xml.etree import ElementTree  # only for an error answer

    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return {}
    fields = {child.tag.split("}")[-1]: child.text or "" for child in root if len(child) == 0}
    # Only what identifies the error: a signature error also echoes the string to sign and
    # the signature, which have no business in an exception that may be logged.
    return {k: v for k, v in fields.items() if k in ("Code", "Message", "RequestId")}


def _canonical_query(query: dict[str, str]) -> str:
    """SigV4's canonical query string, which is also sent as is: names and values
    percent-encoded (all but unreserved characters), sorted by name."""
    return "&".join(
        f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}"
        for name, value in sorted(query.items())
    )


def _plain_key(key: str) -> bool:
    """Keys whose path an HTTP library could rewrite ("a/../b", "./x") go through botocore."""
    segments = key.split("/")
    return not any(s in (".", "..") for s in segments)


def _proxied(url: str) -> bool:
    """A proxy from the environment applies: botocore honours it, so let it send."""
    if sys.platform not in ("darwin", "win32") and not any(
        name.lower().endswith("_proxy") for name in os.environ
    ):
        # getproxies() reads only *_proxy variables here; without any it finds none, and
        # urllib.request (with http.client and email) need not load.
        return False
    import urllib.request

    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if parts.scheme not in proxies:
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


def _ca_bundle(session: Session | PlainSession) -> str:
    """The CA bundle botocore would verify against: AWS_CA_BUNDLE or the profile's ca_bundle,
    else its default."""
    from botocore.httpsession import get_cert_path

    configured = session.get_config_variable("ca_bundle")
    return str(configured or get_cert_path(True))
