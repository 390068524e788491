/*
 * test_datetime: LastUpdateDate forms to DateAndTime (src/datetime.c).
 *
 * Every accepted form with exact octets, offsets that cross day, month and
 * year boundaries, leap days and leap seconds, every rejection with its
 * reason, and a sweep over the whole supported range against gmtime_r() as
 * an independent oracle.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "datetime.h"

/* A UTC DateAndTime as datetime.c writes it. */
#define DT(y, mo, d, h, mi, s, ds) \
    ((const uint8_t[SD_DATEANDTIME_LEN]){ (y) >> 8, (y) & 0xff, mo, d, h, mi, s, ds, '+', 0, 0 })

static void check_ok(const char *s, const uint8_t want[SD_DATEANDTIME_LEN])
{
    uint8_t out[SD_DATEANDTIME_LEN];
    char why[128] = "";
    int rc = sd_datetime_parse(s, strlen(s), out, why, sizeof(why));

    if (rc != 0)
        print_error("\"%s\" refused: %s\n", s, why);
    assert_int_equal(rc, 0);
    assert_memory_equal(out, want, SD_DATEANDTIME_LEN);
}

static void check_bad_n(const char *s, size_t len, const char *reason)
{
    uint8_t out[SD_DATEANDTIME_LEN];
    char why[128] = "";

    assert_int_equal(sd_datetime_parse(s, len, out, why, sizeof(why)), -1);
    assert_string_equal(why, reason);
}

static void check_bad(const char *s, const char *reason)
{
    check_bad_n(s, strlen(s), reason);
}

