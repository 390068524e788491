/*
 * conf: smsdistd's directives, registered with net-snmp's config system so
 * they read like snmpd.conf, share its search path and show under -H.
 * Owned by the main thread; re-read on SIGHUP (net-snmp calls the releaser,
 * which puts the defaults back, then the parsers again).
 */
#ifndef SD_CONF_H
#define SD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datetime.h"
#include "http.h"
#include "notify.h"
#include "snapshot.h"

struct sd_config {
    char *source;               /* owned; NULL until a `source` line */
    char *dp_source;            /* owned; NULL: the source file's, if combined */
    char *content_source;       /* owned; likewise */
    struct sd_policy policy;
    struct sd_policy content_policy;    /* contentErrorStates */
    uint32_t stale_after;
    size_t max_rows;
    size_t max_bytes;
    size_t log_rows;
    uint32_t poll_interval;     /* seconds; 0 = the source's default */
    unsigned load_timeout;      /* seconds for a whole load, all pages */
    struct sd_http_opts http;
    struct sd_notify_cfg notify;
    struct sd_dateopts dates;   /* sourceTimeZone (dates.tz: one owned ref, or NULL),
                                 * sourceDateFormat */
    unsigned errors;            /* directives that failed to parse */
};

#define SD_DEFAULT_STALE_AFTER 3600
#define SD_DEFAULT_MAX_ROWS 1000000
#define SD_DEFAULT_MAX_BYTES (256u * 1024 * 1024)
#define SD_DEFAULT_LOG_ROWS 20
#define SD_DEFAULT_LOAD_TIMEOUT 240     /* under SD_DEFAULT_HTTP_POLL: loads never pile up */

/* Registers the directives for application `app`, writing into c. */
void sd_config_register(const char *app, struct sd_config *c);
/* Unregisters the directives (the dlmod form, before it is unloaded). */
void sd_config_unregister(void);
void sd_config_defaults(struct sd_config *c);
void sd_config_release(struct sd_config *c);
/* Points the directive parsers at c: the next read (update_config) fills
 * c, starting from the defaults, and leaves the configuration in use alone. */
void sd_config_target(struct sd_config *c);

/*
 * What one read of the configuration files found wrong. Errors in our
 * directives come from config_perror, which net-snmp logs as "FILE: line N:
 * Error: ..."; a directive nobody knows is only a net-snmp warning, which
 * this turns into an error (with a suggestion when it looks like one of
 * ours), except in net-snmp's own snmp.conf files.
 */
struct sd_config_report {
    unsigned problems;
    char first[256];            /* the first problem, "FILE: line N: why" */
    /* unknown directives: logged when the capture ends (logging from
     * inside net-snmp's log callback would re-enter it) */
    char unknown[8][256];
    unsigned n_unknown;
};
/* Deep checks (smsdistd -t): each directive that names a file also checks
 * that smsdistd can use it (readable; the credentials file's owner and mode;
 * a file source's folder exists), each problem with its file and line. */
void sd_config_set_deep(bool on);
/* Starts collecting problems into r (logged as they come, as ever). */
void sd_config_capture_begin(struct sd_config_report *r);
/* Stops collecting and logs the unknown directives found. */
void sd_config_capture_end(void);
/* Adds a problem found outside the parsers (e.g. an unreadable file). */
void sd_config_report_add(struct sd_config_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* After a read: 0, or -1 with a message in err (no source, parse errors). */
int sd_config_check(const struct sd_config *c, char *err, size_t errlen);

#endif
