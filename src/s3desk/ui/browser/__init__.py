"""The Browse tab: buckets and folders listed page by page, and what can be done to what
they hold (download, share, delete, versions, incomplete uploads)."""