static void test_iso_forms(void **state)
{
    (void)state;
    check_ok("2026-11-20T08:15:00Z", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("2026-11-20 08:15:00Z", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("2026-11-20t08:15:00z", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("2026-11-20T08:15Z", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("2024-08-30T20:55:06Z", DT(2024, 8, 30, 20, 55, 6, 0));
    /* PowerShell 7's round-trip form: seven fraction digits, an offset */
    check_ok("2021-05-18T18:12:29.4340724+01:00", DT(2021, 5, 18, 17, 12, 29, 4));
    check_ok("2026-11-20T08:15:00.5Z", DT(2026, 11, 20, 8, 15, 0, 5));
    /* deci-seconds are truncated, never rounded up into the next second */
    check_ok("2026-11-20T08:15:59.99999999999999999999Z", DT(2026, 11, 20, 8, 15, 59, 9));
    check_ok("2026-11-20T08:15:00.0000000Z", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("2026-11-20T08:15:00-0530", DT(2026, 11, 20, 13, 45, 0, 0));
    check_ok("2026-11-20T08:15:00+0000", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("2026-11-20T08:15:00-00:00", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("2026-11-20T14:00+05:45", DT(2026, 11, 20, 8, 15, 0, 0));
}

static void test_iso_offsets_cross_boundaries(void **state)
{
    (void)state;
    check_ok("2026-11-20T23:30:00-01:00", DT(2026, 11, 21, 0, 30, 0, 0));   /* next day */
    check_ok("2026-11-20T00:10:00+00:20", DT(2026, 11, 19, 23, 50, 0, 0));  /* previous day */
    check_ok("2026-12-01T00:30:00+01:00", DT(2026, 11, 30, 23, 30, 0, 0));  /* previous month */
    check_ok("2026-04-30T22:00:00-02:30", DT(2026, 5, 1, 0, 30, 0, 0));     /* next month */
    check_ok("2027-01-01T00:15:00+00:30", DT(2026, 12, 31, 23, 45, 0, 0));  /* previous year */
    check_ok("2026-12-31T23:30:00-05:00", DT(2027, 1, 1, 4, 30, 0, 0));     /* next year */
    check_ok("2026-01-01T09:00:00+23:59", DT(2025, 12, 31, 9, 1, 0, 0));    /* widest offset */
    check_ok("2026-11-20T08:15:42.7+01:00", DT(2026, 11, 20, 7, 15, 42, 7)); /* s, ds kept */
}

static void test_leap_days_and_seconds(void **state)
{
    (void)state;
    check_ok("2024-02-29T12:00:00Z", DT(2024, 2, 29, 12, 0, 0, 0));
    check_ok("2000-02-29T12:00:00Z", DT(2000, 2, 29, 12, 0, 0, 0));       /* divisible by 400 */
    check_ok("2024-03-01T00:30:00+01:00", DT(2024, 2, 29, 23, 30, 0, 0));  /* into a leap day */
    check_ok("2024-02-28T23:30:00-01:00", DT(2024, 2, 29, 0, 30, 0, 0));
    check_ok("2025-03-01T00:30:00+01:00", DT(2025, 2, 28, 23, 30, 0, 0));  /* no leap day */
    check_ok("2100-03-01T00:30:00+01:00", DT(2100, 2, 28, 23, 30, 0, 0));  /* century, no leap */
    check_ok("2016-12-31T23:59:60Z", DT(2016, 12, 31, 23, 59, 60, 0));    /* leap second */
    check_ok("2017-01-01T00:59:60+01:00", DT(2016, 12, 31, 23, 59, 60, 0));
    check_bad("2025-02-29T12:00:00Z", "day 29 out of range (2025-02 has 28 days)");
    check_bad("1900-02-29T12:00:00Z", "day 29 out of range (1900-02 has 28 days)");
    check_bad("2024-02-30T12:00:00Z", "day 30 out of range (2024-02 has 29 days)");
}

static void test_dmtf_forms(void **state)
{
    (void)state;
    check_ok("20261120081500.000000+000", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("20261120091500.123***+060", DT(2026, 11, 20, 8, 15, 0, 1));
    check_ok("20261120081500.******+000", DT(2026, 11, 20, 8, 15, 0, 0));
    check_ok("20261120081500.9*****-300", DT(2026, 11, 20, 13, 15, 0, 9));
    check_ok("20261231233000.000000-060", DT(2027, 1, 1, 0, 30, 0, 0));
    check_ok("20260101001500.000000+060", DT(2025, 12, 31, 23, 15, 0, 0));
    check_ok("20240229235959.999999+000", DT(2024, 2, 29, 23, 59, 59, 9));
    check_ok("20261120081500.000000+999", DT(2026, 11, 19, 15, 36, 0, 0));
}

static void test_dmtf_rejections(void **state)
{
    (void)state;
    check_bad("00000001132312.000000:000", "a DMTF interval, not a date");
    check_bad("2026****081500.000000+000", "'*' outside the fraction of a DMTF datetime");
    check_bad("**************.******+***", "'*' outside the fraction of a DMTF datetime");
    check_bad("20261120081500.000000+***", "no UTC offset (local time): set sourceTimeZone");
    check_bad("20261120081500.000000+0*0", "malformed DMTF datetime");
    check_bad("2026112008150x.000000+000", "malformed DMTF datetime");
    check_bad("20261120081500.00000x+000", "malformed DMTF datetime");
    check_bad("20261120081500.000000 000", "malformed DMTF datetime");
    check_bad("20261320081500.000000+000", "month 13 out of range");
    check_bad("20261131081500.000000+000", "day 31 out of range (2026-11 has 30 days)");
    check_bad("20261120241500.000000+000", "hour 24 out of range");
    check_bad("16010101000000.000000+001", "year 1600 out of range (1601..9999)");
    /* wrong length: not recognisably DMTF */
    check_bad("20261120081500.000000+00", "not a date in ISO 8601, DMTF or /Date(ms)/ form");
}

static void test_msdate_forms(void **state)
{
    (void)state;
    check_ok("/Date(1574202819000)/", DT(2019, 11, 19, 22, 33, 39, 0));
    check_ok("\\/Date(1574202819000)\\/", DT(2019, 11, 19, 22, 33, 39, 0));
    check_ok("/Date(+1574202819000)/", DT(2019, 11, 19, 22, 33, 39, 0));
    /* the zone suffix says where the writer was, not when */
    check_ok("/Date(1795162500750+0100)/", DT(2026, 11, 20, 8, 15, 0, 7));
    check_ok("\\/Date(1709251199999-0500)\\/", DT(2024, 2, 29, 23, 59, 59, 9));
    check_ok("/Date(-100)/", DT(1969, 12, 31, 23, 59, 59, 9));
    check_ok("/Date(0)/", DT(1970, 1, 1, 0, 0, 0, 0));
    check_ok("/Date(-11644473600000)/", DT(1601, 1, 1, 0, 0, 0, 0));
    check_ok("/Date(253402300799999)/", DT(9999, 12, 31, 23, 59, 59, 9));
}

static void test_msdate_rejections(void **state)
{
    (void)state;
    check_bad("/Date(-11644473600001)/", "year 1600 out of range (1601..9999)");
    check_bad("/Date(253402300800000)/", "year 10000 out of range (1601..9999)");
    check_bad("/Date(1234567890123456789)/", "/Date(ms)/ value out of range");
    check_bad("/Date(0+2500)/", "UTC offset hour 25 out of range");
    check_bad("/Date(0+0160)/", "UTC offset minute 60 out of range");
    check_bad("/Date()/", "malformed /Date(ms)/");
    check_bad("/Date(abc)/", "malformed /Date(ms)/");
    check_bad("/Date(-)/", "malformed /Date(ms)/");
    check_bad("/Date(1574202819000)", "malformed /Date(ms)/");
    check_bad("/Date(1574202819000+01)/", "malformed /Date(ms)/");
    check_bad("/Date(1574202819000)/ ", "malformed /Date(ms)/");
    check_bad("\\/Date(1574202819000)/", "malformed /Date(ms)/");
    check_bad("/date(1574202819000)/", "not a date in ISO 8601, DMTF or /Date(ms)/ form");
}

static void test_iso_rejections(void **state)
{
    (void)state;
    /* culture text: the message names the directives that read it */
    check_bad("11/20/2026 8:15 AM", "looks like a culture-dependent local date: set "
              "sourceDateFormat (e.g. en-US) and sourceTimeZone");
    check_bad("20.11.2026 08:15:00", "looks like a culture-dependent local date: set "
              "sourceDateFormat (e.g. de-DE) and sourceTimeZone");
    check_bad("Friday, November 20, 2026 8:15:00 AM",
              "not a date in ISO 8601, DMTF or /Date(ms)/ form");
    check_bad(" 2026-11-20T08:15:00Z", "not a date in ISO 8601, DMTF or /Date(ms)/ form");
    check_bad("", "empty");
    check_bad("2026-11-20T08:15:00", "no UTC offset (local time): set sourceTimeZone");
    check_bad("2026-11-20 08:15", "no UTC offset (local time): set sourceTimeZone");
    check_bad("2021-05-18T18:12:29.4340724", "no UTC offset (local time): set sourceTimeZone");
    /* the fields are checked before the missing offset is reported */
    check_bad("2026-11-31T08:15:00", "day 31 out of range (2026-11 has 30 days)");
    check_bad("2026-11-20", "date without a time of day");
    check_bad("2026-13-01T00:00:00Z", "month 13 out of range");
    check_bad("2026-00-01T00:00:00Z", "month 0 out of range");
    check_bad("2026-04-31T00:00:00Z", "day 31 out of range (2026-04 has 30 days)");
    check_bad("2026-11-00T00:00:00Z", "day 0 out of range (2026-11 has 30 days)");
    check_bad("2026-11-20T24:00:00Z", "hour 24 out of range");
    check_bad("2026-11-20T08:60:00Z", "minute 60 out of range");
    check_bad("2026-11-20T08:15:61Z", "second 61 out of range");
    check_bad("2026-11-20T08:15:00+24:00", "UTC offset hour 24 out of range");
    check_bad("2026-11-20T08:15:00+01:60", "UTC offset minute 60 out of range");
    check_bad("2026-11-20T08:15:00+01", "malformed UTC offset");
    check_bad("2026-11-20T08:15:00+1:00", "malformed UTC offset");
    check_bad("2026-11-20T08:15:00+01:00:00", "malformed UTC offset");
    check_bad("2026-11-20T8:15:00Z", "malformed ISO 8601 date-time");
    check_bad("2026-11-20T08:15:00.Z", "malformed ISO 8601 date-time");
    check_bad("2026-11-20T08:15:00Z ", "malformed ISO 8601 date-time");
    check_bad("2026-11-20T08:15:00ZZ", "malformed ISO 8601 date-time");
    check_bad("2026-11-20T08:15:00 +01:00", "malformed ISO 8601 date-time");
    check_bad("2026-11-20X08:15:00Z", "malformed ISO 8601 date-time");
    check_bad("2026-1-20T08:15:00Z", "malformed ISO 8601 date-time");
    check_bad_n("2026-11-20T08:15:00\0Z", 21, "malformed ISO 8601 date-time");
}

static void test_year_range(void **state)
{
    (void)state;
    check_ok("1601-01-01T00:00:00Z", DT(1601, 1, 1, 0, 0, 0, 0));
    check_ok("9999-12-31T23:59:59Z", DT(9999, 12, 31, 23, 59, 59, 0));
    check_ok("1600-12-31T23:30:00-01:00", DT(1601, 1, 1, 0, 30, 0, 0));
    check_bad("1600-12-31T23:59:59Z", "year 1600 out of range (1601..9999)");
    check_bad("1601-01-01T00:30:00+01:00", "year 1600 out of range (1601..9999)");
    check_bad("9999-12-31T23:30:00-01:00", "year 10000 out of range (1601..9999)");
    check_bad("0000-01-01T00:00:00Z", "year 0 out of range (1601..9999)");
}

static void test_reason_buffer_is_bounded(void **state)
{
    uint8_t out[SD_DATEANDTIME_LEN];
    char why[8];

    (void)state;
    memset(why, 'x', sizeof(why));
    assert_int_equal(sd_datetime_parse("2026-13-01T00:00Z", 17, out, why, sizeof(why)), -1);
    assert_string_equal(why, "month 1");
    /* no buffer at all is allowed */
    assert_int_equal(sd_datetime_parse("nonsense", 8, out, NULL, 0), -1);
}

static void test_from_epoch_ms(void **state)
{
    uint8_t out[SD_DATEANDTIME_LEN];

    (void)state;
    assert_int_equal(sd_datetime_from_epoch_ms(0, out), 0);
    assert_memory_equal(out, DT(1970, 1, 1, 0, 0, 0, 0), SD_DATEANDTIME_LEN);
    assert_int_equal(sd_datetime_from_epoch_ms(1795162500750, out), 0);
    assert_memory_equal(out, DT(2026, 11, 20, 8, 15, 0, 7), SD_DATEANDTIME_LEN);
    assert_int_equal(sd_datetime_from_epoch_ms(-1, out), 0);
    assert_memory_equal(out, DT(1969, 12, 31, 23, 59, 59, 9), SD_DATEANDTIME_LEN);
    assert_int_equal(sd_datetime_from_epoch_ms(-11644473600000, out), 0);
    assert_memory_equal(out, DT(1601, 1, 1, 0, 0, 0, 0), SD_DATEANDTIME_LEN);
    assert_int_equal(sd_datetime_from_epoch_ms(-11644473600001, out), -1);
    assert_int_equal(sd_datetime_from_epoch_ms(253402300800000, out), -1);
    assert_int_equal(sd_datetime_from_epoch_ms(INT64_MIN, out), -1);
    assert_int_equal(sd_datetime_from_epoch_ms(INT64_MAX, out), -1);
}

static void tm_octets(time_t t, unsigned deci, uint8_t want[SD_DATEANDTIME_LEN])
{
    struct tm tm;
    int y;

    assert_non_null(gmtime_r(&t, &tm));
    y = tm.tm_year + 1900;
    memcpy(want, DT(y, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, deci),
           SD_DATEANDTIME_LEN);
}

/* The calendar arithmetic against the C library's, over the whole range:
 * /Date(ms)/ directly, and ISO 8601 written in a zone east or west of UTC
 * (local fields from gmtime_r of the shifted instant), so every offset
 * carry meets month ends, leap days and century years. */
static void test_sweep_against_gmtime(void **state)
{
    const int64_t first = -11644473600LL + 86400, last = 253402300799LL - 86400;
    unsigned n = 0;

    (void)state;
    for (int64_t t = first; t < last; t += 86400LL * 37 + 3671, n++) {
        int off = (int)(n % 1439) - 719;     /* -11:59 .. +11:59, in minutes */
        uint8_t want[SD_DATEANDTIME_LEN], out[SD_DATEANDTIME_LEN];
        char iso[64], why[128];
        time_t local = (time_t)(t + off * 60);
        struct tm tm;

        tm_octets((time_t)t, (unsigned)(n % 10), want);
        assert_int_equal(sd_datetime_from_epoch_ms(t * 1000 + (n % 10) * 100 + 42, out), 0);
        assert_memory_equal(out, want, SD_DATEANDTIME_LEN);

        assert_non_null(gmtime_r(&local, &tm));
        snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d.%u42%c%02d:%02d",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, n % 10, off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
                 (off < 0 ? -off : off) % 60);
        if (sd_datetime_parse(iso, strlen(iso), out, why, sizeof(why)) != 0)
            fail_msg("%s: %s", iso, why);
        assert_memory_equal(out, want, SD_DATEANDTIME_LEN);
    }
    assert_true(n > 50000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_forms),
        cmocka_unit_test(test_iso_offsets_cross_boundaries),
        cmocka_unit_test(test_leap_days_and_seconds),
        cmocka_unit_test(test_dmtf_forms),
        cmocka_unit_test(test_dmtf_rejections),
        cmocka_unit_test(test_msdate_forms),
        cmocka_unit_test(test_msdate_rejections),
        cmocka_unit_test(test_iso_rejections),
        cmocka_unit_test(test_year_range),
        cmocka_unit_test(test_reason_buffer_is_bounded),
        cmocka_unit_test(test_from_epoch_ms),
        cmocka_unit_test(test_sweep_against_gmtime),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
