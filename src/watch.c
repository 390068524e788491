/* watch: inotify + stat polling for the file source; see watch.h. */
#include "sd_snmp.h"

#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "watch.h"

#define SETTLE_MS 200
/* A writer that never stops (a file rewritten more often than SETTLE_MS)
 * must not starve loads: once changes have kept coming for this long, the
 * settle timer is no longer pushed back and the file is read as it is (a
 * half-written file fails to decode and the next change loads it again). */
#define SETTLE_MAX_MS 5000

struct sig {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

struct sd_watch {
    char *path;                 /* owned */
    char *dir;                  /* owned */
    const char *base;           /* into path */
    int ifd;                    /* inotify fd or -1 */
    unsigned poll_alarm, settle_alarm;
    struct timespec settle_first;       /* first event of the pending burst */
    struct timespec poll_changed;       /* polling: when the file began to differ */
    bool poll_differs;
    struct sig loaded, last_poll;
    void (*changed)(void *);
    void *arg;
};

static struct sig sig_now(const struct sd_watch *w)
{
    struct sig s = { 0 };
    struct stat st;

    if (stat(w->path, &st) == 0) {
        s.exists = true;
        s.dev = st.st_dev;
        s.ino = st.st_ino;
        s.size = st.st_size;
        s.mtime = st.st_mtim;
    }
    return s;
}

static bool sig_eq(const struct sig *a, const struct sig *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

void sd_watch_mark_loaded(struct sd_watch *w)
{
    if (w) {
        w->loaded = sig_now(w);
        w->poll_differs = false;
    }
}

static void settled(unsigned reg, void *data)
{
    struct sd_watch *w = data;

    w->settle_alarm = 0;
    DEBUGMSGTL(("smsdistd/watch", "%s changed\n", w->path));
    w->changed(w->arg);
}

static long ms_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* (Re)arms the settle timer: a burst of events gives one callback, and a
 * burst longer than SETTLE_MAX_MS one callback at least that often. */
static void soon(struct sd_watch *w)
{
    struct timeval tv = { 0, SETTLE_MS * 1000 };

    if (w->settle_alarm) {
        if (ms_since(&w->settle_first) >= SETTLE_MAX_MS)
            return;             /* let the pending one fire */
        snmp_alarm_unregister(w->settle_alarm);
    } else {
        clock_gettime(CLOCK_MONOTONIC, &w->settle_first);
    }
    w->settle_alarm = snmp_alarm_register_hr(tv, 0, settled, w);
}

static void on_inotify(int fd, void *data)
{
    struct sd_watch *w = data;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool ours = false;
    ssize_t len;

    while ((len = read(fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            if (ev->len && strcmp(ev->name, w->base) == 0)
                ours = true;
            if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
                snmp_log(LOG_WARNING, "%s: the directory went away; watching by polling only\n",
                         w->dir);
            p += sizeof(*ev) + ev->len;
        }
    }
    if (ours)
        soon(w);
}

static void on_poll(unsigned reg, void *data)
{
    struct sd_watch *w = data;
    struct sig now = sig_now(w);
    bool differs = !sig_eq(&now, &w->loaded);

    if (differs && !w->poll_differs)
        clock_gettime(CLOCK_MONOTONIC, &w->poll_changed);
    w->poll_differs = differs;
    /* A change counts once it has held still for a whole interval, or
     * once it has kept changing for SETTLE_MAX_MS. */
    if (differs && !w->settle_alarm &&
        (sig_eq(&now, &w->last_poll) || ms_since(&w->poll_changed) >= SETTLE_MAX_MS))
        soon(w);
    w->last_poll = now;
}

static int start_inotify(struct sd_watch *w)
{
    const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                          IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF;

    w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->ifd < 0)
        return -1;
    if (inotify_add_watch(w->ifd, w->dir, mask) < 0 ||
        register_readfd(w->ifd, on_inotify, w) != FD_REGISTERED_OK) {
        close(w->ifd);
        w->ifd = -1;
        return -1;
    }
    return 0;
}

struct sd_watch *sd_watch_start(const char *path, unsigned poll_s, void (*changed)(void *),
                                void *arg)
{
    struct sd_watch *w = calloc(1, sizeof(*w));
    char *copy = strdup(path);

    if (!w || !copy) {
        free(w);
        free(copy);
        return NULL;
    }
    w->ifd = -1;
    w->path = strdup(path);
    w->dir = strdup(dirname(copy));
    free(copy);
    if (!w->path || !w->dir) {
        sd_watch_stop(w);
        return NULL;
    }
    w->base = strrchr(w->path, '/') ? strrchr(w->path, '/') + 1 : w->path;
    w->changed = changed;
    w->arg = arg;
    w->last_poll = sig_now(w);
    if (start_inotify(w) < 0)
        snmp_log(LOG_WARNING, "%s: inotify unavailable (%s); watching by polling every %u s\n",
                 w->dir, strerror(errno), poll_s);
    if (poll_s)
        w->poll_alarm = snmp_alarm_register(poll_s, SA_REPEAT, on_poll, w);
    return w;
}

void sd_watch_stop(struct sd_watch *w)
{
    if (!w)
        return;
    if (w->ifd >= 0) {
        unregister_readfd(w->ifd);
        close(w->ifd);
    }
    if (w->poll_alarm)
        snmp_alarm_unregister(w->poll_alarm);
    if (w->settle_alarm)
        snmp_alarm_unregister(w->settle_alarm);
    free(w->path);
    free(w->dir);
    free(w);
}
