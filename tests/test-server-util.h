/* Helpers for GTest programs: run tests/fixtures/async-test-server as a
 * child process and build URLs pointing at it.  Plain GLib/GIO only. */

#ifndef ASYNC_TEST_SERVER_UTIL_H
#define ASYNC_TEST_SERVER_UTIL_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AsyncTestServer AsyncTestServer;

AsyncTestServer *async_test_server_start           (void);
AsyncTestServer *async_test_server_start_with_seed (guint64          seed);
const char      *async_test_server_get_url         (AsyncTestServer *server);
char            *async_test_server_url             (AsyncTestServer *server,
                                                    const char      *path_format,
                                                    ...) G_GNUC_PRINTF (2, 3);
guint            async_test_server_get_port        (AsyncTestServer *server);
void             async_test_server_stop            (AsyncTestServer *server);

G_END_DECLS

#endif /* ASYNC_TEST_SERVER_UTIL_H */
