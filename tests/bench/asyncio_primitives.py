#!/usr/bin/python3
"""asyncio's side of bench-primitives: items through an asyncio.Queue from
one producer task to one and to eight consumer tasks, and asyncio.Lock
acquire/release pairs, uncontended and contended.

Prints the same key=value lines as bench-primitives, for run-bench.sh."""

import argparse
import asyncio
import time

QUEUE_MAXSIZE = 1000  # as bench-primitives: the items flow through
N_LOCKERS = 10


async def producer(queue, n, n_consumers):
    for i in range(1, n + 1):
        await queue.put(i)
    for _ in range(n_consumers):
        await queue.put(None)


async def consumer(queue):
    total = 0
    while True:
        value = await queue.get()
        if value is None:
            return total
        total += value


async def queue_run(n, n_consumers):
    queue = asyncio.Queue(QUEUE_MAXSIZE)
    results = await asyncio.gather(producer(queue, n, n_consumers),
                                   *(consumer(queue) for _ in range(n_consumers)))
    assert sum(results[1:]) == n * (n + 1) // 2


async def uncontended(lock, n):
    for _ in range(n):
        await lock.acquire()
        lock.release()


async def contended(lock, n):
    for _ in range(n):
        await lock.acquire()
        await asyncio.sleep(0)
        lock.release()


async def lock_run(n, is_contended):
    lock = asyncio.Lock()
    if not is_contended:
        await uncontended(lock, n)
    else:
        await asyncio.gather(*(contended(lock, n // N_LOCKERS)
                               for _ in range(N_LOCKERS)))


def timed(coroutine_function, *args):
    start = time.perf_counter()
    asyncio.run(coroutine_function(*args))
    return time.perf_counter() - start


def print_best(name, size, coroutine_function, *args):
    seconds = min(timed(coroutine_function, size, *args) for _ in range(3))
    print(f"{name}_{size}_seconds={seconds:.6f}")
    print(f"{name}_{size}_ns_each={seconds * 1e9 / size:.1f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000000,
                        help="queue items; also runs N/10")
    parser.add_argument("--locks", type=int, default=100000,
                        help="lock pairs; also runs N/10")
    args = parser.parse_args()

    for size in (args.n // 10, args.n):
        print_best("queue_1c", size, queue_run, 1)
        print_best("queue_8c", size, queue_run, 8)
    for size in (args.locks // 10, args.locks):
        print_best("lock_uncontended", size, lock_run, False)
        print_best("lock_contended", size, lock_run, True)


if __name__ == "__main__":
    main()
