"""The service's audit log: one entry per accepted, rejected, cancelled or abandoned upload,
with what was declared for it (docs/broker.md lists the fields)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from s3desk.broker.records import Upload
from s3desk.core.compliance.audit import AuditLog


class UploadAudit:
    def __init__(self, path: Path) -> None:
        self.log = AuditLog(path)

    def record(self, upload: Upload, action: str, **fields: Any) -> None:
        entry: dict[str, Any] = {
            "user": upload.user,
            "bucket": upload.bucket,
            "key": upload.key,
            "upload_id": upload.id,
            "kind": upload.kind,
            "declared_size": upload.size,
            "checksum": f"{upload.checksum_algorithm}:{upload.checksum}",
            "content_type": upload.content_type,
        }
        entry.update(fields)
        self.log.append(action, **entry)
