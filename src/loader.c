/*
 * loader: one load (sd_load_run) and the worker thread around it; see
 * loader.h. The worker owns the pending request until it starts it and the
 * result until the main thread takes it; both move under the mutex.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "loader.h"
#include "source.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void origin_of(const char *uri, char *out, size_t outlen)
{
    const struct sd_source_kind *kind = sd_source_kind_of(uri);
    const char *path = kind ? kind->watch_path(uri) : NULL;     /* a file: its path */
    char *shown = path ? NULL : sd_source_display(uri);

    snprintf(out, outlen, "%s", path ? path : shown ? shown : uri);
    free(shown);
}

/*
 * r->error: the reason and where. A file's messages read "path: reason"
 * (paths are short, and the tests pin that form); an https source's read
 * "reason: URL", so smsDistSourceLastError (255 bytes) keeps the reason
 * whatever the URL's length. r->origin never holds a user:password.
 */
static void failf(struct sd_load_result *r, bool http, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void failf(struct sd_load_result *r, bool http, const char *fmt, ...)
{
    size_t size = sizeof(r->error), n = 0;
    va_list ap;
    int w;

    if (!http)
        n = (size_t)snprintf(r->error, size, "%s: ", r->origin);
    va_start(ap, fmt);
    w = vsnprintf(r->error + n, size - n, fmt, ap);
    va_end(ap);
    n += w > 0 ? (size_t)w : 0;
    if (http && n < size)
        snprintf(r->error + n, size - n, ": %s", r->origin);
}

/* A limit of the load, not the source, ended it: which one, how far it got. */
static void stopped(struct sd_load_result *r, const struct sd_load_params *p, bool http,
                    int why, bool during_page)
{
    const char *s = r->pages == 1 ? "" : "s";

    if (why == SD_FETCH_CANCELLED && !http)
        failf(r, http, "load abandoned: smsdistd is stopping");
    else if (why == SD_FETCH_CANCELLED)
        failf(r, http, "load abandoned after %u page%s: smsdistd is stopping", r->pages, s);
    else if (!http)
        failf(r, http, "loadTimeout (%u s) reached while reading; load abandoned",
              p->load_timeout);
    else if (during_page)
        failf(r, http, "loadTimeout (%u s) reached after %u page%s, during page %u; "
              "load abandoned", p->load_timeout, r->pages, s, r->pages + 1);
    else
        failf(r, http, "loadTimeout (%u s) reached after %u page%s; load abandoned",
              p->load_timeout, r->pages, s);
}

/* Decodes one document (a file, or one page) into rows; 0, or -1 with
 * r->error set. *next gets the page's @odata.nextLink (malloc'd) or NULL. */
static int decode(struct sd_load_result *r, const struct sd_load_params *p, bool http,
                  const struct sd_buf *buf, struct sd_rows *rows, char **next)
{
    struct sd_decode d;
    size_t n = strlen(r->origin);
    int rc;

    *next = NULL;
    if (p->max_rows && r->rows_seen >= p->max_rows) {
        failf(r, http, "more than %zu rows (maxRows %zu)", p->max_rows, p->max_rows);
        return -1;
    }
    sd_decode_init(&d, r->origin, rows, &r->msgs);
    d.max_rows = p->max_rows;  /* counted over all pages, with row_base */
    d.row_base = (uint32_t)r->rows_seen;
    d.dates = &p->dates;
    d.class_only = p->class_only;
    rc = sd_decode_document(&d, buf->data, buf->len);
    r->absent = rc == 0 && d.class_absent;
    r->rows_seen += d.rows_seen;
    r->rejected += d.rejected;
    /* the decoder says "origin: reason"; an https source's reason goes first */
    if (rc < 0 && http && strncmp(d.error, r->origin, n) == 0 && strncmp(d.error + n, ": ", 2) == 0)
        failf(r, http, "%s (page %u)", d.error + n + 2, r->pages);
    else if (rc < 0)
        snprintf(r->error, sizeof(r->error), "%s", d.error);
    *next = d.next_link;
    d.next_link = NULL;
    sd_decode_fini(&d);
    return rc;
}

/* One page (or the file) into buf: 0, or an SD_FETCH_* code with r->error. */
static int fetch(struct sd_load_result *r, const struct sd_load_params *p,
                 const struct sd_source_kind *kind, void *session,
                 const struct sd_fetch_ctl *ctl, const char *url, struct sd_buf *buf)
{
    double t0 = now_s();
    int rc = kind->get(session, url, p->max_bytes, ctl, buf, r->error, sizeof(r->error));

    r->fetch_s += now_s() - t0;
    if (rc == SD_FETCH_CANCELLED || rc == SD_FETCH_DEADLINE)
        stopped(r, p, kind->reason_first, rc, true);
    return rc;
}

/* A changed export format must not empty the table: a document whose
 * every row was rejected is refused. 0, or -1 with r->error. */
static int all_rejected(struct sd_load_result *r, bool http, const struct sd_rows *rows)
{
    if (r->absent || r->rows_seen == 0 || rows->n > 0)
        return 0;
    /* The first row's reason, without "origin: " and "; row skipped", says
     * what to change (e.g. which directive reads its dates). */
    const char *first = r->msgs.n ? r->msgs.v[0].text : "";
    size_t olen = strlen(r->origin), flen;

    if (strncmp(first, r->origin, olen) == 0 && strncmp(first + olen, ": ", 2) == 0)
        first += olen + 2;
    flen = strlen(first);
    if (flen > 13 && strcmp(first + flen - 13, "; row skipped") == 0)
        flen -= 13;
    if (flen)
        failf(r, http, "none of the %lu rows could be used (first: %.*s); "
              "document refused", r->rows_seen, (int)flen, first);
    else
        failf(r, http, "none of the %lu rows could be used (see the row messages); "
              "document refused", r->rows_seen);
    return -1;
}

/* Sorts the rows into r->snap and compares it with r->base; r->error when
 * out of memory. */
static void build(struct sd_load_result *r, const struct sd_policy *policy, struct sd_rows *rows)
{
    double t0 = now_s();

    r->snap = sd_snapshot_build(rows, policy, r->rejected, r->origin, &r->msgs);
    if (r->snap) {
        r->same = r->base && sd_snapshot_same_rows(r->base, r->snap);
        r->changes_ok = r->same || sd_snapshot_changes(r->base, r->snap, policy, &r->changes) == 0;
    }
    r->build_s += now_s() - t0;
    if (!r->snap)
        snprintf(r->error, sizeof(r->error), "%s: out of memory building the table", r->origin);
}

static struct sd_load_result *result_new(const struct sd_load_params *p, struct sd_snapshot *base)
{
    struct sd_load_result *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    sd_msgs_init(&r->msgs, p->log_rows);
    origin_of(p->uri, r->origin, sizeof(r->origin));
    r->base = sd_snapshot_ref(base);
    return r;
}

/* One also table's decode and build, from the main table's bytes. */
struct also_job {
    struct sd_load_result *r;
    struct sd_load_params q;            /* the main request, for this table */
    const struct sd_buf *buf;
    pthread_t thread;
    bool threaded;
};

static void *also_run(void *arg)
{
    struct also_job *j = arg;
    struct sd_rows rows;
    char *next = NULL;
    double t0 = now_s();
    int rc;

    sd_rows_init_table(&rows, j->q.table);
    rc = decode(j->r, &j->q, false, j->buf, &rows, &next);
    j->r->decode_s = now_s() - t0;
    free(next);
    if (rc == 0 && all_rejected(j->r, false, &rows) == 0)
        build(j->r, &j->q.policy, &rows);
    sd_rows_fini(&rows);
    return NULL;
}

/*
 * The also tables, from the main table's document (buf): each in a thread
 * of its own beside the main table's decode (the bytes are only read), so
 * a combined export costs one read and about one parse of wall time on two
 * cores. buf NULL: they fail as the main load did. sd_also_join waits for
 * them. Out of memory leaves a table out.
 */
static void also_start(struct sd_load_result *r, const struct sd_load_params *p,
                       const struct sd_buf *buf, struct also_job *jobs)
{
    for (size_t k = 0; k < p->n_also; k++) {
        struct also_job *j = &jobs[k];
        struct sd_load_result *ar = result_new(p, p->also[k].base);

        memset(j, 0, sizeof(*j));
        if (!ar)
            continue;
        ar->table = p->also[k].table;
        r->also[r->n_also++] = ar;
        if (!buf) {
            snprintf(ar->error, sizeof(ar->error), "%s", r->error);
            continue;
        }
        j->r = ar;
        j->buf = buf;
        j->q = *p;
        j->q.table = p->also[k].table;
        j->q.policy = p->also[k].policy;
        j->q.class_only = true;
        j->q.n_also = 0;
        j->threaded = pthread_create(&j->thread, NULL, also_run, j) == 0;
        if (!j->threaded)
            also_run(j);
    }
}

static void also_join(const struct sd_load_params *p, struct also_job *jobs)
{
    for (size_t k = 0; k < p->n_also; k++)
        if (jobs[k].threaded)
            pthread_join(jobs[k].thread, NULL);
}

/* Fetches and decodes every page into rows. 0, or -1 with r->error. An
 * https load is one session: one connection, credentials read once, and
 * maxSourceBytes counted over all its pages. */
static int fetch_and_decode(struct sd_load_result *r, const struct sd_load_params *p,
                            const struct sd_fetch_ctl *ctl, struct sd_rows *rows)
{
    /* anything else is the file kind's to refuse, in its words */
    const struct sd_source_kind *kind = sd_source_kind_of(p->uri) ?: &sd_source_file;
    bool http = kind->reason_first, paged = kind->next_url != NULL;
    void *session;
    char *url = NULL;
    int rc = -1, why;

    if (!(session = kind->open(&p->http, p->max_bytes, ctl, r->error, sizeof(r->error))))
        return -1;
    url = kind->first_url(p->uri, rows->t->select);
    if (!url)
        failf(r, http, "out of memory");
    while (url) {
        struct sd_buf buf = { 0 };
        char *next = NULL;
        if (fetch(r, p, kind, session, ctl, url, &buf) < 0)
            break;
        r->pages++;
        double t0 = now_s();
        /* a one-document source may be a combined export: its other
         * tables are decoded from the same bytes, side by side */
        struct also_job jobs[SD_LOAD_ALSO_MAX];
        if (!paged)
            also_start(r, p, &buf, jobs);
        rc = decode(r, p, http, &buf, rows, &next);
        r->decode_s += now_s() - t0;
        if (!paged)
            also_join(p, jobs);
        sd_buf_free(&buf);
        if (rc < 0 || !paged || !next) {
            free(next);
            break;
        }
        rc = -1;
        if (r->pages >= p->http.max_pages) {
            failf(r, http, "more than %u pages (httpMaxPages %u)", p->http.max_pages,
                  p->http.max_pages);
            free(next);
            break;
        }
        if ((why = sd_fetch_check(ctl)) != 0) {         /* between pages */
            stopped(r, p, http, why, false);
            free(next);
            break;
        }
        char *following = kind->next_url(url, next, r->error, sizeof(r->error));
        free(next);
        free(url);
        url = following;
        if (!url) {
            char why_next[sizeof(r->error)];
            snprintf(why_next, sizeof(why_next), "%s", r->error);
            failf(r, http, "%s", why_next);
        }
    }
    free(url);
    snprintf(r->auth_note, sizeof(r->auth_note), "%s", kind->note(session));
    kind->close(session);
    if (rc == 0)
        rc = all_rejected(r, http, rows);
    return rc;
}

/* One load; cancel (may be NULL) set by another thread abandons it. */
static struct sd_load_result *load_run(const struct sd_load_params *p, const atomic_bool *cancel)
{
    struct sd_load_result *r = result_new(p, p->base);
    struct sd_fetch_ctl ctl = { .cancel = cancel };
    struct sd_rows rows;

    if (!r)
        return NULL;
    r->table = p->table ? p->table : &sd_table_status;
    if (p->load_timeout)
        ctl.deadline = sd_monotonic() + p->load_timeout;
    sd_rows_init_table(&rows, r->table);
    if (fetch_and_decode(r, p, &ctl, &rows) == 0)
        build(r, &p->policy, &rows);
    if (p->n_also && !r->n_also) {
        struct also_job jobs[SD_LOAD_ALSO_MAX];

        also_start(r, p, NULL, jobs);   /* nothing was read: they fail as this did */
    }
    sd_rows_fini(&rows);
    return r;
}

struct sd_load_result *sd_load_run(const struct sd_load_params *p)
{
    return load_run(p, NULL);
}

void sd_load_result_free(struct sd_load_result *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < r->n_also; k++)
        sd_load_result_free(r->also[k]);
    sd_snapshot_free(r->snap);
    sd_snapshot_free(r->base);
    sd_changes_fini(&r->changes);
    sd_msgs_fini(&r->msgs);
    free(r);
}

