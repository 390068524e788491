/* conf: directive parsing, see conf.h. */
#include "sd_snmp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "source.h"

static struct sd_config *cfg;

void sd_config_defaults(struct sd_config *c)
{
    free(c->source);
    free(c->krb5_keytab);
    memset(c, 0, sizeof(*c));
    sd_policy_default(&c->policy);
    sd_http_defaults(&c->http);
    sd_notify_defaults(&c->notify);
    c->stale_after = SD_DEFAULT_STALE_AFTER;
    c->max_rows = SD_DEFAULT_MAX_ROWS;
    c->max_bytes = SD_DEFAULT_MAX_BYTES;
    c->log_rows = SD_DEFAULT_LOG_ROWS;
}

void sd_config_release(struct sd_config *c)
{
    free(c->source);
    c->source = NULL;
    free(c->krb5_keytab);
    c->krb5_keytab = NULL;
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

static void parse_source(const char *token, char *line)
{
    char msg[400];

    if (!line || !*line) {
        config_perror("source: needs a URI, e.g. file:/var/lib/smsdistd/export.json");
        cfg->errors++;
        return;
    }
    if (!sd_source_file_path(line) && !sd_http_is_url(line)) {
        snprintf(msg, sizeof(msg), "source: unsupported URI '%.200s' (use file:/absolute/path "
                 "or https://provider/AdminService/wmi/SMS_DistributionStatus)", line);
        config_perror(msg);
        cfg->errors++;
        return;
    }
    free(cfg->source);
    cfg->source = strdup(line);
}

static void parse_error_types(const char *token, char *line)
{
    struct sd_policy p = { .n_error_types = 0 };
    char *save = NULL;

    for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        unsigned long v;
        if (parse_ulong(token, w, 0, INT32_MAX, &v) < 0)
            return;
        if (p.n_error_types == SD_MAX_ERROR_TYPES) {
            config_perror("errorTypes: at most 16 values");
            cfg->errors++;
            return;
        }
        p.error_types[p.n_error_types++] = (int32_t)v;
    }
    if (!p.n_error_types) {
        config_perror("errorTypes: needs at least one Type value, e.g. errorTypes 3 4");
        cfg->errors++;
        return;
    }
    cfg->policy = p;
}

static void parse_number(const char *token, char *line)
{
    unsigned long v;

    if (!line || parse_ulong(token, line, 0, ULONG_MAX, &v) < 0)
        return;
    if (strcmp(token, "staleAfter") == 0 && v <= UINT32_MAX)
        cfg->stale_after = (uint32_t)v;
    else if (strcmp(token, "maxRows") == 0 && v >= 1)
        cfg->max_rows = v;
    else if (strcmp(token, "maxSourceBytes") == 0 && v >= 1)
        cfg->max_bytes = v;
    else if (strcmp(token, "httpConnectTimeout") == 0 && v >= 1 && v <= 3600)
        cfg->http.connect_timeout = (unsigned)v;
    else if (strcmp(token, "httpTimeout") == 0 && v >= 1 && v <= 86400)
        cfg->http.timeout = (unsigned)v;
    else if (strcmp(token, "httpMaxPages") == 0 && v >= 1 && v <= 1000000)
        cfg->http.max_pages = (unsigned)v;
    else if (strcmp(token, "notifyQueueSize") == 0 && v <= 1000000)
        cfg->notify.queue_max = v;
    else if (strcmp(token, "pollInterval") == 0 && v >= 1 && v <= 86400)
        cfg->poll_interval = (uint32_t)v;
    else if (strcmp(token, "logRejectedRows") == 0)
        cfg->log_rows = v ? v : 1;
    else {
        config_perror("value out of range");
        cfg->errors++;
    }
}

static void parse_auth(const char *token, char *line)
{
    static const struct { const char *name; enum sd_http_auth auth; } names[] = {
        { "none", SD_AUTH_NONE }, { "basic", SD_AUTH_BASIC },
        { "ntlm", SD_AUTH_NTLM }, { "negotiate", SD_AUTH_NEGOTIATE },
    };

    for (size_t i = 0; line && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(line, names[i].name) == 0) {
            cfg->http.auth = names[i].auth;
            return;
        }
    }
    config_perror("httpAuth: one of negotiate, ntlm, basic, none");
    cfg->errors++;
}

