/*
 * source: the file source, and what every source shares: the display form
 * of a URI (no secrets) and the limits a fetch checks (cancel, deadline).
 * Reads whole files only: a regular file, up to a size cap, to EOF.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "source.h"

void sd_buf_free(struct sd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

double sd_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sd_fetch_check(const struct sd_fetch_ctl *ctl)
{
    if (!ctl)
        return 0;
    if (ctl->cancel && atomic_load(ctl->cancel))
        return SD_FETCH_CANCELLED;
    if (ctl->deadline > 0 && sd_monotonic() >= ctl->deadline)
        return SD_FETCH_DEADLINE;
    return 0;
}

const char *sd_source_file_path(const char *uri)
{
    if (strncmp(uri, "file://", 7) == 0 && uri[7] == '/')
        return uri + 7;
    if (strncmp(uri, "file:", 5) == 0 && uri[5] == '/')
        return uri + 5;
    if (uri[0] == '/')
        return uri;
    return NULL;
}

/* Whether [p, end) holds a ':' that does not start a port (digits only):
 * "user:pa" of a password with a '/' in it, not "host:443". */
static bool colon_not_port(const char *p, const char *end)
{
    if (p < end && *p == '[') {                 /* an IPv6 literal: its colons are its own */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close)
            return false;
        p = close + 1;
    }
    const char *colon = memchr(p, ':', (size_t)(end - p));
    if (!colon)
        return false;
    for (const char *d = colon + 1; d < end; d++)
        if (*d < '0' || *d > '9')
            return true;
    return false;
}

char *sd_source_display(const char *uri)
{
    size_t scheme = strspn(uri, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    const char *host, *end, *at = NULL;
    char *out;

    if (scheme == 0 || strncmp(uri + scheme, "://", 3) != 0)
        return strdup(uri);
    host = uri + scheme + 3;
    end = host + strcspn(host, "/?#");
    /* The userinfo ends at the authority's last '@' (curl stops at the
     * first; cutting more never shows less than curl would use). */
    for (const char *p = host; p < end; p++)
        if (*p == '@')
            at = p;
    /* A password with a raw '/', '?' or '#' ends the authority early
     * ("user:pa/ss@host"): no URL parser reads that as meant, but it is
     * still a secret. */
    if (!at && colon_not_port(host, end))
        at = strchr(end, '@');
    if (!at)
        return strdup(uri);
    if (asprintf(&out, "%.*s%s", (int)(host - uri), uri, at + 1) < 0)
        return NULL;
    return out;
}

static const char *file_kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISDIR(m))
        return "a directory";
    return "not a file at all";
}

static int not_regular(const char *path, mode_t m, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: not a regular file (%s); smsdistd reads only regular files",
             path, file_kind(m));
    return SD_FETCH_FAILED;
}

/* err for a stop the caller words itself (it knows the limit's name). */
static int stopped(int why, const char *path, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s while reading", path,
             why == SD_FETCH_CANCELLED ? "smsdistd is stopping" : "the load's time ran out");
    return why;
}

static int read_all(int fd, size_t max_bytes, const struct sd_fetch_ctl *ctl,
                    struct sd_buf *out, const char *path, char *err, size_t errlen)
{
    size_t alloc = 65536, len = 0;
    char *data = malloc(alloc + 1);
    int rc = SD_FETCH_FAILED;

