#!/usr/bin/python3
"""aiohttp's side of bench-http: N GETs of URL through one ClientSession
with TCPConnector(limit=concurrency), gathered.

Usage: aiohttp_fetch.py URL N CONCURRENCY
Prints `requests=N failures=F seconds=S rps=R`, as bench-http does."""

import asyncio
import sys
import time

import aiohttp


async def fetch_all(url, n, concurrency):
    failures = 0

    async def fetch(session):
        nonlocal failures
        try:
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    failures += 1
        except aiohttp.ClientError:
            failures += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(fetch(session) for _ in range(n)))
        seconds = time.perf_counter() - start
    return failures, seconds


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    url, n, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    failures, seconds = asyncio.run(fetch_all(url, n, concurrency))
    print(f"requests={n} failures={failures} seconds={seconds:.6f} "
          f"rps={n / seconds:.1f}")


if __name__ == "__main__":
    main()
