/* http-cookie-jar.c: the session's cookie jar. libcurl's cookie engine
 * parses, stores and matches cookies; curl cannot share one engine between
 * transfers running at once on different threads, so the jar is ours: a
 * set of lines in curl's Netscape format, handed to each transfer's engine
 * and merged back from it when the transfer ends. */

#include "config.h"

#include "http-session-private.h"

#include <string.h>

#include "http-exchange-private.h"
#include "http-transfer-private.h"

/* domain, path and name: fields 1, 3 and 6 of a Netscape line, which
 * together name one cookie. */
static char *
cookie_key (const char *line)
{
  char **fields = g_strsplit (line, "\t", 7);
  char *key = NULL;

  if (g_strv_length (fields) == 7)
    key = g_strjoin ("\t", fields[0], fields[2], fields[5], NULL);
  g_strfreev (fields);
  return key;
}

GPtrArray *
async_http_cookie_jar_snapshot_unlocked (AsyncHttpSession *session)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, session->cookies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (lines, g_strdup (value));
  return lines;
}

/* After any change: a new generation, and the first expiry, after which
 * a transfer reads its engine back to drop what expired. */
static void
jar_changed_unlocked (AsyncHttpSession *session)
{
  GHashTableIter iter;
  gpointer value;
  gint64 first = 0;

  session->cookie_generation++;
  g_hash_table_iter_init (&iter, session->cookies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *field = value;
      guint i;
      gint64 expiry;

      for (i = 0; i < 4 && field != NULL; i++)
        {
          field = strchr (field, '\t');
          if (field != NULL)
            field++;
        }
      expiry = field != NULL ? g_ascii_strtoll (field, NULL, 10) : 0;
      if (expiry > 0 && (first == 0 || expiry < first))
        first = expiry;
    }
  session->cookie_expiry = first;
}

/* What a transfer changed between @before and @after goes into the jar;
 * what it left alone stays as other transfers made it since. */
void
async_http_cookie_jar_merge_unlocked (AsyncHttpSession *session,
                                      GPtrArray        *before,
                                      GPtrArray        *after)
{
  GHashTable *old = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  for (i = 0; i < before->len; i++)
    {
      char *k = cookie_key (before->pdata[i]);

      if (k != NULL)
        g_hash_table_replace (old, k, before->pdata[i]);
    }
  for (i = 0; i < after->len; i++)
    {
      char *k = cookie_key (after->pdata[i]);
      const char *was;

      if (k == NULL)
        continue;
      was = g_hash_table_lookup (old, k);
      if (was == NULL || strcmp (was, after->pdata[i]) != 0)
        g_hash_table_replace (session->cookies, g_strdup (k), g_strdup (after->pdata[i]));
      g_hash_table_remove (old, k);
      g_free (k);
    }
  /* Left in @old: what the transfer deleted or let expire. */
  g_hash_table_iter_init (&iter, old);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *now = g_hash_table_lookup (session->cookies, key);

      if (now != NULL && strcmp (now, value) == 0)
        g_hash_table_remove (session->cookies, key);
    }
  g_hash_table_unref (old);
  jar_changed_unlocked (session);
}

void
async_http_cookie_jar_checkout_unlocked (AsyncHttpSession  *session,
                                         AsyncHttpExchange *exchange,
                                         AsyncHttpHandle   *handle)
{
  AsyncHttpHandleJar *jar = async_http_handle_get_jar (handle);
  gboolean enabled = exchange->settings.cookies_enabled;

  exchange->cookies_generation = enabled ? session->cookie_generation : ASYNC_HTTP_JAR_EMPTY;
  exchange->cookies_expiry = enabled ? session->cookie_expiry : 0;
  exchange->cookies_received = FALSE;
  exchange->cookies_load = jar->generation != exchange->cookies_generation || jar->lines == NULL;
  if (!exchange->cookies_load)
    exchange->cookies_before = g_ptr_array_ref (jar->lines);
  else if (enabled)
    exchange->cookies_before = async_http_cookie_jar_snapshot_unlocked (session);
  else
    exchange->cookies_before = g_ptr_array_new ();
}

gboolean
async_http_cookie_jar_load (AsyncHttpExchange *exchange,
                            AsyncHttpHandle   *handle)
{
  AsyncHttpHandleJar *jar = async_http_handle_get_jar (handle);

  if (!exchange->cookies_load)
    return TRUE;
  jar->generation = ASYNC_HTTP_JAR_UNKNOWN;
  g_clear_pointer (&jar->lines, g_ptr_array_unref);
  if (async_http_handle_set_cookies (handle, exchange->cookies_before))
    return TRUE;
  /* Nothing to check in: the engine is loaded afresh next time. */
  g_clear_pointer (&exchange->cookies_before, g_ptr_array_unref);
  return FALSE;
}

void
async_http_cookie_jar_read_back (AsyncHttpExchange *exchange,
                                 AsyncHttpHandle   *handle)
{
  gboolean expired = exchange->cookies_expiry != 0
                     && g_get_real_time () / G_USEC_PER_SEC >= exchange->cookies_expiry;

  if (exchange->settings.cookies_enabled && (exchange->cookies_received || expired))
    exchange->cookies_after = async_http_handle_get_cookies (handle);
}

