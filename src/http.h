/*
 * http: the ConfigMgr AdminService source, one HTTPS GET at a time, with
 * libcurl. Runs on the loader thread. Knows nothing of JSON: the loader
 * decodes each page and asks for the next link.
 */
#ifndef SD_HTTP_H
#define SD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

enum sd_http_auth { SD_AUTH_NONE, SD_AUTH_BASIC, SD_AUTH_NTLM, SD_AUTH_NEGOTIATE };

/* Plain data (no pointers), so a request copies it whole to the loader. */
struct sd_http_opts {
    enum sd_http_auth auth;
    char credentials[256];      /* file: "user:password" on its first line */
    char ca_file[256];
    char ca_path[256];
    char client_cert[256];
    char client_key[256];
    bool insecure;              /* TLS verification off (tlsVerify no) */
    bool allow_http;            /* plain http:// allowed */
    unsigned connect_timeout;   /* seconds */
    unsigned timeout;           /* seconds, whole transfer */
    unsigned max_pages;
};

void sd_http_defaults(struct sd_http_opts *o);
/* Once, in main() before any thread starts. */
int sd_http_global_init(void);
void sd_http_global_cleanup(void);

/* An http(s) URI? */
bool sd_http_is_url(const char *uri);

/* The first page's URL: uri with $select of the seven properties added
 * unless it has a $select already. Malloc'd. */
char *sd_http_first_url(const char *uri);

/*
 * Resolves next (absolute or relative) against base and checks it stays on
 * the same scheme, host and port (credentials are never sent elsewhere).
 * Malloc'd URL, or NULL with err set.
 */
char *sd_http_next_url(const char *base, const char *next, char *err, size_t errlen);

/*
 * Reads the credentials file: must be a regular file owned by this process's
 * user and not readable by group or others. 0, or -1 with err set.
 */
int sd_http_read_credentials(const char *path, char *out, size_t outlen,
                             char *err, size_t errlen);

/* GET url into out (at most max_bytes). 0, or -1 with err set. */
int sd_http_get(const char *url, const struct sd_http_opts *o, size_t max_bytes,
                struct sd_buf *out, char *err, size_t errlen);

#endif
