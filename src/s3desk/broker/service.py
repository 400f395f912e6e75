"""What the service does, without HTTP: find the caller's upload and hand the request to the
part of the service that serves it (``issuing``, ``completion``, ``housekeeping``).

Nothing a client says is trusted on its own. Sizes are signed into every URL (S3 refuses a
body of another length) and checked again on completion; the first bytes are sniffed before
signing and compared with the stored object afterwards; the checksum is signed into single
uploads and compared (or recomputed) on completion. An upload that fails a check is deleted
(or aborted) and the refusal says why in words the desktop app shows as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from s3desk.broker import names, sniff
from s3desk.broker.audit import UploadAudit
from s3desk.broker.auth import Principal
from s3desk.broker.completion import Completion
from s3desk.broker.config import BrokerConfig
from s3desk.broker.errors import Refusal, not_found
from s3desk.broker.housekeeping import Housekeeping
from s3desk.broker.issuing import CHECKSUM_LENGTHS, MAX_PARTS_PER_REQUEST, Issuer
from s3desk.broker.records import MULTIPART, PENDING, Upload, UploadRecords
from s3desk.broker.storage import Storage

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class Broker:
    def __init__(
        self,
        config: BrokerConfig,
        client: S3Client,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.client = client
        self.records = UploadRecords(config.state_db)
        self.audit = UploadAudit(config.audit_log)
        self.clock = clock
        storage = Storage(client, url_lifetime=config.url_lifetime)
        self.issuer = Issuer(config, storage, self.records, clock)
        self.completion = Completion(config, storage, self.records, self.audit, clock)
        self.housekeeping = Housekeeping(
            storage, self.records, self.audit, self.completion,
            abandon_after=config.abandon_after, clock=clock,
        )  # fmt: skip

    def close(self) -> None:
        self.records.close()

    def me(self, principal: Principal) -> dict[str, Any]:
        policy = principal.policy
        return {
            "user": principal.user,
            "bucket": policy.bucket,
            "prefix": names.user_prefix(policy.prefix, principal.user),
            "max_size": policy.max_size,
            "allowed_types": sorted(policy.allowed_types),
            "multipart_threshold": self.config.multipart_threshold,
            "part_size": self.config.part_size,
            "url_lifetime": self.config.url_lifetime,
            "head_bytes": sniff.HEAD_BYTES,
            "checksum_algorithms": sorted(CHECKSUM_LENGTHS),
            "max_parts_per_request": MAX_PARTS_PER_REQUEST,
        }

    def create(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        return self.issuer.create(principal, body)

    def status(self, principal: Principal, upload_id: str) -> dict[str, Any]:
        return self.issuer.status(self._get(principal, upload_id))

    def sign_parts(
        self, principal: Principal, upload_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        return self.issuer.sign_parts(self._pending(principal, upload_id, MULTIPART), body)

    def list_parts(self, principal: Principal, upload_id: str) -> dict[str, Any]:
        return self.issuer.list_parts(self._pending(principal, upload_id, MULTIPART))

    def complete(
        self, principal: Principal, upload_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        return self.completion.complete(self._get(principal, upload_id), principal, body)

    def abort(self, principal: Principal, upload_id: str) -> dict[str, Any]:
        return self.housekeeping.abort(self._get(principal, upload_id))

    def sweep(self) -> dict[str, int]:
        return self.housekeeping.sweep()

    def _get(self, principal: Principal, upload_id: str) -> Upload:
        upload = self.records.get(upload_id, principal.user)
        if upload is None:
            raise not_found()
        return upload

    def _pending(self, principal: Principal, upload_id: str, kind: str) -> Upload:
        upload = self._get(principal, upload_id)
        if upload.state != PENDING:
            raise Refusal(409, "finished", "This upload is already finished")
        if upload.kind != kind:
            raise Refusal(
                409,
                "wrong_kind",
                f"This is a {upload.kind} upload; it has no parts to sign or list",
            )
        return upload
