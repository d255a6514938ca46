#!/usr/bin/python3
"""asyncio's side of bench-task-group: an asyncio.TaskGroup of N trivial
tasks, inside asyncio.run(). Prints the same key=value lines."""

import argparse
import asyncio
import time


async def trivial():
    return 1


async def group(n):
    async with asyncio.TaskGroup() as tg:
        for _ in range(n):
            tg.create_task(trivial())


def time_group(n):
    start = time.perf_counter()
    asyncio.run(group(n))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100000,
                        help="tasks in the group; also runs N/10")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each size, the best one printed")
    args = parser.parse_args()
    time_group(args.n // 100)
    for size in (args.n // 10, args.n):
        seconds = min(time_group(size) for _ in range(args.repeat))
        print(f"task_group_{size}_seconds={seconds:.6f}")
        print(f"task_group_{size}_ns_per_task={seconds * 1e9 / size:.1f}",
              flush=True)


if __name__ == "__main__":
    main()
