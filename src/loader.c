/*
 * loader: one load (sd_load_run) and the worker thread around it; see
 * loader.h. The worker owns the pending request until it starts it and the
 * result until the main thread takes it; both move under the mutex.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
    const char *path = sd_source_file_path(uri);
    char *shown = path ? NULL : sd_source_display(uri);

    snprintf(out, outlen, "%s", path ? path : shown ? shown : uri);
    free(shown);
}

/* Decodes buf into rows; 0, or -1 with r->error set. */
static int decode(struct sd_load_result *r, const struct sd_load_params *p,
                  const struct sd_buf *buf, struct sd_rows *rows, unsigned long *rejected)
{
    struct sd_decode d;
    int rc;

    sd_decode_init(&d, r->origin, rows, &r->msgs);
    d.max_rows = p->max_rows;
    rc = sd_decode_document(&d, buf->data, buf->len);
    r->rows_seen = d.rows_seen;
    *rejected = d.rejected;
    if (rc < 0)
        snprintf(r->error, sizeof(r->error), "%s", d.error);
    else if (d.rows_seen > 0 && rows->n == 0) {
        /* A changed export format must not empty the table. */
        snprintf(r->error, sizeof(r->error),
                 "%s: none of the %u rows could be used (see the row messages); "
                 "document refused", r->origin, d.rows_seen);
        rc = -1;
    }
    sd_decode_fini(&d);
    return rc;
}

struct sd_load_result *sd_load_run(const struct sd_load_params *p)
{
    struct sd_load_result *r = calloc(1, sizeof(*r));
    struct sd_buf buf = { 0 };
    struct sd_rows rows;
    unsigned long rejected = 0;
    double t0, t1, t2;

    if (!r)
        return NULL;
    sd_msgs_init(&r->msgs, p->log_rows);
    sd_rows_init(&rows);
    origin_of(p->uri, r->origin, sizeof(r->origin));
    t0 = now_s();
    if (sd_source_fetch(p->uri, p->max_bytes, &buf, r->error, sizeof(r->error)) < 0)
        goto done;
    t1 = now_s();
    r->fetch_s = t1 - t0;
    if (decode(r, p, &buf, &rows, &rejected) < 0)
        goto done;
    sd_buf_free(&buf);          /* before the build: peak memory is one copy less */
    t2 = now_s();
    r->decode_s = t2 - t1;
    r->snap = sd_snapshot_build(&rows, &p->policy, rejected, r->origin, &r->msgs);
    r->build_s = now_s() - t2;
    if (!r->snap)
        snprintf(r->error, sizeof(r->error), "%s: out of memory building the table", r->origin);
done:
    sd_buf_free(&buf);
    sd_rows_fini(&rows);
    return r;
}

void sd_load_result_free(struct sd_load_result *r)
{
    if (!r)
        return;
    sd_snapshot_free(r->snap);
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
    bool pending;
    struct sd_load_params req;  /* req.uri owned while pending */
    struct sd_load_result *done;        /* owned until taken */
};

static void *worker(void *arg)
{
    struct sd_loader *l = arg;

    pthread_mutex_lock(&l->lock);
    for (;;) {
        while (!l->pending && !l->stopping)
            pthread_cond_wait(&l->wake, &l->lock);
        if (l->stopping)
            break;
        struct sd_load_params p = l->req;
        l->pending = false;
        l->req.uri = NULL;
        pthread_mutex_unlock(&l->lock);

        struct sd_load_result *r = sd_load_run(&p);
        free((char *)p.uri);

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
    free((char *)l->req.uri);   /* a request not yet started is replaced */
    l->req = *p;
    l->req.uri = uri;
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

void sd_loader_stop(struct sd_loader *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    pthread_join(l->thread, NULL);
    free((char *)l->req.uri);
    sd_load_result_free(l->done);
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->wake);
    close(l->pipe_rd);
    close(l->pipe_wr);
    free(l);
}
