#!/usr/bin/python3
"""aiohttp's side of bench-http: N GETs of URL through one ClientSession
with TCPConnector(limit=concurrency), gathered.

Usage: aiohttp_fetch.py URL N CONCURRENCY
Prints `requests=N failures=F seconds=S rps=R`, as bench-http does, and the
memory fields bench-scale prints: the transfers in flight at once, the
resident memory before the first request and its peak (VmRSS, VmHWM of
/proc/self/status), and the difference per transfer in flight."""

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


def status_kib(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    url, n, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    inflight = min(n, concurrency)
    before = status_kib("VmRSS")
    failures, seconds = asyncio.run(fetch_all(url, n, concurrency))
    peak = status_kib("VmHWM")
    print(f"requests={n} failures={failures} seconds={seconds:.6f} "
          f"rps={n / seconds:.1f} inflight={inflight} rss_before_kib={before} "
          f"rss_peak_kib={peak} "
          f"kib_per_inflight={max(peak - before, 0) / inflight:.1f}")


if __name__ == "__main__":
    main()
