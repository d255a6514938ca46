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

/* The arguments of the HTTP benchmarks, `PROGRAM URL N CONCURRENCY`: N and
 * CONCURRENCY from 1 up, CONCURRENCY at most @max_concurrency. Prints
 * @program's usage and returns FALSE if they are not that. */
static G_GNUC_UNUSED gboolean
bench_parse_http_args (int         argc,
                       char      **argv,
                       const char *program,
                       guint64     max_concurrency,
                       guint64    *n,
                       guint64    *concurrency)
{
  if (argc == 4
      && g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXUINT, n, NULL)
      && g_ascii_string_to_unsigned (argv[3], 10, 1, max_concurrency, concurrency, NULL))
    return TRUE;

  fprintf (stderr, "Usage: %s URL N CONCURRENCY\n", program);
  return FALSE;
}
