/* bench-util.h: what the benchmark programs share. */

#pragma once

#include <malloc.h>

#include <glib.h>

/* Bytes the heap holds now (glibc): the growth over N pending objects,
 * divided by N, is what one of them costs. */
static G_GNUC_UNUSED gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}
