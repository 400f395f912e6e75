"""s3desk: put files into Amazon S3 and S3-compatible storage, and manage what is there."""

__version__ = "0.1.0"
