/* conf: directive parsing, see conf.h. */
#include "sd_snmp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "logwatch.h"
#include "http.h"
#include "source.h"

static struct sd_config *cfg;
static bool deep;

void sd_config_set_deep(bool on)
{
    deep = on;
}

/* -t: can smsdistd open the file a directive names? */
static void deep_check_file(const char *token, const char *path)
{
    char msg[400], buf[512];
    int fd;

    if (!deep)
        return;
    if (strcmp(token, "httpCredentials") == 0) {
        if (sd_http_read_credentials(path, buf, sizeof(buf), msg, sizeof(msg)) < 0) {
            config_perror(msg);
            cfg->errors++;
        }
        explicit_bzero(buf, sizeof(buf));
        return;
    }
    if (strcmp(token, "krb5Keytab") == 0) {     /* a secret as well: the same rules */
        fd = sd_http_open_private(token, path, msg, sizeof(msg));
        if (fd < 0) {
            config_perror(msg);
            cfg->errors++;
        } else
            close(fd);
        return;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(msg, sizeof(msg), "%s: cannot read %s: %s", token, path, strerror(errno));
        config_perror(msg);
        cfg->errors++;
        return;
    }
    close(fd);
}

/* -t: a file source's folder must exist (the file itself may come later). */
static void deep_check_source(const char *token, const char *uri)
{
    const struct sd_source_kind *kind = sd_source_kind_of(uri);
    const char *path = kind ? kind->watch_path(uri) : NULL;
    char dir[4096], msg[4200];
    struct stat st;

    if (!deep || !path)
        return;
    errno = 0;
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        const char *why = !S_ISDIR(st.st_mode) && errno == 0 ? "not a folder" : strerror(errno);
        snprintf(msg, sizeof(msg), "%s: folder %s: %s", token, dir, why);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(msg, sizeof(msg), "%s: %s is not a regular file", token, path);
        config_perror(msg);
        cfg->errors++;
    }
}

void sd_config_defaults(struct sd_config *c)
{
    free(c->source);
    free(c->dp_source);
    free(c->content_source);
    sd_tz_free(c->dates.tz);
    memset(c, 0, sizeof(*c));
    sd_policy_default(&c->policy);
    c->content_policy.error_types[0] = 3;       /* INSTALL_FAILED */
    c->content_policy.error_types[1] = 6;       /* REMOVAL_FAILED */
    c->content_policy.n_error_types = 2;
    sd_http_defaults(&c->http);
    sd_notify_defaults(&c->notify);
    c->stale_after = SD_DEFAULT_STALE_AFTER;
    c->max_rows = SD_DEFAULT_MAX_ROWS;
    c->max_bytes = SD_DEFAULT_MAX_BYTES;
    c->log_rows = SD_DEFAULT_LOG_ROWS;
    c->load_timeout = SD_DEFAULT_LOAD_TIMEOUT;
}

void sd_config_release(struct sd_config *c)
{
    free(c->source);
    c->source = NULL;
    free(c->dp_source);
    c->dp_source = NULL;
    free(c->content_source);
    c->content_source = NULL;
    sd_tz_free(c->dates.tz);
    c->dates.tz = NULL;
}

/* A whole decimal number in [min, max]; config_perror and -1 otherwise. */
static int parse_ulong(const char *token, const char *s, unsigned long min,
                       unsigned long max, unsigned long *out)
{
    char *end, msg[160];
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (!*s || *s == '-' || errno || *end || v < min || v > max) {
        snprintf(msg, sizeof(msg), "%s: '%s' is not a number from %lu to %lu", token, s, min, max);
        config_perror(msg);
        cfg->errors++;
        return -1;
    }
    *out = v;
    return 0;
}

