#!/usr/bin/python3
"""asyncio's side of bench-futures: futures created, settled and continued,
a gather of trivial coroutines, and bytes per pending future.

Prints the same key=value lines as bench-futures, for run-bench.sh."""

import argparse
import asyncio
import gc
import time
import tracemalloc


def time_futures(n):
    loop = asyncio.new_event_loop()
    continued = 0
    done = loop.create_future()

    def count(_future):
        nonlocal continued
        continued += 1
        if continued == n:
            done.set_result(None)

    start = time.perf_counter()
    for i in range(n):
        future = loop.create_future()
        future.add_done_callback(count)
        future.set_result(i)
    loop.run_until_complete(done)
    seconds = time.perf_counter() - start
    loop.close()
    return seconds


async def return_int():
    return 1


async def gather(n):
    results = await asyncio.gather(*(return_int() for _ in range(n)))
    return sum(results)


def time_gather(n):
    start = time.perf_counter()
    total = asyncio.run(gather(n))
    seconds = time.perf_counter() - start
    assert total == n
    return seconds


def bytes_per_pending_future(n):
    loop = asyncio.new_event_loop()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    futures = [None] * n
    list_bytes = tracemalloc.get_traced_memory()[0] - base
    for i in range(n):
        futures[i] = loop.create_future()
    after_new = tracemalloc.get_traced_memory()[0]
    for future in futures:
        future.add_done_callback(print)
    after_then = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    for future in futures:
        future.remove_done_callback(print)
        future.cancel()
    loop.close()
    return ((after_new - base - list_bytes) / n,
            (after_then - base - list_bytes) / n)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000000,
                        help="the largest number of futures; also runs N/10")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each timing, the best one printed")
    args = parser.parse_args()
    n, repeats = args.n, args.repeat
    small = n // 10

    # As bench-futures: the best of the runs, and the first one too.
    time_futures(small // 10)
    for size in (small, n):
        times = [time_futures(size) for _ in range(repeats)]
        seconds = min(times)
        print(f"futures_{size}_seconds={seconds:.6f}")
        print(f"futures_{size}_first_seconds={times[0]:.6f}")
        print(f"futures_{size}_ns_per_future={seconds * 1e9 / size:.1f}",
              flush=True)

    seconds = min(time_gather(small) for _ in range(repeats))
    print(f"gather_coroutines_{small}_seconds={seconds:.6f}")
    print(f"gather_coroutines_{small}_ns_per_coroutine={seconds * 1e9 / small:.1f}",
          flush=True)

    pending, with_callback = bytes_per_pending_future(small)
    print(f"bytes_per_pending_future={pending:.1f}")
    print(f"bytes_per_pending_future_with_continuation={with_callback:.1f}")


if __name__ == "__main__":
    main()
