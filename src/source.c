/*
 * source: the file source (the https source joins it with the live-data
 * work). Reads whole files only: a regular file, up to a size cap, to EOF.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"

void sd_buf_free(struct sd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
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

char *sd_source_display(const char *uri)
{
    const char *scheme_end = strstr(uri, "://");
    const char *at, *host;
    char *out;

    if (!scheme_end)
        return strdup(uri);
    host = scheme_end + 3;
    at = strchr(host, '@');
    if (!at || (strchr(host, '/') && strchr(host, '/') < at))
        return strdup(uri);
    if (asprintf(&out, "%.*s%s", (int)(host - uri), uri, at + 1) < 0)
        return NULL;
    return out;
}

static int read_all(int fd, size_t max_bytes, struct sd_buf *out, const char *path,
                    char *err, size_t errlen)
{
    size_t alloc = 65536, len = 0;
    char *data = malloc(alloc + 1);

    if (!data)
        goto nomem;
    for (;;) {
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
    return -1;
}

static int fetch_file(const char *path, size_t max_bytes, struct sd_buf *out,
                      char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int rc;

    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        snprintf(err, errlen, "%s: %lld bytes, larger than maxSourceBytes (%zu bytes)", path,
                 (long long)st.st_size, max_bytes);
        close(fd);
        return -1;
    }
    rc = read_all(fd, max_bytes, out, path, err, errlen);
    close(fd);
    return rc;
}

int sd_source_fetch(const char *uri, size_t max_bytes, struct sd_buf *out,
                    char *err, size_t errlen)
{
    const char *path = sd_source_file_path(uri);

    out->data = NULL;
    out->len = 0;
    if (!path) {
        snprintf(err, errlen, "%s: unsupported source (use file:/absolute/path)", uri);
        return -1;
    }
    return fetch_file(path, max_bytes, out, err, errlen);
}
