/*
 * datetime: LastUpdateDate parsing, see datetime.h.
 *
 * Owns the accepted forms (ISO 8601, DMTF CIM datetime, /Date(ms)/, and the
 * .NET-style patterns of sourceDateFormat) and the civil-calendar
 * arithmetic that brings them to UTC. The arithmetic is done here, on
 * integers, rather than with timegm/mktime: those depend on the process's
 * TZ and locale, and the loader thread must give the same answer whatever
 * the host is configured for. Local times go through the zone's table
 * (tz.h), which never looks at TZ either.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "datetime.h"

#define YEAR_MIN 1601           /* FILETIME's epoch: WMI has nothing older */
#define YEAR_MAX 9999           /* four digits, as DMTF and ISO 8601 write them */
#define MS_DIGITS_MAX 18        /* fits int64_t; far beyond YEAR_MAX anyway */

static const char not_a_date[] = "not a date in ISO 8601, DMTF or /Date(ms)/ form";

/* A broken-down time as written, plus its offset east of UTC in minutes,
 * or none (local: the wall clock of sourceTimeZone). */
struct civil {
    int64_t year;
    unsigned month, day, hour, minute, second, deci;
    int offset;
    bool local;
};

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* n decimal digits at s (the caller checked they are there). */
static unsigned digits(const char *s, size_t n)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil: exact for any year, no tables, no time zone). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int check_fields(const struct civil *c, char *why, size_t whylen)
{
    if (c->month < 1 || c->month > 12)
        return fail(why, whylen, "month %u out of range", c->month);
    if (c->day < 1 || c->day > days_in_month(c->year, c->month))
        return fail(why, whylen, "day %u out of range (%04lld-%02u has %u days)", c->day,
                    (long long)c->year, c->month, days_in_month(c->year, c->month));
    if (c->hour > 23)
        return fail(why, whylen, "hour %u out of range", c->hour);
    if (c->minute > 59)
        return fail(why, whylen, "minute %u out of range", c->minute);
    if (c->second > 60)
        return fail(why, whylen, "second %u out of range", c->second);
    return 0;
}

static int check_offset(unsigned hh, unsigned mm, char *why, size_t whylen)
{
    if (hh > 23)
        return fail(why, whylen, "UTC offset hour %u out of range", hh);
    if (mm > 59)
        return fail(why, whylen, "UTC offset minute %u out of range", mm);
    return 0;
}

static void encode(const struct civil *u, uint8_t out[SD_DATEANDTIME_LEN])
{
    out[0] = (uint8_t)(u->year >> 8);
    out[1] = (uint8_t)(u->year & 0xff);
    out[2] = (uint8_t)u->month;
    out[3] = (uint8_t)u->day;
    out[4] = (uint8_t)u->hour;
    out[5] = (uint8_t)u->minute;
    out[6] = (uint8_t)u->second;
    out[7] = (uint8_t)u->deci;
    out[8] = '+';
    out[9] = 0;
    out[10] = 0;
}

/* Validated local fields → UTC DateAndTime. The offset moves whole minutes,
 * so the second (even a leap second, 60) and the deci-second stay as they are. */
static int to_utc(const struct civil *c, uint8_t out[SD_DATEANDTIME_LEN], char *why, size_t whylen)
{
    struct civil u = *c;
    int64_t mins, days;

    if (check_fields(c, why, whylen) < 0)
        return -1;
    mins = days_from_civil(c->year, c->month, c->day) * 1440 + c->hour * 60 + c->minute
           - c->offset;
    days = floor_div(mins, 1440);
    mins -= days * 1440;
    civil_from_days(days, &u.year, &u.month, &u.day);
    u.hour = (unsigned)(mins / 60);
    u.minute = (unsigned)(mins % 60);
    u.offset = 0;
    if (u.year < YEAR_MIN || u.year > YEAR_MAX)
        return fail(why, whylen, "year %lld out of range (%d..%d)", (long long)u.year,
                    YEAR_MIN, YEAR_MAX);
    encode(&u, out);
    return 0;
}

