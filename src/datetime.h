/*
 * datetime: LastUpdateDate in the forms site servers export, to an
 * RFC 2579 DateAndTime in UTC (11 octets, direction '+', offset 0:0).
 *
 * Forms that carry their instant: ISO 8601 / RFC 3339
 * ("2026-11-20T08:15:00Z", "...+01:00", optional fraction of any length,
 * 'T' or ' ' between date and time), DMTF CIM datetime
 * ("20261120081500.000000+060", '*' allowed in the fraction only), and the
 * Microsoft JSON form "/Date(1574202819000)/" (optionally with a "+hhmm"
 * suffix, which does not change the instant). These are read the same
 * whatever the options say.
 *
 * Forms in local time, read only with options (struct sd_dateopts, from
 * smsdistd.conf): ISO 8601 without an offset and DMTF with a "***" offset
 * need a zone (sourceTimeZone); the text Windows PowerShell 5.1's
 * Export-Csv writes ("8/11/2026 7:20:37 PM" in en-US, "11.08.2026
 * 19:20:37" in de-DE) needs the culture's pattern as well
 * (sourceDateFormat). Local time goes to UTC through the zone's table
 * (tz.h): a wall-clock time shown twice (the autumn change) is the later
 * instant, standard time, as .NET's TimeZoneInfo.ConvertTimeToUtc takes
 * it; one the clocks skipped (spring) is refused.
 *
 * Anything else is refused with a reason that says which directive would
 * read it: guessing a date is worse than having none.
 */
#ifndef SD_DATETIME_H
#define SD_DATETIME_H

#include <stddef.h>
#include <stdint.h>

#include "rows.h"
#include "tz.h"

/*
 * sourceDateFormat, parsed: "iso" (the zero value: only the forms above),
 * or a .NET-style pattern given directly ("dd.MM.yyyy HH:mm:ss") or by
 * culture name ("de-DE"). Pattern tokens, as .NET's ParseExact reads them:
 * yyyy; M, d, H, h, m, s (1 or 2 digits); MM, dd, HH, hh, mm, ss (exactly
 * 2); tt (AM or PM, any case); f..fffffff (exactly that many fraction
 * digits); anything in '...' or "..." or after '\' is literal, as are
 * other non-letters; a space matches a space, U+00A0 or U+202F. Plain data:
 * copy it freely.
 */
#define SD_DATEFMT_SPEC_MAX 64  /* pattern length + 1 */
#define SD_DATEFMT_OPS_MAX 64   /* one per pattern character at most */

enum sd_datefmt_kind {
    SD_DATEFMT_ISO = 0,
    SD_DATEFMT_PATTERN
};

struct sd_datefmt_op {
    uint8_t op;                 /* what to match (datetime.c) */
    uint8_t min, max;           /* digits */
    char c;                     /* the literal, or the token's letter */
};

struct sd_datefmt {
    enum sd_datefmt_kind kind;
    char culture[12];           /* "de-DE" when given by culture, else "" */
    char pattern[SD_DATEFMT_SPEC_MAX];  /* the pattern; "" for iso */
    unsigned nops;
    struct sd_datefmt_op ops[SD_DATEFMT_OPS_MAX];
};

/* The date options a decode runs with; tz borrowed (the owner holds a ref). */
struct sd_dateopts {
    struct sd_tz *tz;           /* sourceTimeZone; NULL: none */
    struct sd_datefmt fmt;      /* sourceDateFormat */
};

/*
 * Parses a sourceDateFormat value: "iso", a culture name (case-insensitive)
 * or a pattern. 0, or -1 with the reason in err.
 */
int sd_datefmt_parse(const char *spec, struct sd_datefmt *out, char *err, size_t errlen);

/* The culture names sd_datefmt_parse knows, comma-separated (help text). */
const char *sd_datefmt_cultures(void);

/*
 * Parses s[0..len) with options o (NULL: no zone, iso). On success fills
 * out[SD_DATEANDTIME_LEN] and returns 0. On failure returns -1 and writes a
 * short reason (no trailing period) to why[0..whylen).
 */
int sd_datetime_parse_opts(const char *s, size_t len, const struct sd_dateopts *o,
                           uint8_t out[SD_DATEANDTIME_LEN], char *why, size_t whylen);

/* sd_datetime_parse_opts without options. */
int sd_datetime_parse(const char *s, size_t len, uint8_t out[SD_DATEANDTIME_LEN],
                      char *why, size_t whylen);

/* Milliseconds since the Unix epoch (UTC) to DateAndTime in UTC. */
int sd_datetime_from_epoch_ms(int64_t ms, uint8_t out[SD_DATEANDTIME_LEN]);

#endif
