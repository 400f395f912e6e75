"""A folder's entries page by page, each request off the UI thread: a screenful first, so
that it shows at once, then the rest in pages as large as S3 gives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from s3desk.core.bucket.browse import MAX_PAGE_SIZE, Entry, list_page
from s3desk.core.bucket.buckets import list_bucket_names

# Makes a client; it runs in worker threads.
ClientProvider = Callable[[], Any]

# Entries asked for in a folder's first request: more than a window shows, few enough to
# come back and parse quickly; the following pages take the most S3 gives (1,000).
FIRST_PAGE = 200


async def pages(client: Any, bucket: str, prefix: str) -> AsyncIterator[tuple[list[Entry], bool]]:
    """The entries of ``bucket``/``prefix`` ("" bucket: the buckets, as folders), a page at a
    time, each with whether more follow; the caller stops iterating when another folder is
    opened."""
    loop = asyncio.get_running_loop()
    if not bucket:
        names = await loop.run_in_executor(None, list_bucket_names, client)
        yield [Entry(key=n, name=n, is_folder=True) for n in names], False
        return
    token: str | None = None
    size = FIRST_PAGE
    while True:
        page = await loop.run_in_executor(
            None, partial(list_page, client, bucket, prefix, token=token, page_size=size)
        )
        token, size = page.next_token, MAX_PAGE_SIZE
        yield page.entries, token is not None
        if token is None:
            return