/* --- the worker ----------------------------------------------------------- */

struct sd_loader {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int pipe_rd, pipe_wr;
    bool stopping;
    atomic_bool cancel;         /* set by sd_loader_stop: a load under way gives up */
    bool pending;
    struct sd_load_params req;  /* req.uri owned while pending */
    struct sd_load_result *done;        /* owned until taken */
    /* retired by the main thread, freed here */
    struct sd_snapshot *retired_snaps[8];
    struct sd_load_result *retired_results[8];
    size_t n_snaps, n_results;
};

/* Frees what was retired; called with the lock held, frees without it. */
static void free_retired(struct sd_loader *l)
{
    struct sd_snapshot *snaps[8];
    struct sd_load_result *results[8];
    size_t ns = l->n_snaps, nr = l->n_results;

    if (!ns && !nr)
        return;
    memcpy(snaps, l->retired_snaps, ns * sizeof(snaps[0]));
    memcpy(results, l->retired_results, nr * sizeof(results[0]));
    l->n_snaps = l->n_results = 0;
    pthread_mutex_unlock(&l->lock);
    for (size_t i = 0; i < ns; i++)
        sd_snapshot_free(snaps[i]);
    for (size_t i = 0; i < nr; i++)
        sd_load_result_free(results[i]);
#ifdef HAVE_MALLOC_TRIM
    malloc_trim(0);             /* give a reload's peak back to the system */
#endif
    pthread_mutex_lock(&l->lock);
}

