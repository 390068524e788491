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
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "krb.h"


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

char *sd_http_first_url(const char *uri, const char *select)
{
    char *url;

    if (strstr(uri, "$select=") || strstr(uri, "%24select="))
        return strdup(uri);
    if (asprintf(&url, "%s%c$select=%s", uri, strchr(uri, '?') ? '&' : '?', select) < 0)
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

int sd_http_open_private(const char *what, const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

    if (fd < 0) {
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s %s: not a regular file", what, path);
        goto fail;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 077)) {
        snprintf(err, errlen, "%s %s: refused: mode %04o, owner uid %u; it must "
                 "belong to uid %u and be readable by nobody else (chmod 600)",
                 what, path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
                 (unsigned)geteuid());
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

int sd_http_read_credentials(const char *path, char *out, size_t outlen,
                             char *err, size_t errlen)
{
    int fd = sd_http_open_private("credentials file", path, err, errlen);
    ssize_t got;

    if (fd < 0)
        return -1;
    got = read(fd, out, outlen - 1);
    close(fd);
    if (got <= 0) {
        snprintf(err, errlen, "credentials file %s: empty or unreadable", path);
        return -1;
    }
    out[got] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (!strchr(out, ':')) {
        snprintf(err, errlen, "credentials file %s: first line must be user:password", path);
        explicit_bzero(out, outlen);
        return -1;
    }
    return 0;
}

int sd_http_check_resolve(const char *entry, char *err, size_t errlen)
{
    const char *c1 = strchr(entry, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    char *end;
    unsigned long port;

    if (!c1 || !c2 || c1 == entry || !c2[1] || strchr(entry, ' ')) {
        snprintf(err, errlen, "'%s' is not HOST:PORT:ADDRESS (e.g. "
                 "provider.example.com:443:192.0.2.10)", entry);
        return -1;
    }
    port = strtoul(c1 + 1, &end, 10);
    if (end != c2 || port < 1 || port > 65535) {
        snprintf(err, errlen, "'%s': the port must be a number from 1 to 65535", entry);
        return -1;
    }
    return 0;
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
    struct curl_slist *resolve; /* httpResolve */
    long scheme;                /* CURLAUTH_* in use; httpAuth windows moves to NTLM */
    char userpwd[512];          /* read once; wiped at the end */
    char user[128];             /* its user part, for messages */
    char krb_why[400];          /* windows: why Kerberos was given up for NTLM */
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

static void use_scheme(struct sd_http_session *s, long scheme)
{
    s->scheme = scheme;
    curl_easy_setopt(s->c, CURLOPT_HTTPAUTH, scheme);
    /* Negotiate: the credential cache (filled from krb5Keytab), no password */
    curl_easy_setopt(s->c, CURLOPT_USERPWD, scheme == CURLAUTH_NEGOTIATE ? ":" : s->userpwd);
}

/* Reads the credentials (once per load), gets a Kerberos ticket from
 * krb5Keytab when one is needed, and tells curl the scheme. */
static int set_auth(struct sd_http_session *s, char *err, size_t errlen)
{
    const struct sd_http_opts *o = s->o;
    bool kerberos = o->auth == SD_AUTH_NEGOTIATE || o->auth == SD_AUTH_WINDOWS;

    if (o->auth == SD_AUTH_NONE)
        return 0;
    if (o->credentials[0] && o->auth != SD_AUTH_NEGOTIATE) {
        if (sd_http_read_credentials(o->credentials, s->userpwd, sizeof(s->userpwd),
                                     err, errlen) < 0)
            return -1;
        snprintf(s->user, sizeof(s->user), "%.*s", (int)strcspn(s->userpwd, ":"), s->userpwd);
    } else if (!kerberos) {
        snprintf(err, errlen, "httpAuth %s needs httpCredentials",
                 o->auth == SD_AUTH_BASIC ? "basic" : "ntlm");
        return -1;
    }
    if (!kerberos) {
        use_scheme(s, o->auth == SD_AUTH_BASIC ? CURLAUTH_BASIC : CURLAUTH_NTLM);
        return 0;
    }
    if (o->keytab[0] && sd_krb_ensure(o->keytab, o->principal, s->krb_why,
                                      sizeof(s->krb_why)) < 0) {
        if (o->auth == SD_AUTH_NEGOTIATE || !s->userpwd[0]) {
            snprintf(err, errlen, "%s", s->krb_why);
            return -1;
        }
        use_scheme(s, CURLAUTH_NTLM);   /* windows: as a Windows client, NTLM instead */
        return 0;
    }
    use_scheme(s, CURLAUTH_NEGOTIATE);
    return 0;
}

static int set_resolve(struct sd_http_session *s, char *err, size_t errlen)
{
    for (unsigned i = 0; i < s->o->n_resolve && i < SD_HTTP_MAX_RESOLVE; i++) {
        struct curl_slist *l = curl_slist_append(s->resolve, s->o->resolve[i]);
        if (!l) {
            snprintf(err, errlen, "out of memory starting an HTTP session");
            return -1;
        }
        s->resolve = l;
    }
    if (s->resolve)
        curl_easy_setopt(s->c, CURLOPT_RESOLVE, s->resolve);
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
    if (set_resolve(s, err, errlen) < 0 || set_auth(s, err, errlen) < 0)
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
    curl_slist_free_all(s->resolve);
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
    case 403: return ": the account is not a ConfigMgr administrative user";
    case 404: return ": not found (is the AdminService at this path?)";
    default: return "";
    }
}

/* The schemes of a 401's WWW-Authenticate, in words. */
static void offered(long avail, char *buf, size_t len)
{
    static const struct { long bit; const char *name; } names[] = {
        { CURLAUTH_NEGOTIATE, "Negotiate" }, { CURLAUTH_NTLM, "NTLM" },
        { CURLAUTH_BASIC, "Basic" }, { CURLAUTH_DIGEST, "Digest" },
    };
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((avail & names[i].bit) && n < len)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " and " : "", names[i].name);
    if (!n)
        snprintf(buf, len, "no scheme smsdistd knows");
}

/* Seconds the server's clock (its Date header) is ahead of ours; 0 when
 * it sent none. */
static long server_clock_ahead(struct sd_http_session *s)
{
    struct curl_header *h;
    time_t theirs;

    if (curl_easy_header(s->c, "Date", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return 0;
    theirs = curl_getdate(h->value, NULL);
    return theirs == -1 ? 0 : (long)(theirs - time(NULL));
}

/* Why Negotiate got a 401 from a server that offers it: no ticket for the
 * SPN (the KDC says why), or a ticket the server refused (its clock, or
 * its key). */
static void negotiate_refused(struct sd_http_session *s, const char *url, char *why, size_t len)
{
    char *host = NULL;
    CURLU *u = curl_url();
    long ahead, starts = 0, kdc_ahead;

    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
        curl_url_get(u, CURLUPART_HOST, &host, 0)) {
        snprintf(why, len, "Kerberos: the URL has no host name");
        goto done;
    }
    if (sd_krb_diagnose(host, why, len, &starts) == 1) {
        ahead = server_clock_ahead(s);
        /* the ticket's start is the KDC's clock (MIT's kdc_timesync follows it) */
        kdc_ahead = starts - ((long)time(NULL) + ahead);
        if (ahead > SD_KRB_CLOCKSKEW || ahead < -SD_KRB_CLOCKSKEW)
            snprintf(why, len, "clock skew: the server's clock is %ld s %s this host's "
                     "(Kerberos allows %d s): keep both in time with the domain controllers "
                     "(chrony or systemd-timesyncd)", labs(ahead),
                     ahead > 0 ? "ahead of" : "behind", SD_KRB_CLOCKSKEW);
        else if (kdc_ahead > SD_KRB_CLOCKSKEW)
            snprintf(why, len, "clock skew: the KDC's clock is %ld s ahead of the server's (the "
                     "ticket is not valid yet for it; Kerberos allows %d s): keep the domain "
                     "controllers and the provider in time", kdc_ahead, SD_KRB_CLOCKSKEW);
    }
done:
    curl_free(host);
    curl_url_cleanup(u);
}

/* The user of a URL's user:password@, if it has one. */
static bool url_user(const char *url, char *user, size_t len)
{
    CURLU *u = curl_url();
    char *name = NULL;
    bool has = u && !curl_url_set(u, CURLUPART_URL, url, 0) &&
               !curl_url_get(u, CURLUPART_USER, &name, CURLU_URLDECODE) && name && *name;

    if (has)
        snprintf(user, len, "%s", name);
    curl_free(name);
    curl_url_cleanup(u);
    return has;
}

/* A 401 in words: what the server offered, what was tried, and why it
 * failed, without the password. */
static void describe_401(struct sd_http_session *s, const char *url, char *why, size_t len)
{
    const struct sd_http_opts *o = s->o;
    long avail = 0;
    char offers[64], user[128];

    curl_easy_getinfo(s->c, CURLINFO_HTTPAUTH_AVAIL, &avail);
    offered(avail, offers, sizeof(offers));
    if (o->auth == SD_AUTH_NONE && url_user(url, user, sizeof(user)))
        snprintf(why, len, "Basic: the server refused %s, the user in the URL (check the "
                 "password there; it offers %s)", user, offers);
    else if (o->auth == SD_AUTH_NONE)
        snprintf(why, len, "the server asks for authentication (it offers %s): set httpAuth",
                 offers);
    else if (!(avail & s->scheme)) {
        const char *hint = !(avail & CURLAUTH_NTLM) ? (o->auth == SD_AUTH_WINDOWS ?
                                                       "so Kerberos must work" :
                                                       "set httpAuth to one of them")
                         : o->auth != SD_AUTH_WINDOWS ? "set httpAuth windows, or ntlm, with "
                                                        "httpCredentials"
                         : "set httpCredentials: httpAuth windows falls back to NTLM with it";
        snprintf(why, len, "the server offers %s, not %s (%s)", offers,
                 s->scheme == CURLAUTH_NEGOTIATE ? "Negotiate" :
                 s->scheme == CURLAUTH_NTLM ? "NTLM" : "Basic", hint);
    } else if (s->scheme == CURLAUTH_NEGOTIATE)
        negotiate_refused(s, url, why, len);
    else
        snprintf(why, len, "%s: the server refused %s (the password in httpCredentials %s, a "
                 "locked or expired account%s)", s->scheme == CURLAUTH_NTLM ? "NTLM" : "Basic",
                 s->user, o->credentials,
                 s->scheme == CURLAUTH_NTLM ? ", or the domain: write DOMAIN\\user" : "");
    /* httpAuth windows on NTLM: what made it give Kerberos up counts too */
    size_t n = strlen(why);
    if (s->scheme == CURLAUTH_NTLM && s->krb_why[0] && n < len &&
        snprintf(why + n, len - n, "; Kerberos before it: %s", s->krb_why) < 0)
        why[n] = '\0';
}

/* httpAuth windows, after Negotiate got a 401: NTLM next, as a Windows
 * client falls back, if the server offers it and there is a password. */
static bool fall_back_to_ntlm(struct sd_http_session *s, const char *url)
{
    long avail = 0;

    if (s->o->auth != SD_AUTH_WINDOWS || s->scheme != CURLAUTH_NEGOTIATE || !s->userpwd[0])
        return false;
    curl_easy_getinfo(s->c, CURLINFO_HTTPAUTH_AVAIL, &avail);
    if (!(avail & CURLAUTH_NTLM))
        return false;
    describe_401(s, url, s->krb_why, sizeof(s->krb_why));
    use_scheme(s, CURLAUTH_NTLM);
    return true;
}

const char *sd_http_session_note(const struct sd_http_session *s)
{
    return s->scheme == CURLAUTH_NTLM && s->o->auth == SD_AUTH_WINDOWS ? s->krb_why : "";
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
    for (int attempt = 0;; attempt++) {
        by_deadline = set_timeouts(s);
        curl_easy_setopt(s->c, CURLOPT_URL, url);
        curl_easy_setopt(s->c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k.max);
        curl_easy_setopt(s->c, CURLOPT_WRITEDATA, &k);
        s->curl_err[0] = '\0';
        s->stop = 0;
        rc = curl_easy_perform(s->c);
        curl_easy_setopt(s->c, CURLOPT_WRITEDATA, NULL);
        status = 0;
        if (rc == CURLE_OK)
            curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
        if (status != 401 || attempt > 0 || !fall_back_to_ntlm(s, url))
            break;
        sd_buf_free(out);       /* the 401's body */
        k = (struct sink){ .buf = out, .max = s->max_bytes - s->total };
    }
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
    if (status == 401) {
        char refused[700];
        describe_401(s, url, refused, sizeof(refused));
        snprintf(err, errlen, "HTTP 401: %s: %s", refused, where);
        goto done;
    }
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

/* --- the https kind (source.h) ---------------------------------------------- */

static void *https_open(const struct sd_http_opts *o, size_t max_bytes,
                        const struct sd_fetch_ctl *ctl, char *err, size_t errlen)
{
    return sd_http_session_new(o, max_bytes, ctl, err, errlen);
}

static int https_get(void *session, const char *url, size_t max_bytes,
                     const struct sd_fetch_ctl *ctl, struct sd_buf *out, char *err, size_t errlen)
{
    return sd_http_session_get(session, url, out, err, errlen);
}

static const char *https_note(void *session)
{
    return sd_http_session_note(session);
}

static void https_close(void *session)
{
    sd_http_session_free(session);
}

static const char *no_path(const char *uri)
{
    return NULL;                        /* nothing to watch: polled */
}

const struct sd_source_kind sd_source_https = {
    .name = "https",
    .claims = sd_http_is_url,
    .reason_first = true,
    .default_poll = SD_DEFAULT_HTTP_POLL,
    .watch_path = no_path,
    .open = https_open,
    .first_url = sd_http_first_url,
    .get = https_get,
    .next_url = sd_http_next_url,
    .note = https_note,
    .close = https_close,
};
