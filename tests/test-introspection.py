#!/usr/bin/env python3
"""test-introspection.py: the typelib works from Python (PyGObject): a future
is created, settled and read, its continuation runs on a GLib main loop,
errors come back as GLib.Error, and one GET against the loopback test server
resolves with a typed AsyncHttpResponse. Prints TAP.

make check runs it with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the
build, and G_TEST_BUILDDIR at tests/ (for fixtures/async-test-server)."""

import os
import subprocess
import sys
import traceback

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('AsyncGlib', '1.0')
from gi.repository import AsyncGlib, Gio, GLib  # noqa: E402

TIMEOUT_S = 10
tests = []


def test(function):
    tests.append(function)
    return function


def spin_until(done):
    """Runs the default main context until done() is true, or fails after
    TIMEOUT_S."""
    loop = GLib.MainLoop()
    timed_out = []

    def on_timeout():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    def check():
        if done():
            loop.quit()
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    guard = GLib.timeout_add_seconds(TIMEOUT_S, on_timeout)
    GLib.idle_add(check)
    while not done() and not timed_out:
        loop.run()
        if not done() and not timed_out:
            GLib.idle_add(check)
    if not timed_out:
        GLib.source_remove(guard)
    assert done(), 'still waiting after %d s' % TIMEOUT_S


@test
def future_create_settle_read():
    future = AsyncGlib.Future.new_at(None)
    assert future.is_pending()
    assert future.get_state() == AsyncGlib.FutureState.PENDING
    assert future.resolve_int(42) is True
    assert future.resolve_int(43) is False, 'a future settles once'
    assert future.is_resolved()
    assert future.get_state() == AsyncGlib.FutureState.RESOLVED
    assert future.get_int() == 42


@test
def future_continuation_on_main_loop():
    future = AsyncGlib.Future.new_at(None)
    seen = []

    def on_settled(settled, *user_data):
        seen.append((settled.get_boolean(), user_data))

    future.then(on_settled, 'data')
    future.resolve_boolean(True)
    assert seen == [], 'never called back synchronously'
    spin_until(lambda: seen)
    assert seen == [(True, ('data',))], seen


@test
def future_error_is_glib_error():
    future = AsyncGlib.Future.new_cancelled()
    assert future.is_cancelled()
    assert future.get_state() == AsyncGlib.FutureState.CANCELLED
    try:
        future.propagate_error()
    except GLib.Error as error:
        assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), error
    else:
        raise AssertionError('propagate_error() did not raise')

    rejected = AsyncGlib.Future.new_at(None)
    rejected.reject_literal(AsyncGlib.error_quark(), AsyncGlib.Error.POOL_SHUT_DOWN, 'shut')
    assert rejected.is_rejected()
    assert rejected.get_error().message == 'shut'


@test
def enums_and_version():
    assert AsyncGlib.GatherFlags.CANCEL_ON_ERROR == 2
    assert AsyncGlib.HttpError.TOO_MANY_REDIRECTS > AsyncGlib.HttpError.FAILED
    version = '%d.%d.%d' % (AsyncGlib.glib_get_major_version(),
                            AsyncGlib.glib_get_minor_version(),
                            AsyncGlib.glib_get_micro_version())
    assert AsyncGlib.glib_get_version() == version
    assert AsyncGlib.glib_check_version(0, 1, 0) is None


def start_server():
    path = os.environ.get('ASYNC_TEST_SERVER') or os.path.join(
        os.environ['G_TEST_BUILDDIR'], 'fixtures', 'async-test-server')
    server = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = server.stdout.readline().decode()
    assert line.startswith('PORT '), 'the test server printed %r' % line
    return server, 'http://127.0.0.1:%d' % int(line.split()[1])


@test
def http_get_through_main_loop():
    server, base = start_server()
    try:
        session = AsyncGlib.HttpSession.new()
        future = session.get(base + '/text/Hello%20from%20Python')
        settled = []
        future.then(lambda f, *rest: settled.append(f))
        spin_until(lambda: settled)

        assert future.is_resolved(), future.get_error()
        response = AsyncGlib.HttpResponse.get_from_future(future)
        assert response.get_status() == 200, response.get_status()
        assert response.get_text() == 'Hello from Python', response.get_text()
        assert response.get_url() == base + '/text/Hello%20from%20Python'
        assert response.get_body().get_size() == len('Hello from Python')
        session.close()
    finally:
        server.stdin.close()
        assert server.wait(timeout=TIMEOUT_S) == 0


def main():
    print('1..%d' % len(tests))
    failed = 0
    for number, function in enumerate(tests, 1):
        try:
            function()
            print('ok %d - %s' % (number, function.__name__))
        except Exception:  # noqa: BLE001 - every failure is reported the same way
            failed += 1
            print('not ok %d - %s' % (number, function.__name__))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