/* Reloads yield the CPU to the request path (Linux: per-thread nice). */
static void lower_priority(void)
{
#ifdef __linux__
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) < 0) {
        /* not fatal: reloads then compete with requests as equals */
    }
#endif
}

/* Drops what a submitted request holds (its URI copy and references). */
static void params_release(struct sd_load_params *p)
{
    free((char *)p->uri);
    sd_snapshot_free(p->base);
    sd_tz_free(p->dates.tz);
    for (size_t k = 0; k < p->n_also; k++)
        sd_snapshot_free(p->also[k].base);
    memset(p, 0, sizeof(*p));
}

static void *worker(void *arg)
{
    struct sd_loader *l = arg;

    lower_priority();
    pthread_mutex_lock(&l->lock);
    for (;;) {
        while (!l->pending && !l->stopping && !l->n_snaps && !l->n_results)
            pthread_cond_wait(&l->wake, &l->lock);
        free_retired(l);
        if (l->stopping)
            break;
        if (!l->pending)
            continue;
        struct sd_load_params p = l->req;
        l->pending = false;
        memset(&l->req, 0, sizeof(l->req));     /* what it held now belongs to p */
        pthread_mutex_unlock(&l->lock);

        struct sd_load_result *r = load_run(&p, &l->cancel);
        params_release(&p);

        pthread_mutex_lock(&l->lock);
        sd_load_result_free(l->done);   /* an untaken older result is superseded */
        l->done = r;
        /* A full pipe already holds a wakeup: EAGAIN is fine. */
        if (write(l->pipe_wr, "x", 1) < 0 && errno != EAGAIN)
            perror("smsdistd: loader wakeup");
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

struct sd_loader *sd_loader_start(void)
{
    struct sd_loader *l = calloc(1, sizeof(*l));
    int fds[2];

    if (!l)
        return NULL;
    atomic_init(&l->cancel, false);
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
        goto free_loader;
    l->pipe_rd = fds[0];
    l->pipe_wr = fds[1];
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    if (pthread_create(&l->thread, NULL, worker, l) != 0)
        goto close_pipe;
    return l;

close_pipe:
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->wake);
    close(fds[0]);
    close(fds[1]);
free_loader:
    free(l);
    return NULL;
}

int sd_loader_fd(const struct sd_loader *l)
{
    return l->pipe_rd;
}

int sd_loader_submit(struct sd_loader *l, const struct sd_load_params *p)
{
    char *uri = strdup(p->uri);

    if (!uri)
        return -1;
    pthread_mutex_lock(&l->lock);
    params_release(&l->req);    /* a request not yet started is replaced */
    l->req = *p;
    l->req.uri = uri;
    l->req.base = sd_snapshot_ref(p->base);
    l->req.dates.tz = sd_tz_ref(p->dates.tz);
    for (size_t k = 0; k < p->n_also; k++)
        l->req.also[k].base = sd_snapshot_ref(p->also[k].base);
    l->pending = true;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    return 0;
}

struct sd_load_result *sd_loader_take(struct sd_loader *l)
{
    char drain[64];
    struct sd_load_result *r;

    while (read(l->pipe_rd, drain, sizeof(drain)) > 0)
        ;
    pthread_mutex_lock(&l->lock);
    r = l->done;
    l->done = NULL;
    pthread_mutex_unlock(&l->lock);
    return r;
}

void sd_loader_retire(struct sd_loader *l, struct sd_snapshot *s, struct sd_load_result *r)
{
    pthread_mutex_lock(&l->lock);
    /* The lists are short: the main thread retires at most two things per
     * load, and the worker empties them before every load. When full (the
     * worker is busy with a long fetch), free here rather than wait. */
    if (s && l->n_snaps < 8) {
        l->retired_snaps[l->n_snaps++] = s;
        s = NULL;
    }
    if (r && l->n_results < 8) {
        l->retired_results[l->n_results++] = r;
        r = NULL;
    }
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    sd_snapshot_free(s);
    sd_load_result_free(r);
}

void sd_loader_stop(struct sd_loader *l)
{
    if (!l)
        return;
    atomic_store(&l->cancel, true);     /* without the lock: the worker holds none while loading */
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    pthread_join(l->thread, NULL);
    for (size_t i = 0; i < l->n_snaps; i++)
        sd_snapshot_free(l->retired_snaps[i]);
    for (size_t i = 0; i < l->n_results; i++)
        sd_load_result_free(l->retired_results[i]);
    params_release(&l->req);
    sd_load_result_free(l->done);
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->wake);
    close(l->pipe_rd);
    close(l->pipe_wr);
    free(l);
}