void
async_http_cookie_jar_checkin_unlocked (AsyncHttpSession  *session,
                                        AsyncHttpExchange *exchange,
                                        AsyncHttpHandle   *handle)
{
  AsyncHttpHandleJar *jar = async_http_handle_get_jar (handle);

  if (exchange->cookies_before == NULL)
    return;
  if (exchange->cookies_after != NULL)
    async_http_cookie_jar_merge_unlocked (session, exchange->cookies_before,
                                          exchange->cookies_after);
  /* An engine that learnt something is loaded afresh next time. */
  if (exchange->cookies_after == NULL && !exchange->cookies_received)
    {
      g_clear_pointer (&jar->lines, g_ptr_array_unref);
      jar->lines = g_steal_pointer (&exchange->cookies_before);
      jar->generation = exchange->cookies_generation;
    }
  else
    {
      g_clear_pointer (&jar->lines, g_ptr_array_unref);
      jar->generation = ASYNC_HTTP_JAR_UNKNOWN;
    }
  g_clear_pointer (&exchange->cookies_before, g_ptr_array_unref);
  g_clear_pointer (&exchange->cookies_after, g_ptr_array_unref);
}

/**
 * async_http_session_set_cookies_enabled:
 * @session: a session
 * @enabled: %FALSE to neither send nor store cookies
 *
 * A session keeps cookies by default, as aiohttp's `CookieJar`; %FALSE is
 * its `DummyCookieJar`. Applies to later requests.
 *
 * Since: 0.2
 */
void
async_http_session_set_cookies_enabled (AsyncHttpSession *session,
                                        gboolean          enabled)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  session->settings.cookies_enabled = enabled != FALSE;
  g_mutex_unlock (&session->lock);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * async_http_session_get_cookies:
 * @session: a session
 *
 * The jar's cookies, as lines of a Netscape cookie file (domain, tail
 * match, path, secure, expiry, name and value, separated by tabs), sorted.
 *
 * Returns: (transfer full): the lines
 *
 * Since: 0.2
 */
GStrv
async_http_session_get_cookies (AsyncHttpSession *session)
{
  GPtrArray *lines;

  g_return_val_if_fail (session != NULL, NULL);

  g_mutex_lock (&session->lock);
  lines = async_http_cookie_jar_snapshot_unlocked (session);
  g_mutex_unlock (&session->lock);
  g_ptr_array_sort (lines, compare_strings);
  g_ptr_array_set_free_func (lines, NULL);
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (lines, FALSE);
}

/**
 * async_http_session_load_cookies:
 * @session: a session
 * @path: a Netscape cookie file, as curl's `--cookie FILE` reads it
 * @error: where a file that cannot be read is reported
 *
 * Adds the file's cookies to the jar (those already expired are dropped),
 * read by libcurl's own parser.
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_FILE if @path is not a readable
 *   file
 *
 * Since: 0.2
 */
gboolean
async_http_session_load_cookies (AsyncHttpSession  *session,
                                 const char        *path,
                                 GError           **error)
{
  GPtrArray *lines, *none;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  lines = g_ptr_array_new_with_free_func (g_free);
  if (!async_http_transfer_read_cookie_file (path, lines, error))
    {
      g_ptr_array_unref (lines);
      return FALSE;
    }
  none = g_ptr_array_new ();
  g_mutex_lock (&session->lock);
  async_http_cookie_jar_merge_unlocked (session, none, lines);
  g_mutex_unlock (&session->lock);
  g_ptr_array_unref (none);
  g_ptr_array_unref (lines);
  return TRUE;
}

/**
 * async_http_session_save_cookies:
 * @session: a session
 * @path: where to write a Netscape cookie file, as curl's `--cookie-jar`
 * @error: where a file that cannot be written is reported
 *
 * Writes the jar, with libcurl's own writer (session cookies included).
 *
 * Returns: %FALSE with %ASYNC_HTTP_ERROR_FILE if @path cannot be written
 *
 * Since: 0.2
 */
gboolean
async_http_session_save_cookies (AsyncHttpSession  *session,
                                 const char        *path,
                                 GError           **error)
{
  GPtrArray *lines;
  gboolean ok;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&session->lock);
  lines = async_http_cookie_jar_snapshot_unlocked (session);
  g_mutex_unlock (&session->lock);
  ok = async_http_transfer_write_cookie_file (path, lines, error);
  g_ptr_array_unref (lines);
  return ok;
}

/**
 * async_http_session_clear_cookies:
 * @session: a session
 *
 * Empties the jar (aiohttp's `cookie_jar.clear()`). Transfers running now
 * may still bring back what they learnt.
 *
 * Since: 0.2
 */
void
async_http_session_clear_cookies (AsyncHttpSession *session)
{
  g_return_if_fail (session != NULL);

  g_mutex_lock (&session->lock);
  g_hash_table_remove_all (session->cookies);
  jar_changed_unlocked (session);
  g_mutex_unlock (&session->lock);
}
