#!/usr/bin/python3
"""asyncio's side of bench-echo: the same echo server and client written with
asyncio streams (open_connection, start_server, read, readexactly, write,
drain), on asyncio's own loop or, with --uvloop, on uvloop's.

  asyncio_echo.py [--uvloop] server
  asyncio_echo.py [--uvloop] client PORT CONCURRENCY SECONDS SIZE

Same output as bench-echo: PORT N for the server; round_trips= seconds=
rps= for the client."""

import argparse
import asyncio
import os
import signal
import sys
import time


async def handle_echo(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def serve():
    server = await asyncio.start_server(handle_echo, '127.0.0.1', 0)
    print(f'PORT {server.sockets[0].getsockname()[1]}', flush=True)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def stop_once():
        if not stop.done():
            stop.set_result(None)

    def on_stdin():
        # The end of standard input stops the server too (run-bench.sh).
        if not os.read(sys.stdin.fileno(), 256):
            loop.remove_reader(sys.stdin.fileno())
            stop_once()

    loop.add_signal_handler(signal.SIGTERM, stop_once)
    loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stop
    server.close()


async def client(port, deadline, message, counter):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    while time.monotonic() < deadline:
        writer.write(message)
        await writer.drain()
        echoed = await reader.readexactly(len(message))
        if echoed != message:
            raise RuntimeError('the echo differs')
        counter[0] += 1
    writer.close()
    await writer.wait_closed()


async def load(port, concurrency, seconds, size):
    counter = [0]
    message = b'e' * size
    start = time.monotonic()
    await asyncio.gather(*(client(port, start + seconds, message, counter)
                           for _ in range(concurrency)))
    elapsed = time.monotonic() - start
    print(f'round_trips={counter[0]} seconds={elapsed:.6f} rps={counter[0] / elapsed:.1f}')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--uvloop', action='store_true')
    parser.add_argument('mode', choices=['server', 'client'])
    parser.add_argument('rest', nargs='*')
    args = parser.parse_args()
    if args.uvloop:
        import uvloop
        run = uvloop.run if hasattr(uvloop, 'run') else None
        if run is None:
            uvloop.install()
            run = asyncio.run
    else:
        run = asyncio.run
    if args.mode == 'server':
        run(serve())
    else:
        port, concurrency, seconds, size = args.rest
        run(load(int(port), int(concurrency), float(seconds), int(size)))


if __name__ == '__main__':
    sys.exit(main())
