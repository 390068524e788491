/*
 * http: AdminService GETs with libcurl; see http.h. Every failure says what
 * was asked, of whom, and what to check: HTTP status, TLS, timeouts, size.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"

#define SELECT_PROPS "ObjectID,MessageCategory,Assets,LastUpdateDate,ObjectTypeID,PackageID,Type"

void sd_http_defaults(struct sd_http_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->auth = SD_AUTH_NEGOTIATE;
    o->connect_timeout = 10;
    o->timeout = 120;
    o->max_pages = 1000;
}

int sd_http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void sd_http_global_cleanup(void)
{
    curl_global_cleanup();
}

bool sd_http_is_url(const char *uri)
{
    return strncasecmp(uri, "https://", 8) == 0 || strncasecmp(uri, "http://", 7) == 0;
}

char *sd_http_first_url(const char *uri)
{
    char *url;

    if (strstr(uri, "$select=") || strstr(uri, "%24select="))
        return strdup(uri);
    if (asprintf(&url, "%s%c$select=" SELECT_PROPS, uri, strchr(uri, '?') ? '&' : '?') < 0)
        return NULL;
    return url;
}

/* scheme, host and port of u (port filled in from the scheme's default). */
static int origin(CURLU *u, char **scheme, char **host, char **port)
{
    *scheme = *host = *port = NULL;
    if (curl_url_get(u, CURLUPART_SCHEME, scheme, 0) ||
        curl_url_get(u, CURLUPART_HOST, host, 0) ||
        curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT)) {
        curl_free(*scheme);
        curl_free(*host);
        curl_free(*port);
        return -1;
    }
    return 0;
}

char *sd_http_next_url(const char *base, const char *next, char *err, size_t errlen)
{
    CURLU *b = curl_url(), *n = curl_url();
    char *bs = NULL, *bh = NULL, *bp = NULL, *ns = NULL, *nh = NULL, *np = NULL;
    char *full = NULL, *out = NULL;
    char *shown = sd_source_display(next);      /* a link may carry user:password too */
    const char *link = shown ? shown : "(out of memory)";

    if (!b || !n || curl_url_set(b, CURLUPART_URL, base, 0) ||
        curl_url_set(n, CURLUPART_URL, base, 0) ||
        curl_url_set(n, CURLUPART_URL, next, 0)) {
        snprintf(err, errlen, "@odata.nextLink '%.200s' is not a URL", link);
        goto done;
    }
    if (origin(b, &bs, &bh, &bp) || origin(n, &ns, &nh, &np) ||
        strcasecmp(bs, ns) || strcasecmp(bh, nh) || strcmp(bp, np)) {
        snprintf(err, errlen, "@odata.nextLink '%.200s' leaves %s://%s:%s; not followed",
                 link, bs ? bs : "?", bh ? bh : "?", bp ? bp : "?");
        goto done;
    }
    if (curl_url_get(n, CURLUPART_URL, &full, 0)) {
        snprintf(err, errlen, "@odata.nextLink '%.200s' is not a URL", link);
        goto done;
    }
    out = strdup(full);
    if (!out)
        snprintf(err, errlen, "@odata.nextLink: out of memory");
done:
    free(shown);
    curl_free(full);
    curl_free(bs); curl_free(bh); curl_free(bp);
    curl_free(ns); curl_free(nh); curl_free(np);
    curl_url_cleanup(b);
    curl_url_cleanup(n);
    return out;
}

int sd_http_read_credentials(const char *path, char *out, size_t outlen,
                             char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t got;

    if (fd < 0) {
        snprintf(err, errlen, "credentials file %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "credentials file %s: not a regular file", path);
        goto fail;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 077)) {
        snprintf(err, errlen, "credentials file %s: refused: mode %04o, owner uid %u; it must "
                 "belong to uid %u and be readable by nobody else (chmod 600)",
                 path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)geteuid());
        goto fail;
    }
    got = read(fd, out, outlen - 1);
    if (got <= 0) {
        snprintf(err, errlen, "credentials file %s: empty or unreadable", path);
        goto fail;
    }
    out[got] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (!strchr(out, ':')) {
        snprintf(err, errlen, "credentials file %s: first line must be user:password", path);
        explicit_bzero(out, outlen);
        goto fail;
    }
    close(fd);
    return 0;
