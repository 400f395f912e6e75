"""What a bucket browser does in S3: listings, object details, deleting and versions."""