/* UTC seconds since the epoch → fields; the year is not checked here. */
static void civil_from_secs(int64_t secs, struct civil *u)
{
    int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;

    civil_from_days(days, &u->year, &u->month, &u->day);
    u->hour = (unsigned)(sod / 3600);
    u->minute = (unsigned)(sod / 60 % 60);
    u->second = (unsigned)(sod % 60);
    u->offset = 0;
    u->local = false;
}

/* Validated wall-clock fields of zone tz → UTC DateAndTime. A leap second
 * (:60, only ever written at a whole-minute offset) is converted as :59 and
 * put back. */
static int local_to_utc(const struct civil *c, const struct sd_tz *tz,
                        uint8_t out[SD_DATEANDTIME_LEN], char *why, size_t whylen)
{
    struct civil u = *c;
    unsigned leap = c->second == 60;
    int64_t local, utc;

    if (check_fields(c, why, whylen) < 0)
        return -1;
    local = days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 +
            c->minute * 60 + (c->second - leap);
    if (sd_tz_to_utc(tz, local, &utc) == SD_TZ_NONEXISTENT)
        return fail(why, whylen, "no such local time in %s (the clocks skipped it)",
                    sd_tz_name(tz));
    civil_from_secs(utc, &u);
    u.second += leap;
    u.deci = c->deci;
    if (u.year < YEAR_MIN || u.year > YEAR_MAX)
        return fail(why, whylen, "year %lld out of range (%d..%d)", (long long)u.year,
                    YEAR_MIN, YEAR_MAX);
    encode(&u, out);
    return 0;
}

/* Fields as parsed → UTC: by their own offset, else by the zone's. */
static int finish(const struct civil *c, const struct sd_dateopts *o,
                  uint8_t out[SD_DATEANDTIME_LEN], char *why, size_t whylen)
{
    if (!c->local)
        return to_utc(c, out, why, whylen);
    if (check_fields(c, why, whylen) < 0)
        return -1;
    if (!o || !o->tz)
        return fail(why, whylen, "no UTC offset (local time): set sourceTimeZone");
    return local_to_utc(c, o->tz, out, why, whylen);
}

/* Milliseconds since the epoch → UTC fields; the year is not checked here. */
static void civil_from_ms(int64_t ms, struct civil *u)
{
    /* Remainders taken before multiplying back, so INT64_MIN cannot overflow. */
    int64_t secs = floor_div(ms, 1000), msec = ms % 1000;
    int64_t days = floor_div(secs, 86400), sod = secs % 86400;

    if (msec < 0)
        msec += 1000;
    if (sod < 0)
        sod += 86400;
    memset(u, 0, sizeof(*u));
    civil_from_days(days, &u->year, &u->month, &u->day);
    u->hour = (unsigned)(sod / 3600);
    u->minute = (unsigned)(sod / 60 % 60);
    u->second = (unsigned)(sod % 60);
    u->deci = (unsigned)(msec / 100);
}

int sd_datetime_from_epoch_ms(int64_t ms, uint8_t out[SD_DATEANDTIME_LEN])
{
    struct civil u;

    civil_from_ms(ms, &u);
    if (u.year < YEAR_MIN || u.year > YEAR_MAX)
        return -1;
    encode(&u, out);
    return 0;
}

/* ±HHMM (colon optional when colon_ok) at s[0..len), nothing after it. */
static int parse_offset(const char *s, size_t len, bool colon_ok, int *offset,
                        char *why, size_t whylen)
{
    size_t mm_at = 3;
    unsigned hh, mm;

    if (colon_ok && len == 6 && s[3] == ':')
        mm_at = 4;
    if (len != mm_at + 2 || !all_digits(s + 1, 2) || !all_digits(s + mm_at, 2))
        return fail(why, whylen, "malformed UTC offset");
    hh = digits(s + 1, 2);
    mm = digits(s + mm_at, 2);
    if (check_offset(hh, mm, why, whylen) < 0)
        return -1;
    *offset = (int)(hh * 60 + mm) * (s[0] == '-' ? -1 : 1);
    return 0;
}

