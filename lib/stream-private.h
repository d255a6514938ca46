/* stream-private.h: streams over pipes, for subprocess.c. */

#pragma once

#ifndef PACKAGE_NAME
# error "config.h must be included before stream-private.h"
#endif

#include "async-glib/async-stream.h"

G_BEGIN_DECLS

/* A stream with only a reader side (@input) or only a writer side
 * (@output), both pollable; it takes references to them. */
AsyncStream *async_stream_new_for_pipes (GInputStream  *input,
                                         GOutputStream *output);

G_END_DECLS
