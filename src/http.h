/*
 * http: the ConfigMgr AdminService source, with libcurl: a session per load,
 * one HTTPS GET per page over one connection. Runs on the loader thread.
 * Knows nothing of JSON: the loader decodes each page and asks for the next
 * link. No message it writes holds a user:password from a URL.
 */
#ifndef SD_HTTP_H
#define SD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

/* SD_AUTH_WINDOWS: Negotiate (Kerberos) first, NTLM with httpCredentials
 * when Kerberos cannot be used, as a Windows client does. */
enum sd_http_auth { SD_AUTH_NONE, SD_AUTH_BASIC, SD_AUTH_NTLM, SD_AUTH_NEGOTIATE,
                    SD_AUTH_WINDOWS };

#define SD_HTTP_MAX_RESOLVE 8

/* Plain data (no pointers), so a request copies it whole to the loader. */
struct sd_http_opts {
    enum sd_http_auth auth;
    char credentials[256];      /* file: "user:password" on its first line */
    char keytab[256];           /* krb5Keytab: tickets for Negotiate, read at each load */
    char principal[256];        /* krb5Principal; "" = the keytab's first */
    char resolve[SD_HTTP_MAX_RESOLVE][300];     /* httpResolve HOST:PORT:ADDRESS */
    unsigned n_resolve;
    char ca_file[256];
    char ca_path[256];
    char client_cert[256];
    char client_key[256];
    bool insecure;              /* TLS verification off (tlsVerify no) */
    bool allow_http;            /* plain http:// allowed */
    unsigned connect_timeout;   /* seconds */
    unsigned timeout;           /* seconds, one page (less if the load's time is short) */
    unsigned max_pages;
};

void sd_http_defaults(struct sd_http_opts *o);
/* Once, in main() before any thread starts. */
int sd_http_global_init(void);
void sd_http_global_cleanup(void);

/* An http(s) URI? */
bool sd_http_is_url(const char *uri);

/* The first page's URL: uri with "$select=" select (the table's properties)
 * added unless it has a $select already. Malloc'd. */
char *sd_http_first_url(const char *uri, const char *select);

/*
 * Resolves next (absolute or relative) against base and checks it stays on
 * the same scheme, host and port (credentials are never sent elsewhere).
 * Malloc'd URL, or NULL with err set (URLs in it without user:password).
 */
char *sd_http_next_url(const char *base, const char *next, char *err, size_t errlen);

/*
 * Opens a file that holds a secret (httpCredentials, krb5Keytab; what names
 * the directive in messages): a regular file owned by this process's user
 * and not readable by group or others. The fd, or -1 with err set.
 */
int sd_http_open_private(const char *what, const char *path, char *err, size_t errlen);
/*
 * Reads the credentials file (checked as above): "user:password" on its
 * first line. 0, or -1 with err set.
 */
int sd_http_read_credentials(const char *path, char *out, size_t outlen,
                             char *err, size_t errlen);
/* "HOST:PORT:ADDRESS" as curl's --resolve takes it? 0, or -1 with err set. */
int sd_http_check_resolve(const char *entry, char *err, size_t errlen);

/*
 * One load's HTTP: one libcurl handle for all its pages, so the connection
 * and the TLS session are reused across @odata.nextLink pages, and the
 * credentials file is read once. max_bytes (maxSourceBytes) is for the
 * whole load, all pages together. o and ctl are borrowed and must outlive
 * the session; ctl (may be NULL) stops a transfer within about a second of
 * a cancel, and cuts each page's timeout to the time the load has left.
 * NULL with err set when the session cannot start (credentials, libcurl).
 */
struct sd_http_session;
struct sd_http_session *sd_http_session_new(const struct sd_http_opts *o, size_t max_bytes,
                                            const struct sd_fetch_ctl *ctl,
                                            char *err, size_t errlen);
/*
 * GETs one page into out. 0; SD_FETCH_FAILED with err set, reason first,
 * then the URL without any user:password ("HTTP 401: ...: https://..."); or
 * SD_FETCH_CANCELLED / SD_FETCH_DEADLINE, for the caller to word.
 */
int sd_http_session_get(struct sd_http_session *s, const char *url, struct sd_buf *out,
                        char *err, size_t errlen);
/* Pages asked for and bytes received so far in this session. */
unsigned sd_http_session_pages(const struct sd_http_session *s);
size_t sd_http_session_bytes(const struct sd_http_session *s);
/* httpAuth windows: why Kerberos was given up for NTLM in this session,
 * or "" (for the log: a load that worked through NTLM). */
const char *sd_http_session_note(const struct sd_http_session *s);
/* Closes the connection and wipes the credentials. NULL is fine. */
void sd_http_session_free(struct sd_http_session *s);

#endif