/* source, dpSource, contentSource: a table's URI. */
static void parse_source(const char *token, char *line)
{
    const struct sd_table *t = strcmp(token, "dpSource") == 0        ? &sd_table_dp
                               : strcmp(token, "contentSource") == 0 ? &sd_table_content
                                                                    : &sd_table_status;
    char **uri = t == &sd_table_dp        ? &cfg->dp_source
                 : t == &sd_table_content ? &cfg->content_source
                                          : &cfg->source;
    char msg[400];

    if (!line || !*line) {
        snprintf(msg, sizeof(msg), "%s: needs a URI, e.g. file:/var/lib/smsdistd/export.json",
                 token);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    if (!sd_source_kind_of(line)) {
        char *shown = sd_source_display(line);      /* no user:password@ in any message */
        snprintf(msg, sizeof(msg), "%s: unsupported URI '%.200s' (use file:/absolute/path "
                 "or https://provider/AdminService/wmi/%s)", token, shown ? shown : "?",
                 t->wmi_class);
        free(shown);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    free(*uri);
    *uri = strdup(line);
    deep_check_source(token, line);
}

/* errorTypes, contentErrorStates: the values that count as an error. */
static void parse_error_types(const char *token, char *line)
{
    bool content = strcmp(token, "contentErrorStates") == 0;
    char msg[160];

    struct sd_policy p = { .n_error_types = 0 };
    char *save = NULL;

    for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        unsigned long v;
        if (parse_ulong(token, w, 0, INT32_MAX, &v) < 0)
            return;
        if (p.n_error_types == SD_MAX_ERROR_TYPES) {
            snprintf(msg, sizeof(msg), "%s: at most 16 values", token);
            config_perror(msg);
            cfg->errors++;
            return;
        }
        p.error_types[p.n_error_types++] = (int32_t)v;
    }
    if (!p.n_error_types) {
        snprintf(msg, sizeof(msg), content ? "%s: needs at least one State value, e.g. %s 3 6"
                                           : "%s: needs at least one Type value, e.g. %s 3 4",
                 token, token);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    if (content)
        cfg->content_policy = p;
    else
        cfg->policy = p;
}

/* The numeric directives and their ranges: one table, so a message always
 * gives the range that is really enforced. */
static const struct number {
    const char *token;
    unsigned long long min, max;
} numbers[] = {
    { "pollInterval", 1, 86400 },
    { "staleAfter", 0, UINT32_MAX },
    { "maxRows", 1, UINT32_MAX },
    { "maxSourceBytes", 1, 1ULL << 40 },
    { "logRejectedRows", 0, 1000000 },
    { "httpConnectTimeout", 1, 3600 },
    { "httpTimeout", 1, 86400 },
    { "httpMaxPages", 1, 1000000 },
    { "notifyQueueSize", 0, 1000000 },
    { "loadTimeout", 1, 86400 },
};

static void parse_number(const char *token, char *line)
{
    const struct number *n = NULL;
    unsigned long v;

    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
        if (strcmp(token, numbers[i].token) == 0)
            n = &numbers[i];
    if (!n)
        return;
    if (parse_ulong(token, line ? line : "", (unsigned long)n->min, (unsigned long)n->max, &v) < 0)
        return;
    if (strcmp(token, "staleAfter") == 0)
        cfg->stale_after = (uint32_t)v;
    else if (strcmp(token, "maxRows") == 0)
        cfg->max_rows = v;
    else if (strcmp(token, "maxSourceBytes") == 0)
        cfg->max_bytes = v;
    else if (strcmp(token, "httpConnectTimeout") == 0)
        cfg->http.connect_timeout = (unsigned)v;
    else if (strcmp(token, "httpTimeout") == 0)
        cfg->http.timeout = (unsigned)v;
    else if (strcmp(token, "httpMaxPages") == 0)
        cfg->http.max_pages = (unsigned)v;
    else if (strcmp(token, "notifyQueueSize") == 0)
        cfg->notify.queue_max = v;
    else if (strcmp(token, "pollInterval") == 0)
        cfg->poll_interval = (uint32_t)v;
    else if (strcmp(token, "logRejectedRows") == 0)
        cfg->log_rows = v ? v : 1;
    else if (strcmp(token, "loadTimeout") == 0)
        cfg->load_timeout = (unsigned)v;
}

static void parse_auth(const char *token, char *line)
{
    static const struct { const char *name; enum sd_http_auth auth; } names[] = {
        { "none", SD_AUTH_NONE }, { "basic", SD_AUTH_BASIC },
        { "ntlm", SD_AUTH_NTLM }, { "negotiate", SD_AUTH_NEGOTIATE },
        { "windows", SD_AUTH_WINDOWS },
    };

    for (size_t i = 0; line && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(line, names[i].name) == 0) {
            cfg->http.auth = names[i].auth;
            return;
        }
    }
    config_perror("httpAuth: one of negotiate, windows, ntlm, basic, none");
    cfg->errors++;
}

/* A path directive into a fixed buffer of the http options. */
static void parse_path(const char *token, char *line)
{
    struct { const char *token; char *dst; size_t len; } paths[] = {
        { "httpCredentials", cfg->http.credentials, sizeof(cfg->http.credentials) },
        { "krb5Keytab", cfg->http.keytab, sizeof(cfg->http.keytab) },
        { "tlsCAFile", cfg->http.ca_file, sizeof(cfg->http.ca_file) },
        { "tlsCAPath", cfg->http.ca_path, sizeof(cfg->http.ca_path) },
        { "tlsClientCert", cfg->http.client_cert, sizeof(cfg->http.client_cert) },
        { "tlsClientKey", cfg->http.client_key, sizeof(cfg->http.client_key) },
    };
    char msg[200];

    if (!line || line[0] != '/' || strlen(line) >= sizeof(cfg->http.ca_file)) {
        snprintf(msg, sizeof(msg), "%s: needs an absolute path shorter than %zu characters",
                 token, sizeof(cfg->http.ca_file));
        config_perror(msg);
        cfg->errors++;
        return;
    }
    deep_check_file(token, line);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (strcmp(token, paths[i].token) == 0)
            snprintf(paths[i].dst, paths[i].len, "%s", line);
}

/* krb5Principal NAME[@REALM] */
static void parse_principal(const char *token, char *line)
{
    if (!line || !*line || strpbrk(line, " \t") ||
        strlen(line) >= sizeof(cfg->http.principal)) {
        config_perror("krb5Principal: one principal name, e.g. smsdistd@EXAMPLE.COM");
        cfg->errors++;
        return;
    }
    snprintf(cfg->http.principal, sizeof(cfg->http.principal), "%s", line);
}

/* httpResolve HOST:PORT:ADDRESS (repeatable) */
static void parse_resolve(const char *token, char *line)
{
    char err[400], msg[480];

    if (!line || strlen(line) >= sizeof(cfg->http.resolve[0])) {
        config_perror("httpResolve: HOST:PORT:ADDRESS, e.g. httpResolve "
                      "cm01.example.com:443:192.0.2.10");
        cfg->errors++;
        return;
    }
    if (sd_http_check_resolve(line, err, sizeof(err)) < 0) {
        snprintf(msg, sizeof(msg), "httpResolve: %s", err);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    if (cfg->http.n_resolve >= SD_HTTP_MAX_RESOLVE) {
        snprintf(msg, sizeof(msg), "httpResolve: at most %d lines", SD_HTTP_MAX_RESOLVE);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    snprintf(cfg->http.resolve[cfg->http.n_resolve++], sizeof(cfg->http.resolve[0]), "%s", line);
}

/* yes/no directives. */
static void parse_bool(const char *token, char *line)
{
    bool yes = line && (strcasecmp(line, "yes") == 0 || strcmp(line, "1") == 0 ||
                        strcasecmp(line, "true") == 0);
    bool no = line && (strcasecmp(line, "no") == 0 || strcmp(line, "0") == 0 ||
                       strcasecmp(line, "false") == 0);
    char msg[120];

    if (!yes && !no) {
        snprintf(msg, sizeof(msg), "%s: yes or no", token);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    if (strcmp(token, "tlsVerify") == 0)
        cfg->http.insecure = no;
    else if (strcmp(token, "allowPlainHttp") == 0)
        cfg->http.allow_http = yes;
    else if (strcmp(token, "notifyRows") == 0)
        cfg->notify.rows = yes;
    else if (strcmp(token, "notifyAtStart") == 0)
        cfg->notify.at_start = yes;
    else if (strcmp(token, "notifyDPs") == 0)
        cfg->notify.dps = yes;
    else if (strcmp(token, "notifyContent") == 0)
        cfg->notify.content = yes;
}

/* notifyRateLimit N SECONDS [BURST] */
static void parse_rate(const char *token, char *line)
{
    char *save = NULL, *count = strtok_r(line, " \t", &save), *secs = strtok_r(NULL, " \t", &save);
    char *burst = strtok_r(NULL, " \t", &save);
    unsigned long n, w, b = 0;

    if (!count || !secs || strtok_r(NULL, " \t", &save)) {
        config_perror("notifyRateLimit: N SECONDS [BURST], e.g. notifyRateLimit 20 60");
        cfg->errors++;
        return;
    }
    if (parse_ulong(token, count, 1, 100000, &n) < 0 || parse_ulong(token, secs, 1, 86400, &w) < 0 ||
        (burst && parse_ulong(token, burst, 1, 100000, &b) < 0))
        return;
    cfg->notify.rate_n = (unsigned)n;
    cfg->notify.rate_window = (unsigned)w;
    cfg->notify.rate_burst = (unsigned)b;
}

/* notifyStateFile /PATH|none */
static void parse_state_file(const char *token, char *line)
{
    char msg[200];
    size_t len = line ? strlen(line) : 0;

    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
        line[--len] = '\0';
    if (line && strcasecmp(line, "none") == 0) {
        cfg->notify.state_file[0] = '\0';
        return;
    }
    if (!line || line[0] != '/' || line[len - 1] == '/' || strpbrk(line, " \t") ||
        len >= sizeof(cfg->notify.state_file)) {
        snprintf(msg, sizeof(msg), "%s: needs an absolute file path shorter than %zu characters, "
                 "or none", token, sizeof(cfg->notify.state_file));
        config_perror(msg);
        cfg->errors++;
        return;
    }
    snprintf(cfg->notify.state_file, sizeof(cfg->notify.state_file), "%s", line);
}

/* sourceTimeZone ZONE: the zone's table is built here, once per read (a
 * child process computes it; see tz.h), and the loads share it. */
static void parse_time_zone(const char *token, char *line)
{
    char name[160], err[400], msg[480];
    struct sd_tz *tz;
    size_t len = line ? strlen(line) : 0;

    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
        len--;
    if (len == 0 || len >= sizeof(name)) {
        config_perror("sourceTimeZone: needs an IANA zone name, e.g. sourceTimeZone Europe/Berlin");
        cfg->errors++;
        return;
    }
    snprintf(name, sizeof(name), "%.*s", (int)len, line);
    if (sd_tz_load(name, &tz, err, sizeof(err)) < 0) {
        snprintf(msg, sizeof(msg), "%s: %s", token, err);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    sd_tz_free(cfg->dates.tz);
    cfg->dates.tz = tz;
}

/* sourceDateFormat iso|CULTURE|PATTERN */
static void parse_date_format(const char *token, char *line)
{
    char err[400], msg[480];
    struct sd_datefmt fmt;

    if (sd_datefmt_parse(line, &fmt, err, sizeof(err)) < 0) {
        snprintf(msg, sizeof(msg), "%s: %s", token, err);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    cfg->dates.fmt = fmt;
}

/* Called once per directive by free_config() before a re-read. */
static void release(void)
{
    sd_config_defaults(cfg);
}

static const struct directive {
    const char *token;
    void (*parse)(const char *token, char *line);
    const char *help;
} directives[] = {
    { "source", parse_source, "URI   (file:/path/export.json or .csv, or https://.../AdminService/wmi/SMS_DistributionStatus)" },
    { "dpSource", parse_source, "URI   (SMS_DPStatusInfo for smsDistDPTable; default: the source file's, when it is a combined export)" },
    { "contentSource", parse_source, "URI   (SMS_PackageStatusDistPointsSummarizer for smsDistContentDPTable; default: the source file's, when it is a combined export)" },
    { "pollInterval", parse_number, "SECONDS   (file: stat polling beside inotify, default 5; https: how often to fetch, default 300)" },
    { "errorTypes", parse_error_types, "TYPE [TYPE...]   (Type values that count as Error; default 3 4)" },
    { "staleAfter", parse_number, "SECONDS   (no good load for this long: stale; 0 never; default 3600)" },
    { "maxRows", parse_number, "N   (refuse a document with more rows; default 1000000)" },
    { "maxSourceBytes", parse_number, "BYTES   (refuse a larger source; default 268435456)" },
    { "logRejectedRows", parse_number, "N   (row messages logged per load; default 20)" },
    { "httpAuth", parse_auth, "negotiate|windows|ntlm|basic|none   (AdminService authentication; windows: Negotiate, else NTLM with httpCredentials; default negotiate)" },
    { "httpCredentials", parse_path, "/PATH   (user:password; owned by smsdistd's user, mode 0600)" },
    { "krb5Keytab", parse_path, "/PATH   (Kerberos keytab for negotiate and windows; owned by smsdistd's user, mode 0600; read at each load)" },
    { "krb5Principal", parse_principal, "NAME[@REALM]   (the keytab's principal to use; default its first)" },
    { "httpResolve", parse_resolve, "HOST:PORT:ADDRESS   (connect there for HOST:PORT, as curl --resolve; repeatable)" },
    { "tlsCAFile", parse_path, "/PATH   (CA certificates, PEM)" },
    { "tlsCAPath", parse_path, "/DIR   (hashed CA directory)" },
    { "tlsClientCert", parse_path, "/PATH   (client certificate, PEM)" },
    { "tlsClientKey", parse_path, "/PATH   (client key, PEM)" },
    { "tlsVerify", parse_bool, "yes|no   (verify the server's certificate; default yes)" },
    { "allowPlainHttp", parse_bool, "yes|no   (allow http:// sources; default no)" },
    { "httpConnectTimeout", parse_number, "SECONDS   (default 10)" },
    { "httpTimeout", parse_number, "SECONDS   (whole request, each page; default 120)" },
    { "notifyRows", parse_bool, "yes|no   (send smsDistRowEnteredError/LeftError; default yes)" },
    { "contentErrorStates", parse_error_types, "STATE [STATE...]   (content x DP State values that count as failed; default 3 6)" },
    { "notifyDPs", parse_bool, "yes|no   (send smsDistDPErrorsRaised/Cleared; default yes)" },
    { "notifyContent", parse_bool, "yes|no   (send smsDistContentDPEnteredFailed/LeftFailed; default yes)" },
    { "notifyAtStart", parse_bool, "yes|no   (announce rows already in error at the first load; default yes)" },
    { "notifyRateLimit", parse_rate, "N SECONDS [BURST]   (row notifications: N per SECONDS, at most BURST at once, default the smaller of N and 20; the rest deferred, one summary per window; default 20 60)" },
    { "notifyQueueSize", parse_number, "N   (notifications held while the master is away; default 1000)" },
    { "notifyStateFile", parse_state_file, "/PATH|none   (keeps the rows announced in error across restarts, so those fixed meanwhile are announced leaving; default " SD_DEFAULT_STATE_FILE ")" },
    { "httpMaxPages", parse_number, "N   (most @odata.nextLink pages followed; default 1000)" },
    { "sourceTimeZone", parse_time_zone, "ZONE   (IANA zone, e.g. Europe/Berlin, of dates written without a UTC offset; default none: such rows are refused)" },
    { "sourceDateFormat", parse_date_format, "iso|CULTURE|PATTERN   (culture-dependent dates, e.g. de-DE or dd.MM.yyyy HH:mm:ss, as Windows PowerShell 5.1's Export-Csv writes them; needs sourceTimeZone; default iso)" },
    { "loadTimeout", parse_number, "SECONDS   (a whole load, every page and file read, gives up after this; default 240)" },
};

void sd_config_target(struct sd_config *c)
{
    cfg = c;
}

/* --- problems of one read ------------------------------------------------- */

static struct sd_config_report *capture;

void sd_config_report_add(struct sd_config_report *r, const char *fmt, ...)
{
    va_list ap;

    if (!r->problems++) {
        va_start(ap, fmt);
        vsnprintf(r->first, sizeof(r->first), fmt, ap);
        va_end(ap);
    }
}

/* Edit distance of two short words, ignoring case (for "did you mean"). */
static unsigned distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned row[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            unsigned best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *closest_directive(const char *word);

/* "FILE: line N: Warning: Unknown token: WORD." and "FILE: line N: Error: ..." */
static void on_config_log(int priority, const char *msg, void *ctx)
{
    struct sd_config_report *r = ctx;
    const char *line = strstr(msg, ": line ");
    const char *unknown = strstr(msg, ": Warning: Unknown token: ");
    const char *error = strstr(msg, ": Error: ");
    char word[64];

    if (!line)
        return;
    if (error && error > line) {
        /* ours (config_perror) or net-snmp's: already logged as it is */
        sd_config_report_add(r, "%.*s: %.*s", (int)(error - msg), msg,
                             (int)strcspn(error + 9, "\n"), error + 9);
        return;
    }
    if (!unknown || unknown < line)
        return;
    /* net-snmp's own files (snmp.conf, snmp.local.conf) are its business */
    const char *base = msg;
    for (const char *p = msg; p < line; p++)
        if (*p == '/')
            base = p + 1;
    if (strncmp(base, "snmp.", 5) == 0)
        return;
    const char *w = unknown + strlen(": Warning: Unknown token: ");
    size_t wl = strcspn(w, "\n");
    if (wl && w[wl - 1] == '.')
        wl--;
    snprintf(word, sizeof(word), "%.*s", (int)wl, w);
    const char *near = closest_directive(word);
    char text[400];
    snprintf(text, sizeof(text), "%.*s: unknown directive '%s'%s%s%s", (int)(unknown - msg), msg,
             word, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
    if (r->n_unknown < sizeof(r->unknown) / sizeof(r->unknown[0]))
        snprintf(r->unknown[r->n_unknown++], sizeof(r->unknown[0]), "%.255s", text);
    sd_config_report_add(r, "%s", text);
    (void)priority;
}

void sd_config_capture_begin(struct sd_config_report *r)
{
    capture = r;
    if (sd_logwatch_add(on_config_log, r) < 0)
        snmp_log(LOG_WARNING, "cannot watch the configuration's parse messages; "
                 "unknown directives are only warned about\n");
}

void sd_config_capture_end(void)
{
    if (!capture)
        return;
    sd_logwatch_remove(on_config_log, capture);
    for (unsigned i = 0; i < capture->n_unknown; i++)
        snmp_log(LOG_ERR, "%s\n", capture->unknown[i]);
    capture = NULL;
}

void sd_config_register(const char *app, struct sd_config *c)
{
    cfg = c;
    sd_config_defaults(c);
    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
        register_app_config_handler(directives[i].token, directives[i].parse, release,
                                    directives[i].help);
    (void)app;
}

static const char *closest_directive(const char *word)
{
    const char *best = NULL;
    unsigned best_d = 3;        /* at most two edits away */

    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
        unsigned d = distance(word, directives[i].token);
        if (d < best_d) {
            best_d = d;
            best = directives[i].token;
        }
    }
    return best;
}

void sd_config_unregister(void)
{
    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
        unregister_app_config_handler(directives[i].token);
}

int sd_config_check(const struct sd_config *c, char *err, size_t errlen)
{
    if (c->errors) {
        snprintf(err, errlen, "%u configuration error(s), see above", c->errors);
        return -1;
    }
    if (!c->source) {
        snprintf(err, errlen, "no 'source' directive "
                 "(e.g. source file:/var/lib/smsdistd/export.json)");
        return -1;
    }
    if (c->dates.fmt.kind != SD_DATEFMT_ISO && !c->dates.tz) {
        /* culture text never says its zone: converting it needs one */
        snprintf(err, errlen, "sourceDateFormat %s needs sourceTimeZone (the zone the site "
                 "server writes its dates in, e.g. sourceTimeZone Europe/Berlin)",
                 c->dates.fmt.culture[0] ? c->dates.fmt.culture : c->dates.fmt.pattern);
        return -1;
    }
    if (c->http.credentials[0] && c->http.auth == SD_AUTH_NEGOTIATE)
        snmp_log(LOG_WARNING, "httpCredentials is not used with httpAuth negotiate (Kerberos "
                 "takes its tickets from krb5Keytab or a credential cache); httpAuth windows "
                 "falls back to NTLM with it\n");
    if (c->http.principal[0] && !c->http.keytab[0])
        snmp_log(LOG_WARNING, "krb5Principal is not used without krb5Keytab\n");
    return 0;
}
