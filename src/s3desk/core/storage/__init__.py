"""Where work becomes requests: endpoints and boto3 clients, the lean signed path and its
HTTP client, checksums, object keys, S3's limits, error wording, the upload-service client."""
