/* poller.c: the streams' fds in one edge-triggered epoll set per
 * GMainContext, which GLib polls as one fd through one GSource. A stream
 * then costs GLib nothing per turn of its loop, and waiting for a socket
 * costs no system call: the edge flags say whether to try it. The design
 * card's "one GSource per context", for I/O. */

#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "poller-private.h"

#define EVENTS_PER_TURN 256

typedef struct
{
  GSource       source;
  GMainContext *context;     /* the key in @pollers, no reference */
  int           epfd;
  guint         n_watches;
  GSList       *graveyard;   /* watches removed while a batch may hold them */
  gboolean      dispatching;
} Poller;

typedef struct
{
  AsyncPollerWatch flags;   /* first: the public part */
  Poller          *poller;
  int              fd;
  AsyncPollerFunc  func;    /* NULL once removed */
  gpointer         user_data;
} Watch;

/* GMainContext → Poller, each alive while it has watches. */
static GMutex pollers_lock;
static GHashTable *pollers;  /* protected by @pollers_lock */

static gboolean
poller_dispatch (GSource    *source,
                 GSourceFunc callback,
                 gpointer    user_data)
{
  Poller *self = (Poller *) source;
  struct epoll_event events[EVENTS_PER_TURN];
  int n;

  /* A nested loop run from a watch's callback would come back here with
   * this batch half done: it waits for the outer dispatch instead. */
  if (self->dispatching)
    return G_SOURCE_CONTINUE;

  n = epoll_wait (self->epfd, events, EVENTS_PER_TURN, 0);
  self->dispatching = TRUE;
  for (int i = 0; i < n; i++)
    {
      Watch *watch = events[i].data.ptr;
      guint32 e = events[i].events;

      if (watch->func == NULL)
        continue;
      if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        watch->flags.readable = TRUE;
      if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        watch->flags.hup = TRUE;
      if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        watch->flags.writable = TRUE;
      watch->func (watch->user_data);
    }
  self->dispatching = FALSE;
  g_slist_free_full (g_steal_pointer (&self->graveyard), g_free);

  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  Poller *self = (Poller *) source;

  g_slist_free_full (g_steal_pointer (&self->graveyard), g_free);
  close (self->epfd);
}

static GSourceFuncs poller_funcs = {
  NULL,
  NULL,
  poller_dispatch,
  poller_finalize,
  NULL,
  NULL,
};

static Poller *
poller_get (GMainContext *context)
{
  Poller *self;
  int epfd;

  g_mutex_lock (&pollers_lock);
  if (pollers == NULL)
    pollers = g_hash_table_new (NULL, NULL);
  self = g_hash_table_lookup (pollers, context);
  if (self == NULL && (epfd = epoll_create1 (EPOLL_CLOEXEC)) >= 0)
    {
      self = (Poller *) g_source_new (&poller_funcs, sizeof (Poller));
      g_source_set_name (&self->source, "AsyncPoller");
      self->context = context;
      self->epfd = epfd;
      g_source_add_unix_fd (&self->source, epfd, G_IO_IN);
      /* GLib blocks a source that may not recurse around its dispatch by
       * taking its fds out of the poll set and back, and each of those
       * wakes the context: two eventfd writes a dispatch, for nothing.
       * The dispatch guards itself instead. */
      g_source_set_can_recurse (&self->source, TRUE);
      g_source_attach (&self->source, context);
      g_hash_table_insert (pollers, context, self);
    }
  if (self != NULL)
    self->n_watches++;
  g_mutex_unlock (&pollers_lock);

  return self;
}

static void
poller_release (Poller *self)
{
  gboolean last;

  g_mutex_lock (&pollers_lock);
  last = --self->n_watches == 0;
  if (last)
    g_hash_table_remove (pollers, self->context);
  g_mutex_unlock (&pollers_lock);

  if (last)
    {
      g_source_destroy (&self->source);
      g_source_unref (&self->source);
    }
}

AsyncPollerWatch *
async_poller_watch_add (GMainContext   *context,
                        int             fd,
                        AsyncPollerFunc func,
                        gpointer        user_data)
{
  Poller *poller = poller_get (context);
  struct epoll_event event = { 0 };
  Watch *watch;

  if (poller == NULL)
    return NULL;

  watch = g_new0 (Watch, 1);
  watch->poller = poller;
  watch->fd = fd;
  watch->func = func;
  watch->user_data = user_data;
  /* Writable until a write says otherwise; readable once the first edge
   * (the add reports the fd's state at once) says so. */
  watch->flags.writable = TRUE;

  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.ptr = watch;
  if (epoll_ctl (poller->epfd, EPOLL_CTL_ADD, fd, &event) != 0)
    {
      g_free (watch);
      poller_release (poller);
      return NULL;
    }

  return &watch->flags;
}

void
async_poller_watch_remove (AsyncPollerWatch *flags)
{
  Watch *watch = (Watch *) flags;
  Poller *poller = watch->poller;

  epoll_ctl (poller->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
  watch->func = NULL;
  /* The batch being dispatched may still name it. */
  if (poller->dispatching)
    poller->graveyard = g_slist_prepend (poller->graveyard, watch);
  else
    g_free (watch);
  poller_release (poller);
}