/* "/Date(1574202819000)/", "\/Date(-5000+0100)\/": the suffix names the
 * writer's zone and does not move the instant. */
static int parse_msdate(const char *s, size_t len, uint8_t out[SD_DATEANDTIME_LEN],
                        char *why, size_t whylen)
{
    bool escaped = s[0] == '\\';
    size_t p = escaped ? 7 : 6, start, tail = escaped ? 3 : 2;
    int64_t ms = 0;
    bool neg = false;
    struct civil u;

    if (len < p + tail || memcmp(s + len - tail, escaped ? ")\\/" : ")/", tail) != 0)
        return fail(why, whylen, "malformed /Date(ms)/");
    len -= tail;
    if (p < len && (s[p] == '-' || s[p] == '+'))
        neg = s[p++] == '-';
    for (start = p; p < len && is_digit(s[p]); p++) {
        if (p - start >= MS_DIGITS_MAX)
            return fail(why, whylen, "/Date(ms)/ value out of range");
        ms = ms * 10 + (s[p] - '0');
    }
    if (p == start)
        return fail(why, whylen, "malformed /Date(ms)/");
    if (p < len) {
        int ignored;

        if ((s[p] != '+' && s[p] != '-') || len - p != 5)
            return fail(why, whylen, "malformed /Date(ms)/");
        if (parse_offset(s + p, len - p, false, &ignored, why, whylen) < 0)
            return -1;
    }
    civil_from_ms(neg ? -ms : ms, &u);
    if (u.year < YEAR_MIN || u.year > YEAR_MAX)
        return fail(why, whylen, "year %lld out of range (%d..%d)", (long long)u.year,
                    YEAR_MIN, YEAR_MAX);
    encode(&u, out);
    return 0;
}

/* yyyymmddHHMMSS.mmmmmmsUUU, exactly 25 characters (the caller checked the
 * length and the '.'). WMI writes '*' for fields it does not know; in the
 * fraction that only means less precision, anywhere else it leaves the
 * instant undefined. */
static int parse_dmtf(const char *s, struct civil *c, char *why, size_t whylen)
{
    if (s[21] == ':')
        return fail(why, whylen, "a DMTF interval, not a date");
    for (size_t i = 0; i < 14; i++) {
        if (s[i] == '*')
            return fail(why, whylen, "'*' outside the fraction of a DMTF datetime");
        if (!is_digit(s[i]))
            return fail(why, whylen, "malformed DMTF datetime");
    }
    for (size_t i = 15; i < 21; i++)
        if (!is_digit(s[i]) && s[i] != '*')
            return fail(why, whylen, "malformed DMTF datetime");
    if (s[21] != '+' && s[21] != '-')
        return fail(why, whylen, "malformed DMTF datetime");
    c->local = memcmp(s + 22, "***", 3) == 0;    /* the writer's zone unknown */
    if (!c->local && !all_digits(s + 22, 3))
        return fail(why, whylen, "malformed DMTF datetime");
    c->year = digits(s, 4);
    c->month = digits(s + 4, 2);
    c->day = digits(s + 6, 2);
    c->hour = digits(s + 8, 2);
    c->minute = digits(s + 10, 2);
    c->second = digits(s + 12, 2);
    c->deci = s[15] == '*' ? 0 : digits(s + 15, 1);
    c->offset = c->local ? 0 : (int)digits(s + 22, 3) * (s[21] == '-' ? -1 : 1);
    return 0;
}