    if (!data)
        goto nomem;
    for (;;) {
        int why = sd_fetch_check(ctl);
        if (why) {
            rc = stopped(why, path, err, errlen);
            goto free_data;
        }
        if (len == alloc) {
            if (alloc > max_bytes) {
                snprintf(err, errlen, "%s: larger than maxSourceBytes (%zu bytes)", path, max_bytes);
                goto free_data;
            }
            size_t bigger = alloc * 2;
            char *d = realloc(data, bigger + 1);
            if (!d)
                goto nomem;
            data = d;
            alloc = bigger;
        }
        ssize_t got = read(fd, data + len, alloc - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, errlen, "%s: read failed: %s", path, strerror(errno));
            goto free_data;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    if (len > max_bytes) {
        snprintf(err, errlen, "%s: larger than maxSourceBytes (%zu bytes)", path, max_bytes);
        goto free_data;
    }
    data[len] = '\0';
    out->data = data;
    out->len = len;
    return 0;

nomem:
    snprintf(err, errlen, "%s: out of memory reading the file", path);
free_data:
    free(data);
    return rc;
}

static int fetch_file(const char *path, size_t max_bytes, const struct sd_fetch_ctl *ctl,
                      struct sd_buf *out, char *err, size_t errlen)
{
    struct stat st;
    /* O_NONBLOCK: a FIFO's open() would wait for a writer, for ever. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    int rc, flags;

    if (fd < 0) {
        int e = errno;
        /* A socket cannot be opened at all (ENXIO): say what it is. */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return not_regular(path, st.st_mode, err, errlen);
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
        return SD_FETCH_FAILED;
    }
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return SD_FETCH_FAILED;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return not_regular(path, st.st_mode, err, errlen);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        snprintf(err, errlen, "%s: %lld bytes, larger than maxSourceBytes (%zu bytes)", path,
                 (long long)st.st_size, max_bytes);
        close(fd);
        return SD_FETCH_FAILED;
    }
    /* A regular file from here on: reads block as usual (a file on a
     * network file system has no business returning EAGAIN). */
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        snprintf(err, errlen, "%s: cannot clear O_NONBLOCK: %s", path, strerror(errno));
        close(fd);
        return SD_FETCH_FAILED;
    }
    rc = read_all(fd, max_bytes, ctl, out, path, err, errlen);
    close(fd);
    return rc;
}

int sd_source_fetch(const char *uri, size_t max_bytes, const struct sd_fetch_ctl *ctl,
                    struct sd_buf *out, char *err, size_t errlen)
{
    const char *path = sd_source_file_path(uri);

    out->data = NULL;
    out->len = 0;
    if (!path) {
        char *shown = sd_source_display(uri);
        snprintf(err, errlen, "%s: unsupported source (use file:/absolute/path)",
                 shown ? shown : "(out of memory)");
        free(shown);
        return SD_FETCH_FAILED;
    }
    return fetch_file(path, max_bytes, ctl, out, err, errlen);
}

/* --- the file kind -------------------------------------------------------- */

static bool file_claims(const char *uri)
{
    return sd_source_file_path(uri) != NULL;
}

static void *file_open(const struct sd_http_opts *o, size_t max_bytes,
                       const struct sd_fetch_ctl *ctl, char *err, size_t errlen)
{
    static char token;                  /* nothing to open */

    return &token;
}

static char *file_first_url(const char *uri, const char *select)
{
    return strdup(uri);
}

static int file_get(void *session, const char *url, size_t max_bytes,
                    const struct sd_fetch_ctl *ctl, struct sd_buf *out, char *err, size_t errlen)
{
    return sd_source_fetch(url, max_bytes, ctl, out, err, errlen);
}

static const char *file_note(void *session)
{
    return "";
}

static void file_close(void *session)
{
}

const struct sd_source_kind sd_source_file = {
    .name = "file",
    .claims = file_claims,
    .reason_first = false,
    .default_poll = SD_DEFAULT_FILE_POLL,
    .watch_path = sd_source_file_path,
    .open = file_open,
    .first_url = file_first_url,
    .get = file_get,
    .next_url = NULL,
    .note = file_note,
    .close = file_close,
};

const struct sd_source_kind *sd_source_kind_of(const char *uri)
{
    static const struct sd_source_kind *const kinds[] = { &sd_source_file, &sd_source_https };

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        if (kinds[k]->claims(uri))
            return kinds[k];
    return NULL;
}
