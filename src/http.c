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

    if (!b || !n || curl_url_set(b, CURLUPART_URL, base, 0) ||
        curl_url_set(n, CURLUPART_URL, base, 0) ||
        curl_url_set(n, CURLUPART_URL, next, 0)) {
        snprintf(err, errlen, "@odata.nextLink '%.200s' is not a URL", next);
        goto done;
    }
    if (origin(b, &bs, &bh, &bp) || origin(n, &ns, &nh, &np) ||
        strcasecmp(bs, ns) || strcasecmp(bh, nh) || strcmp(bp, np)) {
        snprintf(err, errlen, "@odata.nextLink '%.200s' leaves %s://%s:%s; not followed",
                 next, bs ? bs : "?", bh ? bh : "?", bp ? bp : "?");
        goto done;
    }
    if (curl_url_get(n, CURLUPART_URL, &full, 0)) {
        snprintf(err, errlen, "@odata.nextLink '%.200s' is not a URL", next);
        goto done;
    }
    out = strdup(full);
done:
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

struct sink {
    struct sd_buf *buf;
    size_t alloc, max;
    bool too_big;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;

    if (s->buf->len + len > s->max) {
        s->too_big = true;
        return 0;               /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (s->buf->len + len + 1 > s->alloc) {
        size_t alloc = s->alloc ? s->alloc : 65536;
        while (alloc < s->buf->len + len + 1)
            alloc *= 2;
        char *d = realloc(s->buf->data, alloc);
        if (!d)
            return 0;
        s->buf->data = d;
        s->alloc = alloc;
    }
    memcpy(s->buf->data + s->buf->len, data, len);
    s->buf->len += len;
    s->buf->data[s->buf->len] = '\0';
    return len;
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

static int set_auth(CURL *c, const struct sd_http_opts *o, char *userpwd, size_t len,
                    char *err, size_t errlen)
{
    if (o->auth == SD_AUTH_NONE)
        return 0;
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, curl_auth(o->auth));
    if (o->credentials[0]) {
        if (sd_http_read_credentials(o->credentials, userpwd, len, err, errlen) < 0)
            return -1;
    } else if (o->auth == SD_AUTH_NEGOTIATE) {
        snprintf(userpwd, len, ":");    /* Kerberos: the credential cache or keytab */
    } else {
        snprintf(err, errlen, "httpAuth %s needs httpCredentials",
                 o->auth == SD_AUTH_BASIC ? "basic" : "ntlm");
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    return 0;
}

static int check_scheme(const char *url, const struct sd_http_opts *o, char *err, size_t errlen)
{
    if (strncasecmp(url, "https://", 8) == 0)
        return 0;
    if (strncasecmp(url, "http://", 7) == 0 && o->allow_http)
        return 0;
    snprintf(err, errlen, "%s: plain http refused (credentials and data would cross the "
             "network in clear); use https, or set allowPlainHttp yes", url);
    return -1;
}

static void describe_failure(CURL *c, CURLcode rc, const struct sink *s, const char *url,
                             const struct sd_http_opts *o, size_t max_bytes,
                             const char *curl_err, char *err, size_t errlen)
{
    if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        snprintf(err, errlen, "%s: response larger than maxSourceBytes (%zu bytes)", url, max_bytes);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(err, errlen, "%s: timed out (httpConnectTimeout %u s, httpTimeout %u s): %s",
                 url, o->connect_timeout, o->timeout, curl_err);
    else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
             rc == CURLE_SSL_CONNECT_ERROR)
        snprintf(err, errlen, "%s: TLS: %s (check tlsCAFile/tlsCAPath)", url, curl_err);
    else
        snprintf(err, errlen, "%s: %s", url, curl_err);
}

int sd_http_get(const char *url, const struct sd_http_opts *o, size_t max_bytes,
                struct sd_buf *out, char *err, size_t errlen)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    char userpwd[512] = "";
    struct sink s = { .buf = out, .max = max_bytes };
    CURL *c;
    CURLcode rc;
    long status = 0;
    int ret = -1;

    out->data = NULL;
    out->len = 0;
    if (check_scheme(url, o, err, errlen) < 0)
        return -1;
    c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "%s: cannot initialise libcurl", url);
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, o->allow_http ? "https,http" : "https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "smsdistd/" SD_PACKAGE_VERSION);
    set_tls(c, o);
    if (set_auth(c, o, userpwd, sizeof(userpwd), err, errlen) < 0)
        goto cleanup;
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        if (!curl_err[0])
            snprintf(curl_err, sizeof(curl_err), "%s", curl_easy_strerror(rc));
        describe_failure(c, rc, &s, url, o, max_bytes, curl_err, err, errlen);
        goto cleanup;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        snprintf(err, errlen, "%s: HTTP %ld%s", url, status,
                 status == 401 ? " (authentication refused: check httpAuth and "
                                 "httpCredentials, or the Kerberos ticket)"
                 : status == 403 ? " (the account is not a ConfigMgr administrative user)" : "");
        goto cleanup;
    }
    if (!out->data) {
        snprintf(err, errlen, "%s: empty response", url);
        goto cleanup;
    }
    ret = 0;
cleanup:
    explicit_bzero(userpwd, sizeof(userpwd));
    curl_easy_cleanup(c);
    if (ret < 0)
        sd_buf_free(out);
    return ret;
}