/* A path directive into a fixed buffer of the http options. */
static void parse_path(const char *token, char *line)
{
    struct { const char *token; char *dst; size_t len; } paths[] = {
        { "httpCredentials", cfg->http.credentials, sizeof(cfg->http.credentials) },
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
    if (strcmp(token, "krb5Keytab") == 0) {
        free(cfg->krb5_keytab);
        cfg->krb5_keytab = strdup(line);
        return;
    }
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (strcmp(token, paths[i].token) == 0)
            snprintf(paths[i].dst, paths[i].len, "%s", line);
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
}

/* notifyRateLimit N SECONDS */
static void parse_rate(const char *token, char *line)
{
    char *save = NULL, *count = strtok_r(line, " \t", &save), *secs = strtok_r(NULL, " \t", &save);
    unsigned long n, w;

    if (!count || !secs || strtok_r(NULL, " \t", &save)) {
        config_perror("notifyRateLimit: N SECONDS, e.g. notifyRateLimit 20 60");
        cfg->errors++;
        return;
    }
    if (parse_ulong(token, count, 1, 100000, &n) < 0 || parse_ulong(token, secs, 1, 86400, &w) < 0)
        return;
    cfg->notify.rate_n = (unsigned)n;
    cfg->notify.rate_window = (unsigned)w;
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
    { "pollInterval", parse_number, "SECONDS   (file: stat polling beside inotify, default 5; https: how often to fetch, default 300)" },
    { "errorTypes", parse_error_types, "TYPE [TYPE...]   (Type values that count as Error; default 3 4)" },
    { "staleAfter", parse_number, "SECONDS   (no good load for this long: stale; 0 never; default 3600)" },
    { "maxRows", parse_number, "N   (refuse a document with more rows; default 1000000)" },
    { "maxSourceBytes", parse_number, "BYTES   (refuse a larger source; default 268435456)" },
    { "logRejectedRows", parse_number, "N   (row messages logged per load; default 20)" },
    { "httpAuth", parse_auth, "negotiate|ntlm|basic|none   (AdminService authentication; default negotiate)" },
    { "httpCredentials", parse_path, "/PATH   (user:password; owned by smsdistd's user, mode 0600)" },
    { "krb5Keytab", parse_path, "/PATH   (Kerberos keytab for negotiate; read at start)" },
    { "tlsCAFile", parse_path, "/PATH   (CA certificates, PEM)" },
    { "tlsCAPath", parse_path, "/DIR   (hashed CA directory)" },
    { "tlsClientCert", parse_path, "/PATH   (client certificate, PEM)" },
    { "tlsClientKey", parse_path, "/PATH   (client key, PEM)" },
    { "tlsVerify", parse_bool, "yes|no   (verify the server's certificate; default yes)" },
    { "allowPlainHttp", parse_bool, "yes|no   (allow http:// sources; default no)" },
    { "httpConnectTimeout", parse_number, "SECONDS   (default 10)" },
    { "httpTimeout", parse_number, "SECONDS   (whole request, each page; default 120)" },
    { "notifyRows", parse_bool, "yes|no   (send smsDistRowEnteredError/LeftError; default yes)" },
    { "notifyAtStart", parse_bool, "yes|no   (announce rows already in error at the first load; default yes)" },
    { "notifyRateLimit", parse_rate, "N SECONDS   (most row notifications per window, then one summary; default 20 60)" },
    { "notifyQueueSize", parse_number, "N   (notifications held while the master is away; default 1000)" },
    { "httpMaxPages", parse_number, "N   (most @odata.nextLink pages followed; default 1000)" },
};

void sd_config_register(const char *app, struct sd_config *c)
{
    cfg = c;
    sd_config_defaults(c);
    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
        register_app_config_handler(directives[i].token, directives[i].parse, release,
                                    directives[i].help);
    (void)app;
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
        snprintf(err, errlen, "no 'source' directive in smsdistd.conf "
                 "(e.g. source file:/var/lib/smsdistd/export.json)");
        return -1;
    }
    return 0;
}