fail:
    close(fd);
    return -1;
}

/* --- a load's session ------------------------------------------------------ */

struct sd_http_session {
    CURL *c;                    /* one handle: its connection and TLS session are reused */
    const struct sd_http_opts *o;       /* borrowed */
    const struct sd_fetch_ctl *ctl;     /* borrowed; may be NULL */
    size_t max_bytes;           /* maxSourceBytes: the whole load, all pages */
    size_t total;               /* bytes of the pages so far */
    unsigned pages;             /* GETs asked for */
    int stop;                   /* why on_progress stopped the transfer, or 0 */
    char userpwd[512];          /* read once; wiped at the end */
    char curl_err[CURL_ERROR_SIZE];
};

struct sink {
    struct sd_buf *buf;
    size_t alloc, max;
    bool too_big, nomem;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;

    if (len > s->max - s->buf->len) {
        s->too_big = true;
        return 0;               /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (s->buf->len + len + 1 > s->alloc) {
        size_t alloc = s->alloc ? s->alloc : 65536;
        while (alloc < s->buf->len + len + 1)
            alloc *= 2;
        char *d = realloc(s->buf->data, alloc);
        if (!d) {
            s->nomem = true;
            return 0;
        }
        s->buf->data = d;
        s->alloc = alloc;
    }
    memcpy(s->buf->data + s->buf->len, data, len);
    s->buf->len += len;
    s->buf->data[s->buf->len] = '\0';
    return len;
}

/* Called by libcurl often while data flows and about once a second while
 * it waits (connect, TLS, a silent server): a cancel or the load's deadline
 * ends the transfer here. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct sd_http_session *s = arg;

    s->stop = sd_fetch_check(s->ctl);
    return s->stop != 0;
}

static long curl_auth(enum sd_http_auth a)
{
    switch (a) {
    case SD_AUTH_BASIC: return CURLAUTH_BASIC;
    case SD_AUTH_NTLM: return CURLAUTH_NTLM;
    case SD_AUTH_NEGOTIATE: return CURLAUTH_NEGOTIATE;
    default: return CURLAUTH_NONE;
    }
}

static void set_tls(CURL *c, const struct sd_http_opts *o)
{
    if (o->ca_file[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    if (o->ca_path[0])
        curl_easy_setopt(c, CURLOPT_CAPATH, o->ca_path);
    if (o->client_cert[0])
        curl_easy_setopt(c, CURLOPT_SSLCERT, o->client_cert);
    if (o->client_key[0])
        curl_easy_setopt(c, CURLOPT_SSLKEY, o->client_key);
    if (o->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

/* Reads the credentials (once per load) and hands them to curl. */
static int set_auth(struct sd_http_session *s, char *err, size_t errlen)
{
    const struct sd_http_opts *o = s->o;

    if (o->auth == SD_AUTH_NONE)
        return 0;
    curl_easy_setopt(s->c, CURLOPT_HTTPAUTH, curl_auth(o->auth));
    if (o->credentials[0]) {
        if (sd_http_read_credentials(o->credentials, s->userpwd, sizeof(s->userpwd),
                                     err, errlen) < 0)
            return -1;
    } else if (o->auth == SD_AUTH_NEGOTIATE) {
        snprintf(s->userpwd, sizeof(s->userpwd), ":");  /* Kerberos: the credential cache or keytab */
    } else {
        snprintf(err, errlen, "httpAuth %s needs httpCredentials",
                 o->auth == SD_AUTH_BASIC ? "basic" : "ntlm");
        return -1;
    }
    curl_easy_setopt(s->c, CURLOPT_USERPWD, s->userpwd);
    return 0;
}

struct sd_http_session *sd_http_session_new(const struct sd_http_opts *o, size_t max_bytes,
                                            const struct sd_fetch_ctl *ctl,
                                            char *err, size_t errlen)
{
    struct sd_http_session *s = calloc(1, sizeof(*s));

    if (!s) {
        snprintf(err, errlen, "out of memory starting an HTTP session");
        return NULL;
    }
    s->o = o;
    s->ctl = ctl;
    s->max_bytes = max_bytes;
    s->c = curl_easy_init();
    if (!s->c) {
        snprintf(err, errlen, "cannot initialise libcurl");
        goto fail;
    }
    curl_easy_setopt(s->c, CURLOPT_PROTOCOLS_STR, o->allow_http ? "https,http" : "https");
    curl_easy_setopt(s->c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(s->c, CURLOPT_ERRORBUFFER, s->curl_err);
    curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(s->c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(s->c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(s->c, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(s->c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(s->c, CURLOPT_USERAGENT, "smsdistd/" SD_PACKAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075700
    /* A transfer stopped while a name is being resolved returns at once; the
     * resolver thread finishes (and frees itself) on its own, so a SIGTERM
     * does not wait for a DNS server's timeouts. */
    curl_easy_setopt(s->c, CURLOPT_QUICK_EXIT, 1L);
#endif
    set_tls(s->c, o);
    if (set_auth(s, err, errlen) < 0)
        goto fail;
    return s;
fail:
    sd_http_session_free(s);
    return NULL;
}

void sd_http_session_free(struct sd_http_session *s)
{
    if (!s)
        return;
    if (s->c)
        curl_easy_cleanup(s->c);
    explicit_bzero(s->userpwd, sizeof(s->userpwd));
    free(s);
}

unsigned sd_http_session_pages(const struct sd_http_session *s)
{
    return s->pages;
}

size_t sd_http_session_bytes(const struct sd_http_session *s)
{
    return s->total;
}

static int check_scheme(const char *url, const struct sd_http_opts *o, const char *shown,
                        char *err, size_t errlen)
{
    if (strncasecmp(url, "https://", 8) == 0)
        return 0;
    if (strncasecmp(url, "http://", 7) == 0 && o->allow_http)
        return 0;
    snprintf(err, errlen, "plain http refused (credentials and data would cross the "
             "network in clear; use https, or set allowPlainHttp yes): %s", shown);
    return -1;
}

/* CA and verification trouble: the errors tlsCAFile/tlsCAPath can fix. */
static bool ca_problem(CURLcode rc)
{
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
           rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CRL_BADFILE;
}

/* A failed transfer in words: the reason first, the URL (shown) last, so a
 * message cut to 255 bytes (smsDistSourceLastError) keeps the reason. */
static void describe_failure(const struct sd_http_session *s, CURLcode rc, const struct sink *k,
                             const char *shown, char *err, size_t errlen)
{
    const struct sd_http_opts *o = s->o;
    const char *why = s->curl_err;

    if (k->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        if (s->pages == 1)
            snprintf(err, errlen, "response larger than maxSourceBytes (%zu bytes): %s",
                     s->max_bytes, shown);
        else
            snprintf(err, errlen, "pages together larger than maxSourceBytes (%zu bytes, a cap "
                     "for the whole load): page %u went past it after %zu bytes in the %u "
                     "pages before: %s", s->max_bytes, s->pages, s->total, s->pages - 1, shown);
    } else if (k->nomem)
        snprintf(err, errlen, "out of memory receiving page %u: %s", s->pages, shown);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(err, errlen, "timed out (httpConnectTimeout %u s, httpTimeout %u s a page): "
                 "%s: %s", o->connect_timeout, o->timeout, why, shown);
    else if (ca_problem(rc))
        snprintf(err, errlen, "TLS: %s (check tlsCAFile/tlsCAPath): %s", why, shown);
    else if (rc == CURLE_SSL_CERTPROBLEM)
        snprintf(err, errlen, "TLS client certificate: %s (check tlsClientCert/tlsClientKey): %s",
                 why, shown);
    else if (rc == CURLE_SSL_CONNECT_ERROR)
        snprintf(err, errlen, "TLS handshake failed: %s: %s", why, shown);
    else
        snprintf(err, errlen, "%s: %s", why, shown);
}

static const char *status_hint(long status)
{
    switch (status) {
    case 401: return ": authentication refused (check httpAuth and httpCredentials, "
                     "or the Kerberos ticket)";
    case 403: return ": the account is not a ConfigMgr administrative user";
    case 404: return ": not found (is the AdminService at this path?)";
    default: return "";
    }
}

/* This page's timeouts: httpTimeout and httpConnectTimeout, each cut to the
 * time the load has left. True when the load's deadline is the shorter. */
static bool set_timeouts(struct sd_http_session *s)
{
    long page_ms = (long)s->o->timeout * 1000, connect_ms = (long)s->o->connect_timeout * 1000;
    bool by_deadline = false;

    if (s->ctl && s->ctl->deadline > 0) {
        double left = s->ctl->deadline - sd_monotonic();
        long left_ms = left > 0 ? (long)(left * 1000) + 1 : 1;
        if (left_ms < page_ms) {
            page_ms = left_ms;
            by_deadline = true;
        }
    }
    if (connect_ms > page_ms)
        connect_ms = page_ms;
    curl_easy_setopt(s->c, CURLOPT_TIMEOUT_MS, page_ms);
    curl_easy_setopt(s->c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    return by_deadline;
}

int sd_http_session_get(struct sd_http_session *s, const char *url, struct sd_buf *out,
                        char *err, size_t errlen)
{
    char *shown = sd_source_display(url);
    const char *where = shown ? shown : "(the source URL)";
    struct sink k = { .buf = out, .max = s->max_bytes - s->total };
    CURLcode rc;
    long status = 0;
    int ret = SD_FETCH_FAILED, why;
    bool by_deadline;

    out->data = NULL;
    out->len = 0;
    s->pages++;
    if (check_scheme(url, s->o, where, err, errlen) < 0)
        goto done;
    if ((why = sd_fetch_check(s->ctl)) != 0) {
        snprintf(err, errlen, "stopped before page %u: %s", s->pages, where);
        ret = why;
        goto done;
    }
    by_deadline = set_timeouts(s);
    curl_easy_setopt(s->c, CURLOPT_URL, url);
    curl_easy_setopt(s->c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k.max);
    curl_easy_setopt(s->c, CURLOPT_WRITEDATA, &k);
    s->curl_err[0] = '\0';
    s->stop = 0;
    rc = curl_easy_perform(s->c);
    curl_easy_setopt(s->c, CURLOPT_WRITEDATA, NULL);
    if (rc == CURLE_ABORTED_BY_CALLBACK && s->stop) {
        snprintf(err, errlen, "stopped during page %u: %s", s->pages, where);
        ret = s->stop;
        goto done;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT && by_deadline &&
        sd_fetch_check(s->ctl) == SD_FETCH_DEADLINE) {
        snprintf(err, errlen, "the load's time ran out during page %u: %s", s->pages, where);
        ret = SD_FETCH_DEADLINE;
        goto done;
    }
    if (rc != CURLE_OK) {
        if (!s->curl_err[0])
            snprintf(s->curl_err, sizeof(s->curl_err), "%s", curl_easy_strerror(rc));
        describe_failure(s, rc, &k, where, err, errlen);
        goto done;
    }
    curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        snprintf(err, errlen, "HTTP %ld%s: %s", status, status_hint(status), where);
        goto done;
    }
    if (!out->data) {
        snprintf(err, errlen, "empty response: %s", where);
        goto done;
    }
    s->total += out->len;
    ret = 0;
done:
    free(shown);
    if (ret < 0)
        sd_buf_free(out);
    return ret;
}