/* The time and zone after "YYYY-MM-DD" and its separator, at s[p..len). */
static int parse_iso_time(const char *s, size_t len, size_t p, struct civil *c,
                          char *why, size_t whylen)
{
    static const char malformed[] = "malformed ISO 8601 date-time";

    if (len - p < 5 || !all_digits(s + p, 2) || s[p + 2] != ':' || !all_digits(s + p + 3, 2))
        return fail(why, whylen, "%s", malformed);
    c->hour = digits(s + p, 2);
    c->minute = digits(s + p + 3, 2);
    p += 5;
    if (p < len && s[p] == ':') {
        if (len - p < 3 || !all_digits(s + p + 1, 2))
            return fail(why, whylen, "%s", malformed);
        c->second = digits(s + p + 1, 2);
        p += 3;
        if (p < len && s[p] == '.') {
            size_t f = ++p;

            while (p < len && is_digit(s[p]))
                p++;
            if (p == f)
                return fail(why, whylen, "%s", malformed);
            c->deci = digits(s + f, 1);
        }
    }
    if (p == len) {
        c->local = true;
        return 0;
    }
    if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == len)
        return 0;
    if (s[p] == '+' || s[p] == '-')
        return parse_offset(s + p, len - p, true, &c->offset, why, whylen);
    return fail(why, whylen, "%s", malformed);
}

/* YYYY-MM-DD('T'|' ')HH:MM[:SS[.f+]][Z|±HH:MM|±HHMM]; the caller saw
 * "dddd-". Without a zone the fields are local. */
static int parse_iso(const char *s, size_t len, struct civil *c, char *why, size_t whylen)
{
    if (len < 10 || !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2))
        return fail(why, whylen, "malformed ISO 8601 date-time");
    c->year = digits(s, 4);
    c->month = digits(s + 5, 2);
    c->day = digits(s + 8, 2);
    if (len == 10)
        return fail(why, whylen, "date without a time of day");
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return fail(why, whylen, "malformed ISO 8601 date-time");
    return parse_iso_time(s, len, 11, c, why, whylen);
}


/* ---- sourceDateFormat: cultures and .NET-style patterns ------------------ */

enum op {
    OP_LIT = 1,                 /* the byte c */
    OP_SPACE,                   /* ' ', U+00A0 or U+202F */
    OP_YEAR, OP_MONTH, OP_DAY, OP_HOUR24, OP_HOUR12, OP_MINUTE, OP_SECOND,
    OP_FRAC,                    /* fraction digits */
    OP_AMPM                     /* tt */
};

/*
 * What Windows PowerShell 5.1 writes for a DateTime: the culture's
 * ShortDatePattern, a space, its LongTimePattern, as .NET Framework on
 * Windows has them. Only cultures whose two patterns we are sure of; any
 * other can be given as a pattern.
 */
static const struct culture {
    const char *name, *pattern;
} cultures[] = {
    { "en-US", "M/d/yyyy h:mm:ss tt" },
    { "en-GB", "dd/MM/yyyy HH:mm:ss" },
    { "en-AU", "d/MM/yyyy h:mm:ss tt" },
    { "de-DE", "dd.MM.yyyy HH:mm:ss" },
    { "de-AT", "dd.MM.yyyy HH:mm:ss" },
    { "de-CH", "dd.MM.yyyy HH:mm:ss" },
    { "fr-FR", "dd/MM/yyyy HH:mm:ss" },
    { "nl-NL", "d-M-yyyy HH:mm:ss" },
    { "pt-BR", "dd/MM/yyyy HH:mm:ss" },
    { "sv-SE", "yyyy-MM-dd HH:mm:ss" },
    { "ja-JP", "yyyy/MM/dd H:mm:ss" },
};

const char *sd_datefmt_cultures(void)
{
    return "en-US, en-GB, en-AU, de-DE, de-AT, de-CH, fr-FR, nl-NL, pt-BR, sv-SE, ja-JP";
}

/* c is one of set's characters (never the NUL that ends set). */
static bool in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* "xx-YY" or "xxx-YYYY": the shape of a culture name. */
static bool culture_shaped(const char *s)
{
    size_t a = 0, b = 0;

    while (is_alpha(s[a]))
        a++;
    if (a < 2 || a > 3 || (s[a] != '-' && s[a] != '_'))
        return false;
    while (is_alpha(s[a + 1 + b]))
        b++;
    return b >= 2 && b <= 4 && s[a + 1 + b] == '\0';
}

