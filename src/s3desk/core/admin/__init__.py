"""What an administrator sets up: least-privilege IAM policies, CORS, and the bucket check."""
