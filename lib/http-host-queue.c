/* http-host-queue.c: the per-host limit (aiohttp's limit_per_host): the
 * exchanges to one scheme://host:port that hold a slot (queued for a
 * runner, or running), and those waiting for one outside the pool, so that
 * no worker blocks on them. */

#include "config.h"

#include "http-exchange-private.h"

typedef struct
{
  guint  active;
  GQueue waiting;   /* AsyncHttpExchange.wait_link */
} AsyncHttpHost;

/* Gives the free slots of a host to its waiting exchanges. */
static void
host_dispatch_unlocked (AsyncHttpSession *session,
                        const char       *host_key,
                        AsyncHttpHost    *host,
                        GQueue           *to_complete)
{
  while (host->active < session->limit_per_host || session->limit_per_host == 0)
    {
      GList *link = g_queue_pop_head_link (&host->waiting);
      AsyncHttpExchange *next;

      if (link == NULL)
        break;
      next = link->data;
      host->active++;
      if (!async_http_exchange_queue_unlocked (session, next))
        {
          host->active--;
          next->state = ASYNC_HTTP_EXCHANGE_ENDED;
          g_queue_unlink (&session->exchanges, &next->link);
          g_queue_push_tail (to_complete, next);
        }
    }

  if (host->active == 0 && host->waiting.length == 0)
    g_hash_table_remove (session->hosts, host_key);
}

void
async_http_host_queue_push_unlocked (AsyncHttpSession  *session,
                                     AsyncHttpExchange *exchange,
                                     GQueue            *to_complete)
{
  AsyncHttpHost *host = g_hash_table_lookup (session->hosts, exchange->host_key);

  if (host == NULL)
    {
      host = g_new0 (AsyncHttpHost, 1);
      g_queue_init (&host->waiting);
      g_hash_table_insert (session->hosts, g_strdup (exchange->host_key), host);
    }
  exchange->state = ASYNC_HTTP_EXCHANGE_WAITING;
  g_queue_push_tail_link (&host->waiting, &exchange->wait_link);
  host_dispatch_unlocked (session, exchange->host_key, host, to_complete);
}

void
async_http_host_queue_release_unlocked (AsyncHttpSession  *session,
                                        AsyncHttpExchange *exchange,
                                        GQueue            *to_complete)
{
  AsyncHttpHost *host = g_hash_table_lookup (session->hosts, exchange->host_key);

  host->active--;
  host_dispatch_unlocked (session, exchange->host_key, host, to_complete);
}

void
async_http_host_queue_remove_unlocked (AsyncHttpSession  *session,
                                       AsyncHttpExchange *exchange,
                                       GQueue            *to_complete)
{
  AsyncHttpHost *host = g_hash_table_lookup (session->hosts, exchange->host_key);

  g_queue_unlink (&host->waiting, &exchange->wait_link);
  host_dispatch_unlocked (session, exchange->host_key, host, to_complete);
}
