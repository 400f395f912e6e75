"""Uploads: where dropped files become upload jobs (intake, scan, the journal and what an
earlier run left), the upload engine on the shared scheduler, and the backends through
which its units of work become requests (direct S3, or the organisation's upload service)."""