static bool same_culture(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (!((*a == '-' || *a == '_') && *b == '-') &&
            strncasecmp(a, b, 1) != 0)
            return false;
    return *a == *b;
}

static int add_op(struct sd_datefmt *f, enum op op, unsigned min, unsigned max, char c,
                  char *err, size_t errlen)
{
    if (f->nops == SD_DATEFMT_OPS_MAX)
        return fail(err, errlen, "pattern has more than %d parts", SD_DATEFMT_OPS_MAX);
    f->ops[f->nops++] = (struct sd_datefmt_op){ (uint8_t)op, (uint8_t)min, (uint8_t)max, c };
    return 0;
}

/* One run of a pattern letter: n copies of letter c at 1-based column col. */
static int add_token(struct sd_datefmt *f, char c, size_t n, size_t col, unsigned *seen,
                     char *err, size_t errlen)
{
    static const struct {
        char c;
        enum op op;
        unsigned short lens;    /* bit n: a run of n letters is allowed */
        const char *hint;       /* for a run of another length */
    } tokens[] = {
        { 'y', OP_YEAR, 1 << 4, "write the year as yyyy" },
        { 'M', OP_MONTH, 3 << 1, "month names are not supported: use M or MM" },
        { 'd', OP_DAY, 3 << 1, "day names are not supported: use d or dd" },
        { 'H', OP_HOUR24, 3 << 1, "use H or HH" },
        { 'h', OP_HOUR12, 3 << 1, "use h or hh" },
        { 'm', OP_MINUTE, 3 << 1, "use m or mm" },
        { 's', OP_SECOND, 3 << 1, "use s or ss" },
        { 'f', OP_FRAC, 0xfe, "at most 7 fraction digits" },
        { 't', OP_AMPM, 1 << 2, "write the AM/PM designator as tt" },
    };
    char run[12] = "";

    memset(run, c, n < 8 ? n : 8);
    if (n > 8)
        strcpy(run + 8, "...");
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        if (tokens[i].c != c)
            continue;
        if (n > 8 || !(tokens[i].lens & (1u << n)))
            return fail(err, errlen, "'%s' at character %zu: %s", run, col, tokens[i].hint);
        if (*seen & (1u << tokens[i].op))
            return fail(err, errlen, "'%s' at character %zu: that field is already in the "
                        "pattern", run, col);
        *seen |= 1u << tokens[i].op;
        if (tokens[i].op == OP_FRAC)
            return add_op(f, OP_FRAC, (unsigned)n, (unsigned)n, c, err, errlen);
        if (tokens[i].op == OP_YEAR)
            return add_op(f, OP_YEAR, 4, 4, c, err, errlen);
        if (tokens[i].op == OP_AMPM)
            return add_op(f, OP_AMPM, 0, 0, c, err, errlen);
        return add_op(f, tokens[i].op, n == 1 ? 1 : 2, 2, c, err, errlen);
    }
    return fail(err, errlen, "'%c' at character %zu is not a pattern letter (use yyyy, M, MM, "
                "d, dd, H, HH, h, hh, m, mm, s, ss, tt, f; quote literal letters)", c, col);
}

