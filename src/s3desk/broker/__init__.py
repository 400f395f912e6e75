"""s3desk-broker: hands out short-lived pre-signed S3 upload URLs to people who hold a token,
so that desktop clients upload without AWS keys of their own.

The service holds the only AWS credentials. It decides every object key (a per-user prefix
and a cleaned file name), signs each request's length, and checks type, size and content
before and after the bytes arrive. See docs/broker.md for the API and the configuration.
"""

from __future__ import annotations
