/* bench-util.h: what the benchmark programs share. */

#pragma once

#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

/* Bytes the heap holds now (glibc): the growth over N pending objects,
 * divided by N, is what one of them costs. */
static G_GNUC_UNUSED gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), 0 if unknown:
 * the resident memory now and its peak so far, for the bytes per in-flight
 * transfer of the concurrency scale rows. */
static G_GNUC_UNUSED guint64
proc_status_kib (const char *field)
{
  char line[256];
  size_t len = strlen (field);
  guint64 kib = 0;
  FILE *status = fopen ("/proc/self/status", "r");

  if (status == NULL)
    return 0;
  while (fgets (line, sizeof line, status) != NULL)
    if (strncmp (line, field, len) == 0 && line[len] == ':')
      {
        kib = g_ascii_strtoull (line + len + 1, NULL, 10);
        break;
      }
  fclose (status);
  return kib;
}
