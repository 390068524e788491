/* conf: directive parsing, see conf.h. */
#include "sd_snmp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "source.h"

static struct sd_config *cfg;

void sd_config_defaults(struct sd_config *c)
{
    free(c->source);
    memset(c, 0, sizeof(*c));
    sd_policy_default(&c->policy);
    c->stale_after = SD_DEFAULT_STALE_AFTER;
    c->max_rows = SD_DEFAULT_MAX_ROWS;
    c->max_bytes = SD_DEFAULT_MAX_BYTES;
    c->log_rows = SD_DEFAULT_LOG_ROWS;
}

void sd_config_release(struct sd_config *c)
{
    free(c->source);
    c->source = NULL;
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
    char msg[300];

    if (!line || !*line) {
        config_perror("source: needs a URI, e.g. file:/var/lib/smsdistd/export.json");
        cfg->errors++;
        return;
    }
    if (!sd_source_file_path(line)) {
        snprintf(msg, sizeof(msg), "source: unsupported URI '%.200s' (use file:/absolute/path)", line);
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
    else if (strcmp(token, "logRejectedRows") == 0)
        cfg->log_rows = v ? v : 1;
    else {
        config_perror("value out of range");
        cfg->errors++;
    }
}

/* Called once per directive by free_config() before a re-read. */
static void release(void)
{
    sd_config_defaults(cfg);
}

void sd_config_register(const char *app, struct sd_config *c)
{
    cfg = c;
    sd_config_defaults(c);
    register_app_config_handler("source", parse_source, release,
                                "URI   (file:/path/export.json or .csv)");
    register_app_config_handler("errorTypes", parse_error_types, release,
                                "TYPE [TYPE...]   (Type values that count as Error; default 3 4)");
    register_app_config_handler("staleAfter", parse_number, release,
                                "SECONDS   (no good load for this long: stale; 0 never; default 3600)");
    register_app_config_handler("maxRows", parse_number, release,
                                "N   (refuse a document with more rows; default 1000000)");
    register_app_config_handler("maxSourceBytes", parse_number, release,
                                "BYTES   (refuse a larger source; default 268435456)");
    register_app_config_handler("logRejectedRows", parse_number, release,
                                "N   (row messages logged per load; default 20)");
    (void)app;
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