static int compile(const char *p, struct sd_datefmt *f, char *err, size_t errlen)
{
    static const struct { enum op op; const char *what; } needed[] = {
        { OP_YEAR, "year (yyyy)" }, { OP_MONTH, "month (M or MM)" },
        { OP_DAY, "day (d or dd)" }, { OP_MINUTE, "minutes (m or mm)" },
    };
    unsigned seen = 0;
    size_t len = strlen(p);

    for (size_t i = 0; i < len;) {
        char c = p[i];

        if (c == '\'' || c == '"') {
            const char *end = memchr(p + i + 1, c, len - i - 1);

            if (!end)
                return fail(err, errlen, "unterminated %c at character %zu", c, i + 1);
            for (const char *q = p + i + 1; q < end; q++)
                if (add_op(f, *q == ' ' ? OP_SPACE : OP_LIT, 0, 0, *q, err, errlen) < 0)
                    return -1;
            i = (size_t)(end - p) + 1;
        } else if (c == '\\') {
            if (i + 1 == len)
                return fail(err, errlen, "'\\' at the end of the pattern");
            if (add_op(f, OP_LIT, 0, 0, p[i + 1], err, errlen) < 0)
                return -1;
            i += 2;
        } else if (is_alpha(c)) {
            size_t n = 1;

            while (p[i + n] == c)
                n++;
            if (add_token(f, c, n, i + 1, &seen, err, errlen) < 0)
                return -1;
            i += n;
        } else {
            if (add_op(f, c == ' ' ? OP_SPACE : OP_LIT, 0, 0, c, err, errlen) < 0)
                return -1;
            i++;
        }
    }
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
        if (!(seen & (1u << needed[i].op)))
            return fail(err, errlen, "the pattern has no %s", needed[i].what);
    if (!(seen & (1u << OP_HOUR24 | 1u << OP_HOUR12)))
        return fail(err, errlen, "the pattern has no hour (H, HH, or h, hh with tt)");
    if ((seen & (1u << OP_HOUR24)) && (seen & (1u << OP_HOUR12)))
        return fail(err, errlen, "the pattern has both a 24-hour (H) and a 12-hour (h) hour");
    if ((seen & (1u << OP_HOUR12)) && !(seen & (1u << OP_AMPM)))
        return fail(err, errlen, "a 12-hour hour (h, hh) needs tt (AM/PM)");
    if ((seen & (1u << OP_AMPM)) && !(seen & (1u << OP_HOUR12)))
        return fail(err, errlen, "tt (AM/PM) needs a 12-hour hour (h or hh), not H");
    if ((seen & (1u << OP_FRAC)) && !(seen & (1u << OP_SECOND)))
        return fail(err, errlen, "fraction digits (f) need seconds (s or ss)");
    return 0;
}

int sd_datefmt_parse(const char *spec, struct sd_datefmt *out, char *err, size_t errlen)
{
    char buf[SD_DATEFMT_SPEC_MAX];
    size_t len;

    memset(out, 0, sizeof(*out));
    if (!spec)
        spec = "";
    while (*spec == ' ' || *spec == '\t')
        spec++;
    len = strlen(spec);
    while (len && (spec[len - 1] == ' ' || spec[len - 1] == '\t' || spec[len - 1] == '\r'))
        len--;
    /* a pattern's literals reach row messages: printable ASCII only */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)spec[i] < 0x20 || (unsigned char)spec[i] > 0x7e) {
            snprintf(err, errlen, "sourceDateFormat: byte %zu is not printable ASCII", i + 1);
            return -1;
        }
    /* the whole value quoted, as a shell user might write it */
    if (len >= 2 && (spec[0] == '"' || spec[0] == '\'') && spec[len - 1] == spec[0] &&
        !memchr(spec + 1, spec[0], len - 2)) {
        spec++;
        len -= 2;
    }
    if (len == 0)
        return fail(err, errlen, "needs iso, a culture (%s) or a pattern such as "
                    "dd.MM.yyyy HH:mm:ss", sd_datefmt_cultures());
    if (len >= sizeof(buf))
        return fail(err, errlen, "pattern longer than %d characters", SD_DATEFMT_SPEC_MAX - 1);
    memcpy(buf, spec, len);
    buf[len] = '\0';
    if (strcasecmp(buf, "iso") == 0)
        return 0;
    for (size_t i = 0; i < sizeof(cultures) / sizeof(cultures[0]); i++) {
        if (same_culture(buf, cultures[i].name)) {
            out->kind = SD_DATEFMT_PATTERN;
            snprintf(out->culture, sizeof(out->culture), "%s", cultures[i].name);
            snprintf(out->pattern, sizeof(out->pattern), "%s", cultures[i].pattern);
            return compile(out->pattern, out, err, errlen);
        }
    }
    out->kind = SD_DATEFMT_PATTERN;
    snprintf(out->pattern, sizeof(out->pattern), "%s", buf);
    if (compile(buf, out, err, errlen) < 0) {
        bool culture = culture_shaped(buf);

        memset(out, 0, sizeof(*out));
        if (culture)
            return fail(err, errlen, "unknown culture '%s' (known: %s; or give its pattern, "
                        "ShortDatePattern + ' ' + LongTimePattern, e.g. dd.MM.yyyy HH:mm:ss)",
                        buf, sd_datefmt_cultures());
        return -1;
    }
    return 0;
}

