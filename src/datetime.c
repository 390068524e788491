/*
 * datetime: LastUpdateDate parsing, see datetime.h.
 *
 * Owns the three accepted forms (ISO 8601 with an offset, DMTF CIM datetime,
 * /Date(ms)/) and the civil-calendar arithmetic that brings them to UTC.
 * The arithmetic is done here, on integers, rather than with timegm/mktime:
 * those depend on the process's TZ and locale, and the loader thread must
 * give the same answer whatever the host is configured for.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "datetime.h"

#define YEAR_MIN 1601           /* FILETIME's epoch: WMI has nothing older */
#define YEAR_MAX 9999           /* four digits, as DMTF and ISO 8601 write them */
#define MS_DIGITS_MAX 18        /* fits int64_t; far beyond YEAR_MAX anyway */

static const char not_a_date[] = "not a date in ISO 8601, DMTF or /Date(ms)/ form";

/* A broken-down time as written, plus its offset east of UTC in minutes. */
struct civil {
    int64_t year;
    unsigned month, day, hour, minute, second, deci;
    int offset;
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
static int parse_dmtf(const char *s, uint8_t out[SD_DATEANDTIME_LEN], char *why, size_t whylen)
{
    struct civil c = { 0 };

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
    if (memcmp(s + 22, "***", 3) == 0)
        return fail(why, whylen, "no UTC offset (ambiguous local time)");
    if (!all_digits(s + 22, 3))
        return fail(why, whylen, "malformed DMTF datetime");
    c.year = digits(s, 4);
    c.month = digits(s + 4, 2);
    c.day = digits(s + 6, 2);
    c.hour = digits(s + 8, 2);
    c.minute = digits(s + 10, 2);
    c.second = digits(s + 12, 2);
    c.deci = s[15] == '*' ? 0 : digits(s + 15, 1);
    c.offset = (int)digits(s + 22, 3) * (s[21] == '-' ? -1 : 1);
    return to_utc(&c, out, why, whylen);
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
    if (p == len)
        return fail(why, whylen, "no UTC offset (ambiguous local time)");
    if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == len)
        return 0;
    if (s[p] == '+' || s[p] == '-')
        return parse_offset(s + p, len - p, true, &c->offset, why, whylen);
    return fail(why, whylen, "%s", malformed);
}

/* YYYY-MM-DD('T'|' ')HH:MM[:SS[.f+]](Z|±HH:MM|±HHMM); the caller saw "dddd-". */
static int parse_iso(const char *s, size_t len, uint8_t out[SD_DATEANDTIME_LEN],
                     char *why, size_t whylen)
{
    struct civil c = { 0 };

    if (len < 10 || !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2))
        return fail(why, whylen, "malformed ISO 8601 date-time");
    c.year = digits(s, 4);
    c.month = digits(s + 5, 2);
    c.day = digits(s + 8, 2);
    if (len == 10)
        return fail(why, whylen, "date without a time of day");
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return fail(why, whylen, "malformed ISO 8601 date-time");
    if (parse_iso_time(s, len, 11, &c, why, whylen) < 0)
        return -1;
    return to_utc(&c, out, why, whylen);
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && memcmp(s, prefix, n) == 0;
}

int sd_datetime_parse(const char *s, size_t len, uint8_t out[SD_DATEANDTIME_LEN],
                      char *why, size_t whylen)
{
    if (len == 0)
        return fail(why, whylen, "empty");
    if (has_prefix(s, len, "/Date(") || has_prefix(s, len, "\\/Date("))
        return parse_msdate(s, len, out, why, whylen);
    if (len == 25 && s[14] == '.')
        return parse_dmtf(s, out, why, whylen);
    if (len >= 5 && all_digits(s, 4) && s[4] == '-')
        return parse_iso(s, len, out, why, whylen);
    return fail(why, whylen, "%s", not_a_date);
}
