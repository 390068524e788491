/*
 * conf: smsdistd's directives, registered with net-snmp's config system so
 * they read like snmpd.conf, share its search path and show under -H.
 * Owned by the main thread; re-read on SIGHUP (net-snmp calls the releaser,
 * which puts the defaults back, then the parsers again).
 */
#ifndef SD_CONF_H
#define SD_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "notify.h"
#include "snapshot.h"

struct sd_config {
    char *source;               /* owned; NULL until a `source` line */
    struct sd_policy policy;
    uint32_t stale_after;
    size_t max_rows;
    size_t max_bytes;
    size_t log_rows;
    uint32_t poll_interval;     /* seconds; 0 = the source's default */
    struct sd_http_opts http;
    struct sd_notify_cfg notify;
    char *krb5_keytab;          /* owned; applied at start */
    unsigned errors;            /* directives that failed to parse */
};

#define SD_DEFAULT_STALE_AFTER 3600
#define SD_DEFAULT_MAX_ROWS 1000000
#define SD_DEFAULT_MAX_BYTES (256u * 1024 * 1024)
#define SD_DEFAULT_LOG_ROWS 20
#define SD_DEFAULT_FILE_POLL 5
#define SD_DEFAULT_HTTP_POLL 300

/* Registers the directives for application `app`, writing into c. */
void sd_config_register(const char *app, struct sd_config *c);
/* Unregisters the directives (the dlmod form, before it is unloaded). */
void sd_config_unregister(void);
void sd_config_defaults(struct sd_config *c);
void sd_config_release(struct sd_config *c);
/* After a read: 0, or -1 with a message in err (no source, parse errors). */
int sd_config_check(const struct sd_config *c, char *err, size_t errlen);

#endif
