#!/usr/bin/python3
"""asyncio's side of bench-sleep: N concurrent asyncio.sleep() of random
length in [0, 1) s, the same delays bench-sleep draws (splitmix64, seed 42),
gathered; wall time from the first creation to the last completion.

Prints the same key=value lines as bench-sleep, for run-bench.sh."""

import argparse
import asyncio
import time

MASK = (1 << 64) - 1


def draw_delays(n, seed=42):
    delays = [0.0] * n
    state = seed
    for i in range(n):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        delays[i] = (z >> 11) * 2.0 ** -53
    return delays


async def sleep_all(delays):
    start = time.perf_counter()
    sleeps = [asyncio.sleep(delay) for delay in delays]
    gathered = asyncio.gather(*sleeps)
    created = time.perf_counter()
    await gathered
    return start, created, time.perf_counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000000,
                        help="the largest number of sleeps; also runs N/10")
    n = parser.parse_args().n
    delays = draw_delays(n)

    for size in (n // 10, n):
        start, created, end = asyncio.run(sleep_all(delays[:size]))
        print(f"sleep_ideal_{size}_seconds={max(delays[:size]):.6f}")
        print(f"sleep_asyncio_{size}_seconds={end - start:.6f}")
        print(f"sleep_asyncio_{size}_create_seconds={created - start:.6f}",
              flush=True)


if __name__ == "__main__":
    main()