/* Digits for op at s[*p..len): at least op->min, at most op->max. */
static int match_digits(const struct sd_datefmt_op *op, const char *s, size_t len, size_t *p,
                        unsigned *v, unsigned *first)
{
    size_t n = 0;

    *v = 0;
    while (n < op->max && *p + n < len && is_digit(s[*p + n])) {
        if (n == 0)
            *first = (unsigned)(s[*p] - '0');
        if (n < 9)
            *v = *v * 10 + (unsigned)(s[*p + n] - '0');
        n++;
    }
    if (n < op->min)
        return -1;
    *p += n;
    return 0;
}

/* A space in the pattern: ' ', or the no-break spaces newer culture data
 * puts before AM/PM (U+00A0, U+202F in UTF-8). */
static size_t match_space(const char *s, size_t len, size_t p)
{
    if (p < len && s[p] == ' ')
        return 1;
    if (len - p >= 2 && (unsigned char)s[p] == 0xc2 && (unsigned char)s[p + 1] == 0xa0)
        return 2;
    if (len - p >= 3 && (unsigned char)s[p] == 0xe2 && (unsigned char)s[p + 1] == 0x80 &&
        (unsigned char)s[p + 2] == 0xaf)
        return 3;
    return 0;
}

static int mismatch(const struct sd_datefmt *f, char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int mismatch(const struct sd_datefmt *f, char *why, size_t whylen, const char *fmt, ...)
{
    char detail[96];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (f->culture[0])
        return fail(why, whylen, "not in sourceDateFormat %s (%s): %s", f->culture, f->pattern,
                    detail);
    return fail(why, whylen, "not in sourceDateFormat %s: %s", f->pattern, detail);
}

/* s[0..len) in pattern f → local fields. */
static int parse_pattern(const struct sd_datefmt *f, const char *s, size_t len, struct civil *c,
                         char *why, size_t whylen)
{
    int pm = -1;                /* tt: 0 AM, 1 PM */
    unsigned h12 = 0;
    size_t p = 0;

    memset(c, 0, sizeof(*c));
    c->local = true;
    for (unsigned i = 0; i < f->nops; i++) {
        const struct sd_datefmt_op *op = &f->ops[i];
        unsigned v = 0, first = 0;
        size_t n;

        switch (op->op) {
        case OP_LIT:
            if (p >= len || s[p] != op->c)
                return mismatch(f, why, whylen, "expected '%c' at character %zu", op->c, p + 1);
            p++;
            break;
        case OP_SPACE:
            if (!(n = match_space(s, len, p)))
                return mismatch(f, why, whylen, "expected a space at character %zu", p + 1);
            p += n;
            break;
        case OP_AMPM:
            if (len - p < 2 || !in_set(s[p], "AaPp") || !in_set(s[p + 1], "Mm"))
                return mismatch(f, why, whylen, "expected AM or PM at character %zu", p + 1);
            pm = s[p] == 'P' || s[p] == 'p';
            p += 2;
            break;
        default:
            if (match_digits(op, s, len, &p, &v, &first) < 0) {
                char tok[8] = "";

                memset(tok, op->c, op->min < 7 ? op->min : 7);
                if (op->min == op->max)
                    return mismatch(f, why, whylen, "expected %u digits (%s) at character %zu",
                                    op->min, tok, p + 1);
                return mismatch(f, why, whylen, "expected a number (%c) at character %zu", op->c,
                                p + 1);
            }
            switch (op->op) {
            case OP_YEAR: c->year = v; break;
            case OP_MONTH: c->month = v; break;
            case OP_DAY: c->day = v; break;
            case OP_HOUR24: c->hour = v; break;
            case OP_HOUR12: h12 = v; break;
            case OP_MINUTE: c->minute = v; break;
            case OP_SECOND: c->second = v; break;
            case OP_FRAC: c->deci = first; break;
            }
        }
    }
    if (p != len)
        return mismatch(f, why, whylen, "unexpected text at character %zu", p + 1);
    if (pm >= 0) {
        if (h12 < 1 || h12 > 12)
            return fail(why, whylen, "hour %u out of range for a 12-hour clock", h12);
        c->hour = h12 % 12 + (pm ? 12 : 0);    /* 12 AM is 0, 12 PM is 12 */
    }
    return 0;
}

/* What the text looks like when it is in no form we were told to read:
 * day/month/year and a time, as Export-Csv writes them in some culture.
 * Returns a culture to suggest, or NULL. */
static const char *culture_hint(const char *s, size_t len)
{
    size_t p = 0, n[3];
    char sep = 0;
    bool ampm;

    for (int i = 0; i < 3; i++) {
        n[i] = 0;
        while (p < len && is_digit(s[p]) && n[i] < 4) {
            p++;
            n[i]++;
        }
        if (n[i] == 0 || (i < 2 && (p >= len || !in_set(s[p], "./-"))))
            return NULL;
        if (i < 2) {
            if (sep && s[p] != sep)
                return NULL;
            sep = s[p++];
        }
    }
    if (!(p + 2 < len && s[p] == ' ' && is_digit(s[p + 1]) && memchr(s + p, ':', len - p)))
        return NULL;
    ampm = in_set(s[len - 1], "Mm") && in_set(s[len - 2], "AaPp");
    if (ampm)
        return n[0] == 4 ? NULL : "en-US";
    if (sep == '.')
        return "de-DE";
    if (sep == '-')
        return n[0] == 4 ? NULL : "nl-NL";
    return n[0] == 4 ? "ja-JP" : "en-GB";
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && memcmp(s, prefix, n) == 0;
}

int sd_datetime_parse_opts(const char *s, size_t len, const struct sd_dateopts *o,
                           uint8_t out[SD_DATEANDTIME_LEN], char *why, size_t whylen)
{
    const struct sd_datefmt *f = o && o->fmt.kind == SD_DATEFMT_PATTERN ? &o->fmt : NULL;
    bool iso = len >= 5 && all_digits(s, 4) && s[4] == '-';
    struct civil c = { 0 };
    const char *hint;

    if (len == 0)
        return fail(why, whylen, "empty");
    if (has_prefix(s, len, "/Date(") || has_prefix(s, len, "\\/Date("))
        return parse_msdate(s, len, out, why, whylen);
    /* The configured pattern first; text in DMTF or ISO shape that it
     * does not match is read as such, and gets that form's reason. */
    if (f && parse_pattern(f, s, len, &c, why, whylen) == 0)
        return finish(&c, o, out, why, whylen);
    memset(&c, 0, sizeof(c));
    if (len == 25 && s[14] == '.')
        return parse_dmtf(s, &c, why, whylen) < 0 ? -1 : finish(&c, o, out, why, whylen);
    if (f && !iso)
        return -1;              /* why says where the pattern failed */
    if (iso)
        return parse_iso(s, len, &c, why, whylen) < 0 ? -1 : finish(&c, o, out, why, whylen);
    if ((hint = culture_hint(s, len)) != NULL) {
        if (o && o->tz)
            return fail(why, whylen, "looks like a culture-dependent local date: set "
                        "sourceDateFormat (e.g. %s)", hint);
        return fail(why, whylen, "looks like a culture-dependent local date: set "
                    "sourceDateFormat (e.g. %s) and sourceTimeZone", hint);
    }
    return fail(why, whylen, "%s", not_a_date);
}

int sd_datetime_parse(const char *s, size_t len, uint8_t out[SD_DATEANDTIME_LEN],
                      char *why, size_t whylen)
{
    return sd_datetime_parse_opts(s, len, NULL, out, why, whylen);
}
