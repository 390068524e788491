/*
 * test_tz: local dates as Windows writes them (src/tz.c, the option-taking
 * half of src/datetime.c): sourceTimeZone and sourceDateFormat.
 *
 * Zone tables of both hemispheres, a half-hour zone and UTC, exact to the
 * second at each 2026 change; local time to UTC on both sides of every
 * change, the repeated autumn hour (standard time, the later instant) and
 * the skipped spring hour (refused, naming the zone); each culture's
 * Export-Csv form with its edge cases (12 AM, 12 PM, single digits);
 * custom patterns and the bad ones; zone names that are not zones; the
 * messages rows get without the directives; the Windows sample exports
 * decoded end to end; and a sweep comparing every hour of 1970..2100 with
 * glibc's localtime_r in this (single-threaded) process.
 *
 * Expected instants were worked out by hand from the zones' rules (EU: last
 * Sunday of March/October at 01:00 UTC; US: second Sunday of March, first
 * of November at 02:00 local; Sydney: first Sunday of April/October at
 * 03:00/02:00 local) and checked with e.g.
 * `TZ=Europe/Berlin date -d '2026-03-29 03:00:00' +%s` -> 1774746000.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "datetime.h"
#include "decode.h"
#include "fixture.h"
#include "tz.h"

/* ---- helpers -------------------------------------------------------------- */

/* tzdata is a run-time dependency (Debian: tzdata; minimal systems may
 * lack it): without it the tests that need a real zone are skipped, not
 * failed. */
static void need_tzdata(void)
{
    if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0) {
        print_message("no tzdata in /usr/share/zoneinfo (Debian: apt-get install tzdata)\n");
        skip();
    }
}

static struct sd_tz *zone(const char *name)
{
    struct sd_tz *tz = NULL;
    char err[400] = "";

    if (strcmp(name, "UTC") != 0)
        need_tzdata();
    if (sd_tz_load(name, &tz, err, sizeof(err)) != 0)
        fail_msg("sd_tz_load(%s): %s", name, err);
    assert_non_null(tz);
    assert_string_equal(sd_tz_name(tz), name);
    return tz;
}

static void zone_bad(const char *name, const char *reason)
{
    struct sd_tz *tz = (struct sd_tz *)&tz;     /* must come back NULL */
    char err[400] = "";

    assert_int_equal(sd_tz_load(name, &tz, err, sizeof(err)), -1);
    assert_null(tz);
    assert_string_equal(err, reason);
}

static struct sd_dateopts opts(struct sd_tz *tz, const char *fmt)
{
    struct sd_dateopts o = { .tz = tz };
    char err[400] = "";

    if (fmt && sd_datefmt_parse(fmt, &o.fmt, err, sizeof(err)) != 0)
        fail_msg("sd_datefmt_parse(%s): %s", fmt, err);
    return o;
}

static void ok(const struct sd_dateopts *o, const char *s, const uint8_t want[SD_DATEANDTIME_LEN])
{
    uint8_t out[SD_DATEANDTIME_LEN];
    char why[256] = "";

    if (sd_datetime_parse_opts(s, strlen(s), o, out, why, sizeof(why)) != 0)
        fail_msg("\"%s\" refused: %s", s, why);
    if (memcmp(out, want, SD_DATEANDTIME_LEN) != 0)
        fail_msg("\"%s\": got %d-%02d-%02dT%02d:%02d:%02d.%d, want %d-%02d-%02dT%02d:%02d:%02d.%d",
                 s, out[0] << 8 | out[1], out[2], out[3], out[4], out[5], out[6], out[7],
                 want[0] << 8 | want[1], want[2], want[3], want[4], want[5], want[6], want[7]);
}

static void bad(const struct sd_dateopts *o, const char *s, const char *reason)
{
    uint8_t out[SD_DATEANDTIME_LEN];
    char why[256] = "";

    assert_int_equal(sd_datetime_parse_opts(s, strlen(s), o, out, why, sizeof(why)), -1);
    assert_string_equal(why, reason);
}

static void fmt_bad(const char *spec, const char *reason)
{
    struct sd_datefmt f;
    char err[400] = "";

    assert_int_equal(sd_datefmt_parse(spec, &f, err, sizeof(err)), -1);
    assert_string_equal(err, reason);
    assert_int_equal(f.kind, SD_DATEFMT_ISO);   /* nothing half-parsed left behind */
}

/* Local wall-clock seconds of a civil date (the same arithmetic as
 * datetime.c, done here with timegm, which ignores TZ). */
static int64_t wall(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                     .tm_hour = h, .tm_min = mi, .tm_sec = s };

    return (int64_t)timegm(&tm);
}

/* ---- zone tables ------------------------------------------------------------ */

static void test_tables_exact_to_the_second(void **state)
{
    static const struct {
        const char *zone;
        int64_t at;             /* first second of the new offset */
        int32_t before, after;
    } changes[] = {
        { "Europe/Berlin", 1774746000, 3600, 7200 },           /* 2026-03-29T01:00:00Z */
        { "Europe/Berlin", 1792890000, 7200, 3600 },           /* 2026-10-25T01:00:00Z */
        { "America/New_York", 1772953200, -18000, -14400 },    /* 2026-03-08T07:00:00Z */
        { "America/New_York", 1793512800, -14400, -18000 },    /* 2026-11-01T06:00:00Z */
        { "Australia/Sydney", 1775318400, 39600, 36000 },      /* 2026-04-04T16:00:00Z */
        { "Australia/Sydney", 1791043200, 36000, 39600 },      /* 2026-10-03T16:00:00Z */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
        struct sd_tz *tz = zone(changes[i].zone);

        assert_int_equal(sd_tz_offset_at(tz, changes[i].at - 1), changes[i].before);
        assert_int_equal(sd_tz_offset_at(tz, changes[i].at), changes[i].after);
        /* two changes a year for 1970..2100, give or take the years
         * without DST (Berlin 1970-79, Sydney 1970) */
        assert_true(sd_tz_transitions(tz) >= 200 && sd_tz_transitions(tz) <= 270);
        sd_tz_free(tz);
    }
}

static void test_tables_fixed_zones_and_range_ends(void **state)
{
    struct sd_tz *kolkata = zone("Asia/Kolkata"), *utc = zone("UTC"), *etc = zone("Etc/UTC");
    struct sd_tz *berlin = zone("Europe/Berlin"), *sydney = zone("Australia/Sydney");

    (void)state;
    /* +05:30 since 1945: no change in the table at all */
    assert_int_equal(sd_tz_transitions(kolkata), 0);
    assert_int_equal(sd_tz_offset_at(kolkata, 1786476037), 19800);
    assert_int_equal(sd_tz_transitions(utc), 0);
    assert_int_equal(sd_tz_offset_at(utc, 1786476037), 0);
    assert_int_equal(sd_tz_transitions(etc), 0);
    assert_int_equal(sd_tz_offset_at(etc, 0), 0);
    /* before 1970 the first offset, after 2100 the last (CET; AEDT, as
     * 2101-01-01 is summer in Sydney) */
    assert_int_equal(sd_tz_offset_at(berlin, -1000000000), 3600);
    assert_int_equal(sd_tz_offset_at(berlin, INT64_MIN), 3600);
    assert_int_equal(sd_tz_offset_at(berlin, 5000000000), 3600);
    assert_int_equal(sd_tz_offset_at(sydney, 5000000000), 39600);
    assert_int_equal(sd_tz_offset_at(sydney, INT64_MAX), 39600);
    sd_tz_free(kolkata);
    sd_tz_free(utc);
    sd_tz_free(etc);
    sd_tz_free(berlin);
    sd_tz_free(sydney);
}

static void test_local_to_utc_at_the_changes(void **state)
{
    struct sd_tz *tz = zone("Europe/Berlin");
    int64_t utc = 42;

    (void)state;
    /* spring: 02:00..02:59:59 never shown */
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 3, 29, 1, 59, 59), &utc), SD_TZ_UNIQUE);
    assert_int_equal(utc, 1774745999);
    utc = 42;
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 3, 29, 2, 0, 0), &utc), SD_TZ_NONEXISTENT);
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 3, 29, 2, 59, 59), &utc), SD_TZ_NONEXISTENT);
    assert_int_equal(utc, 42);
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 3, 29, 3, 0, 0), &utc), SD_TZ_UNIQUE);
    assert_int_equal(utc, 1774746000);
    /* autumn: 02:00..02:59:59 shown twice; the later (CET) instant wins */
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 10, 25, 1, 59, 59), &utc), SD_TZ_UNIQUE);
    assert_int_equal(utc, 1792886399);          /* 2026-10-24T23:59:59Z, CEST */
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 10, 25, 2, 0, 0), &utc), SD_TZ_AMBIGUOUS);
    assert_int_equal(utc, 1792890000);          /* 01:00Z, not 00:00Z */
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 10, 25, 2, 59, 59), &utc), SD_TZ_AMBIGUOUS);
    assert_int_equal(utc, 1792893599);
    assert_int_equal(sd_tz_to_utc(tz, wall(2026, 10, 25, 3, 0, 0), &utc), SD_TZ_UNIQUE);
    assert_int_equal(utc, 1792893600);
    sd_tz_free(tz);
}

/* ---- local forms through the parser ------------------------------------------ */

static void test_iso_and_dmtf_without_offset(void **state)
{
    struct sd_tz *berlin = zone("Europe/Berlin"), *ny = zone("America/New_York"),
                 *sydney = zone("Australia/Sydney"), *kolkata = zone("Asia/Kolkata"),
                 *utc = zone("UTC");
    struct sd_dateopts b = opts(berlin, NULL), n = opts(ny, NULL), s = opts(sydney, NULL),
                       k = opts(kolkata, NULL), u = opts(utc, NULL);

    (void)state;
    ok(&b, "2026-08-11T19:20:37", DT(2026, 8, 11, 17, 20, 37, 0));
    ok(&b, "2026-08-11 19:20:37.45", DT(2026, 8, 11, 17, 20, 37, 4));
    ok(&b, "2026-01-11 19:20", DT(2026, 1, 11, 18, 20, 0, 0));
    ok(&b, "20260811192037.000000+***", DT(2026, 8, 11, 17, 20, 37, 0));
    ok(&b, "20260111192037.5*****-***", DT(2026, 1, 11, 18, 20, 37, 5));
    ok(&b, "2026-03-29T01:59:59", DT(2026, 3, 29, 0, 59, 59, 0));
    ok(&b, "2026-03-29T03:00:00", DT(2026, 3, 29, 1, 0, 0, 0));
    bad(&b, "2026-03-29T02:30:00", "no such local time in Europe/Berlin (the clocks skipped it)");
    bad(&b, "20260329023000.000000+***",
        "no such local time in Europe/Berlin (the clocks skipped it)");
    ok(&b, "2026-10-25T02:30:00", DT(2026, 10, 25, 1, 30, 0, 0));     /* standard time */
    ok(&b, "2027-01-01T00:30:00", DT(2026, 12, 31, 23, 30, 0, 0));    /* into the old year */
    /* a leap second keeps its :60 through the zone */
    ok(&b, "2017-01-01T00:59:60", DT(2016, 12, 31, 23, 59, 60, 0));

    ok(&n, "2026-03-08T01:59:59", DT(2026, 3, 8, 6, 59, 59, 0));
    bad(&n, "2026-03-08T02:00:00",
        "no such local time in America/New_York (the clocks skipped it)");
    ok(&n, "2026-03-08T03:00:00", DT(2026, 3, 8, 7, 0, 0, 0));
    ok(&n, "2026-11-01T00:59:59", DT(2026, 11, 1, 4, 59, 59, 0));
    ok(&n, "2026-11-01T01:00:00", DT(2026, 11, 1, 6, 0, 0, 0));       /* EST, the later */
    ok(&n, "2026-11-01T02:00:00", DT(2026, 11, 1, 7, 0, 0, 0));
    ok(&n, "2026-12-31T20:00:00", DT(2027, 1, 1, 1, 0, 0, 0));        /* into the new year */

    /* southern hemisphere: summer around New Year */
    ok(&s, "2026-01-15T12:00:00", DT(2026, 1, 15, 1, 0, 0, 0));
    ok(&s, "2026-04-05T01:59:59", DT(2026, 4, 4, 14, 59, 59, 0));
    ok(&s, "2026-04-05T02:30:00", DT(2026, 4, 4, 16, 30, 0, 0));      /* AEST, the later */
    ok(&s, "2026-04-05T03:00:00", DT(2026, 4, 4, 17, 0, 0, 0));
    ok(&s, "2026-10-04T01:59:59", DT(2026, 10, 3, 15, 59, 59, 0));
    bad(&s, "2026-10-04T02:30:00",
        "no such local time in Australia/Sydney (the clocks skipped it)");
    ok(&s, "2026-10-04T03:00:00", DT(2026, 10, 3, 16, 0, 0, 0));

    ok(&k, "2026-08-11T19:20:37", DT(2026, 8, 11, 13, 50, 37, 0));    /* +05:30 */
    ok(&k, "2026-01-01T05:29:59", DT(2025, 12, 31, 23, 59, 59, 0));
    ok(&u, "2026-08-11T19:20:37", DT(2026, 8, 11, 19, 20, 37, 0));

    /* the fields are checked before the zone is asked */
    bad(&b, "2026-02-29T10:00:00", "day 29 out of range (2026-02 has 28 days)");
    bad(&b, "2026-02-28T24:00:00", "hour 24 out of range");
    /* forms with their own offset ignore the zone */
    ok(&b, "2026-08-11T19:20:37Z", DT(2026, 8, 11, 19, 20, 37, 0));
    ok(&b, "2026-08-11T19:20:37-04:00", DT(2026, 8, 11, 23, 20, 37, 0));
    ok(&b, "20260811192037.000000+000", DT(2026, 8, 11, 19, 20, 37, 0));
    ok(&b, "/Date(1786476037000)/", DT(2026, 8, 11, 19, 20, 37, 0));
    sd_tz_free(berlin);
    sd_tz_free(ny);
    sd_tz_free(sydney);
    sd_tz_free(kolkata);
    sd_tz_free(utc);
}

/* Every culture's form of 2026-08-11 19:20:37, in UTC so only the reading
 * is tested. */
static void test_culture_forms(void **state)
{
    static const struct { const char *culture, *text; } forms[] = {
        { "en-US", "8/11/2026 7:20:37 PM" },
        { "en-GB", "11/08/2026 19:20:37" },
        { "en-AU", "11/08/2026 7:20:37 PM" },
        { "de-DE", "11.08.2026 19:20:37" },
        { "de-AT", "11.08.2026 19:20:37" },
        { "de-CH", "11.08.2026 19:20:37" },
        { "fr-FR", "11/08/2026 19:20:37" },
        { "nl-NL", "11-8-2026 19:20:37" },
        { "pt-BR", "11/08/2026 19:20:37" },
        { "sv-SE", "2026-08-11 19:20:37" },
        { "ja-JP", "2026/08/11 19:20:37" },
    };
    struct sd_tz *utc = zone("UTC");

    (void)state;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct sd_dateopts o = opts(utc, forms[i].culture);

        assert_int_equal(o.fmt.kind, SD_DATEFMT_PATTERN);
        assert_string_equal(o.fmt.culture, forms[i].culture);
        ok(&o, forms[i].text, DT(2026, 8, 11, 19, 20, 37, 0));
    }
    sd_tz_free(utc);
}

static void test_en_us_clock(void **state)
{
    struct sd_tz *ny = zone("America/New_York"), *utc = zone("UTC");
    struct sd_dateopts u = opts(utc, "en-US"), n = opts(ny, "en-us");

    (void)state;
    /* the 12-hour clock's edges */
    ok(&u, "1/2/2026 12:00:00 AM", DT(2026, 1, 2, 0, 0, 0, 0));
    ok(&u, "1/2/2026 12:59:59 AM", DT(2026, 1, 2, 0, 59, 59, 0));
    ok(&u, "1/2/2026 1:00:00 AM", DT(2026, 1, 2, 1, 0, 0, 0));
    ok(&u, "1/2/2026 11:59:59 AM", DT(2026, 1, 2, 11, 59, 59, 0));
    ok(&u, "1/2/2026 12:00:00 PM", DT(2026, 1, 2, 12, 0, 0, 0));
    ok(&u, "1/2/2026 12:30:05 PM", DT(2026, 1, 2, 12, 30, 5, 0));
    ok(&u, "1/2/2026 1:00:00 PM", DT(2026, 1, 2, 13, 0, 0, 0));
    ok(&u, "1/2/2026 11:59:59 PM", DT(2026, 1, 2, 23, 59, 59, 0));
    ok(&u, "01/02/2026 01:02:03 am", DT(2026, 1, 2, 1, 2, 3, 0));  /* M, d, h take 2 digits too */
    ok(&u, "12/31/2026 11:00:00 pm", DT(2026, 12, 31, 23, 0, 0, 0));
    /* newer culture data puts a no-break space before AM/PM */
    ok(&u, "8/11/2026 7:20:37\xe2\x80\xafPM", DT(2026, 8, 11, 19, 20, 37, 0));
    ok(&u, "8/11/2026 7:20:37\xc2\xa0PM", DT(2026, 8, 11, 19, 20, 37, 0));
    bad(&u, "1/2/2026 0:00:00 AM", "hour 0 out of range for a 12-hour clock");
    bad(&u, "1/2/2026 13:00:00 PM", "hour 13 out of range for a 12-hour clock");
    bad(&u, "1/2/2026 7:20:37",
        "not in sourceDateFormat en-US (M/d/yyyy h:mm:ss tt): expected a space at character 17");
    bad(&u, "1/2/2026 7:20:37 XM",
        "not in sourceDateFormat en-US (M/d/yyyy h:mm:ss tt): expected AM or PM at character 18");
    bad(&u, "1/2/2026 7:20:37 PM ",
        "not in sourceDateFormat en-US (M/d/yyyy h:mm:ss tt): unexpected text at character 20");
    bad(&u, "123/2/2026 7:20:37 PM",
        "not in sourceDateFormat en-US (M/d/yyyy h:mm:ss tt): expected '/' at character 3");
    bad(&u, "2/30/2026 7:20:37 PM", "day 30 out of range (2026-02 has 28 days)");
    bad(&u, "13/1/2026 7:20:37 PM", "month 13 out of range");
    bad(&u, "1/2/26 7:20:37 PM",
        "not in sourceDateFormat en-US (M/d/yyyy h:mm:ss tt): expected 4 digits (yyyy) at "
        "character 5");
    /* New York: both sides of both 2026 changes, as Export-Csv writes them */
    ok(&n, "3/8/2026 1:59:59 AM", DT(2026, 3, 8, 6, 59, 59, 0));
    bad(&n, "3/8/2026 2:30:00 AM", "no such local time in America/New_York (the clocks skipped it)");
    ok(&n, "3/8/2026 3:00:00 AM", DT(2026, 3, 8, 7, 0, 0, 0));
    ok(&n, "11/1/2026 12:59:59 AM", DT(2026, 11, 1, 4, 59, 59, 0));
    ok(&n, "11/1/2026 1:30:00 AM", DT(2026, 11, 1, 6, 30, 0, 0));
    ok(&n, "11/1/2026 2:00:00 AM", DT(2026, 11, 1, 7, 0, 0, 0));
    sd_tz_free(utc);
    sd_tz_free(ny);
}

static void test_day_first_cultures(void **state)
{
    struct sd_tz *berlin = zone("Europe/Berlin"), *utc = zone("UTC");
    struct sd_dateopts de = opts(berlin, "de-DE"), gb = opts(utc, "en-GB"),
                       fr = opts(berlin, "fr-FR"), nl = opts(utc, "nl-NL");

    (void)state;
    ok(&de, "28.03.2026 23:59:59", DT(2026, 3, 28, 22, 59, 59, 0));
    ok(&de, "29.03.2026 01:59:59", DT(2026, 3, 29, 0, 59, 59, 0));
    bad(&de, "29.03.2026 02:00:00", "no such local time in Europe/Berlin (the clocks skipped it)");
    ok(&de, "29.03.2026 03:00:00", DT(2026, 3, 29, 1, 0, 0, 0));
    ok(&de, "25.10.2026 02:00:00", DT(2026, 10, 25, 1, 0, 0, 0));
    ok(&de, "25.10.2026 03:00:00", DT(2026, 10, 25, 2, 0, 0, 0));
    ok(&fr, "11/08/2026 19:20:37", DT(2026, 8, 11, 17, 20, 37, 0));
    ok(&fr, "25/10/2026 02:59:59", DT(2026, 10, 25, 1, 59, 59, 0));
    ok(&gb, "01/02/2026 00:00:00", DT(2026, 2, 1, 0, 0, 0, 0));      /* day first */
    ok(&nl, "1-2-2026 09:05:00", DT(2026, 2, 1, 9, 5, 0, 0));        /* d-M: one digit */
    ok(&nl, "01-02-2026 09:05:00", DT(2026, 2, 1, 9, 5, 0, 0));
    bad(&de, "1.08.2026 19:20:37",
        "not in sourceDateFormat de-DE (dd.MM.yyyy HH:mm:ss): expected 2 digits (dd) at "
        "character 1");
    bad(&de, "11.08.2026 7:20:37",
        "not in sourceDateFormat de-DE (dd.MM.yyyy HH:mm:ss): expected 2 digits (HH) at "
        "character 12");
    bad(&de, "11/08/2026 19:20:37",
        "not in sourceDateFormat de-DE (dd.MM.yyyy HH:mm:ss): expected '.' at character 3");
    bad(&de, "8/11/2026 7:20:37 PM",
        "not in sourceDateFormat de-DE (dd.MM.yyyy HH:mm:ss): expected 2 digits (dd) at "
        "character 1");
    bad(&de, "11.08.2026 24:00:00", "hour 24 out of range");
    bad(&gb, "31/02/2026 10:00:00", "day 31 out of range (2026-02 has 28 days)");
    bad(&de, "", "empty");
    /* ISO text that is not the pattern gets ISO's reasons */
    ok(&de, "2026-08-11 19:20:37", DT(2026, 8, 11, 17, 20, 37, 0));
    ok(&de, "2026-08-11T19:20:37Z", DT(2026, 8, 11, 19, 20, 37, 0));
    bad(&de, "2026-13-11 19:20:37", "month 13 out of range");
    sd_tz_free(berlin);
    sd_tz_free(utc);
}

static void test_custom_patterns(void **state)
{
    struct sd_tz *utc = zone("UTC");
    struct sd_dateopts o;

    (void)state;
    o = opts(utc, "dd.MM.yyyy HH:mm:ss");
    assert_string_equal(o.fmt.culture, "");
    assert_string_equal(o.fmt.pattern, "dd.MM.yyyy HH:mm:ss");
    ok(&o, "11.08.2026 19:20:37", DT(2026, 8, 11, 19, 20, 37, 0));
    bad(&o, "11.08.2026 19:20",
        "not in sourceDateFormat dd.MM.yyyy HH:mm:ss: expected ':' at character 17");
    o = opts(utc, "yyyyMMddHHmmss");
    ok(&o, "20260811192037", DT(2026, 8, 11, 19, 20, 37, 0));
    o = opts(utc, "yyyy-MM-dd'T'HH:mm:ss.fff");
    ok(&o, "2026-08-11T19:20:37.987", DT(2026, 8, 11, 19, 20, 37, 9));
    o = opts(utc, "dd.MM.yyyy HH:mm:ss,fff");
    ok(&o, "11.08.2026 19:20:37,987", DT(2026, 8, 11, 19, 20, 37, 9));
    bad(&o, "11.08.2026 19:20:37,98",
        "not in sourceDateFormat dd.MM.yyyy HH:mm:ss,fff: expected 3 digits (fff) at "
        "character 21");
    /* 63 characters, nearly all literal: fits */
    o = opts(utc, "'<'yyyy'-'MM'-'dd' 'HH':'mm':'ss'>' \\a\\b\\c 'defghijklmnopq'");
    ok(&o, "<2026-08-11 19:20:37> abc defghijklmnopq", DT(2026, 8, 11, 19, 20, 37, 0));
    o = opts(utc, "d/M/yyyy H:mm");
    ok(&o, "1/2/2026 7:05", DT(2026, 2, 1, 7, 5, 0, 0));
    o = opts(utc, "dd\\hMM\\hyyyy \"at\" h:mm tt");          /* escaped, quoted literals */
    ok(&o, "11h08h2026 at 7:20 PM", DT(2026, 8, 11, 19, 20, 0, 0));
    o = opts(utc, "  \"yyyy/M/d HH:mm:ss\"  ");                  /* the whole value quoted */
    assert_string_equal(o.fmt.pattern, "yyyy/M/d HH:mm:ss");
    ok(&o, "2026/8/1 19:20:37", DT(2026, 8, 1, 19, 20, 37, 0));
    o = opts(utc, "ISO");
    assert_int_equal(o.fmt.kind, SD_DATEFMT_ISO);
    o = opts(utc, "en_us");
    assert_string_equal(o.fmt.culture, "en-US");
    sd_tz_free(utc);
}

static void test_bad_patterns(void **state)
{
    (void)state;
    fmt_bad("yy.MM.dd HH:mm", "'yy' at character 1: write the year as yyyy");
    fmt_bad("dd MMM yyyy HH:mm",
            "'MMM' at character 4: month names are not supported: use M or MM");
    fmt_bad("dddd, dd.MM.yyyy HH:mm",
            "'dddd' at character 1: day names are not supported: use d or dd");
    fmt_bad("dd.MM.yyyy HHH:mm", "'HHH' at character 12: use H or HH");
    fmt_bad("dd.MM.yyyy h:mm t", "'t' at character 17: write the AM/PM designator as tt");
    fmt_bad("dd.MM.yyyy HH:mm:ss.ffffffff",
            "'ffffffff' at character 21: at most 7 fraction digits");
    fmt_bad("dd.MM.yyyy HH:mm K",
            "'K' at character 18 is not a pattern letter (use yyyy, M, MM, d, dd, H, HH, h, hh, "
            "m, mm, s, ss, tt, f; quote literal letters)");
    fmt_bad("dd.MM.yyyy HH:mm zzz",
            "'z' at character 18 is not a pattern letter (use yyyy, M, MM, d, dd, H, HH, h, hh, "
            "m, mm, s, ss, tt, f; quote literal letters)");
    fmt_bad("dd.MM.yyyy HH:mm:ss dd", "'dd' at character 21: that field is already in the pattern");
    fmt_bad("dd.MM.yyyy", "the pattern has no minutes (m or mm)");
    fmt_bad("MM/yyyy HH:mm", "the pattern has no day (d or dd)");
    fmt_bad("dd.yyyy HH:mm", "the pattern has no month (M or MM)");
    fmt_bad("dd.MM HH:mm", "the pattern has no year (yyyy)");
    fmt_bad("dd.MM.yyyy mm:ss", "the pattern has no hour (H, HH, or h, hh with tt)");
    fmt_bad("dd.MM.yyyy h:mm", "a 12-hour hour (h, hh) needs tt (AM/PM)");
    fmt_bad("dd.MM.yyyy HH:mm tt", "tt (AM/PM) needs a 12-hour hour (h or hh), not H");
    fmt_bad("dd.MM.yyyy H:mm h", "the pattern has both a 24-hour (H) and a 12-hour (h) hour");
    fmt_bad("dd.MM.yyyy HH:mm.fff", "fraction digits (f) need seconds (s or ss)");
    fmt_bad("dd.MM.yyyy 'HH:mm", "unterminated ' at character 12");
    fmt_bad("dd.MM.yyyy HH:mm\\", "'\\' at the end of the pattern");
    fmt_bad("", "needs iso, a culture (en-US, en-GB, en-AU, de-DE, de-AT, de-CH, fr-FR, nl-NL, "
            "pt-BR, sv-SE, ja-JP) or a pattern such as dd.MM.yyyy HH:mm:ss");
    fmt_bad("xx-YY", "unknown culture 'xx-YY' (known: en-US, en-GB, en-AU, de-DE, de-AT, de-CH, "
            "fr-FR, nl-NL, pt-BR, sv-SE, ja-JP; or give its pattern, ShortDatePattern + ' ' + "
            "LongTimePattern, e.g. dd.MM.yyyy HH:mm:ss)");
    fmt_bad("es-ES", "unknown culture 'es-ES' (known: en-US, en-GB, en-AU, de-DE, de-AT, de-CH, "
            "fr-FR, nl-NL, pt-BR, sv-SE, ja-JP; or give its pattern, ShortDatePattern + ' ' + "
            "LongTimePattern, e.g. dd.MM.yyyy HH:mm:ss)");
    fmt_bad("dd.MM.yyyy HH:mm:ss 'and a literal that makes it one character too long'",
            "pattern longer than 63 characters");
    fmt_bad("d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d",
            "'d' at character 3: that field is already in the pattern");
}

/* ---- zone names ---------------------------------------------------------------- */

static void test_bad_zone_names(void **state)
{
    static const char not_a_name[] = "' is not an IANA time zone name (e.g. Europe/Berlin, "
        "America/New_York, UTC; Windows names such as \"W. Europe Standard Time\" are not "
        "accepted)";
    static const char *const names[] = {
        "", "/etc/localtime", "../etc/passwd", "Europe/../../etc/passwd", "Europe/./Berlin",
        "Europe//Berlin", "Europe/", "W. Europe Standard Time", "Europe/Berlin ", "Europe\\Berlin",
        "CET\n",
    };
    char want[400];

    (void)state;
    need_tzdata();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(want, sizeof(want), "'%s%s", names[i], not_a_name);
        zone_bad(names[i], want);
    }
    zone_bad("Europe/Berln", "unknown time zone 'Europe/Berln' (no /usr/share/zoneinfo/Europe/Berln)");
    zone_bad("utc", "unknown time zone 'utc' (no /usr/share/zoneinfo/utc)");
    zone_bad("Europe", "'Europe' is not a time zone (/usr/share/zoneinfo/Europe is not a file)");
    zone_bad("zone.tab",
             "'zone.tab' is not a time zone (/usr/share/zoneinfo/zone.tab is not a TZif file)");
    /* $TZDIR is where the zones are looked for, as glibc does */
    setenv("TZDIR", "/nonexistent", 1);
    zone_bad("Europe/Berlin",
             "unknown time zone 'Europe/Berlin' (no /nonexistent/Europe/Berlin)");
    sd_tz_free(zone("UTC"));    /* built in: no tzdata needed */
    setenv("TZDIR", "/usr/share/zoneinfo", 1);
    sd_tz_free(zone("Europe/Berlin"));
    unsetenv("TZDIR");
}

static void test_refcount(void **state)
{
    struct sd_tz *tz = zone("Europe/Berlin");
    struct sd_tz *more = sd_tz_ref(tz);
    struct sd_dateopts o = opts(more, "de-DE");

    (void)state;
    assert_ptr_equal(more, tz);
    assert_null(sd_tz_ref(NULL));
    sd_tz_free(NULL);
    sd_tz_free(tz);             /* one reference left: still usable */
    ok(&o, "11.08.2026 19:20:37", DT(2026, 8, 11, 17, 20, 37, 0));
    sd_tz_free(more);
}

/* ---- messages without the directives -------------------------------------------- */

static void test_messages_name_the_directives(void **state)
{
    struct sd_tz *utc = zone("UTC");
    struct sd_dateopts zone_only = opts(utc, NULL), none = { 0 };

    (void)state;
    bad(NULL, "8/11/2026 7:20:37 PM", "looks like a culture-dependent local date: set "
        "sourceDateFormat (e.g. en-US) and sourceTimeZone");
    bad(&none, "11/08/2026 19:20:37", "looks like a culture-dependent local date: set "
        "sourceDateFormat (e.g. en-GB) and sourceTimeZone");
    bad(NULL, "11.08.2026 19:20:37", "looks like a culture-dependent local date: set "
        "sourceDateFormat (e.g. de-DE) and sourceTimeZone");
    bad(NULL, "11-8-2026 19:20:37", "looks like a culture-dependent local date: set "
        "sourceDateFormat (e.g. nl-NL) and sourceTimeZone");
    bad(NULL, "2026/08/11 19:20:37", "looks like a culture-dependent local date: set "
        "sourceDateFormat (e.g. ja-JP) and sourceTimeZone");
    bad(&zone_only, "8/11/2026 7:20:37 PM", "looks like a culture-dependent local date: set "
        "sourceDateFormat (e.g. en-US)");
    bad(NULL, "2026-08-11 19:20:37", "no UTC offset (local time): set sourceTimeZone");
    bad(NULL, "20260811192037.000000+***", "no UTC offset (local time): set sourceTimeZone");
    /* a pattern without a zone: the same (the configuration refuses it anyway) */
    none = opts(NULL, "de-DE");
    bad(&none, "11.08.2026 19:20:37", "no UTC offset (local time): set sourceTimeZone");
    /* not culture-shaped: the old reason */
    bad(NULL, "August 11, 2026", "not a date in ISO 8601, DMTF or /Date(ms)/ form");
    bad(NULL, "11.08.2026", "not a date in ISO 8601, DMTF or /Date(ms)/ form");
    sd_tz_free(utc);
}

/* ---- the Windows sample exports, decoded -------------------------------------------- */

static int decode_windows(struct fx *fx, const char *name, const struct sd_dateopts *o)
{
    char path[512], *buf;
    size_t len;
    int rc;

    snprintf(path, sizeof(path), "%s/windows/%s", TEST_DATA_DIR, name);
    buf = fx_load_path(path, &len);
    assert_non_null(buf);
    fx->d.dates = o;
    rc = sd_decode_document(&fx->d, buf, len);
    free(buf);
    return rc;
}

static int setup(void **state)
{
    return fx_setup(state, "cim.csv");
}

static int teardown(void **state)
{
    return fx_teardown(state);
}

static void test_windows_exports(void **state)
{
    struct fx *fx = *state;
    struct sd_tz *tz = zone("America/New_York");
    struct sd_dateopts o = opts(tz, "en-US");

    assert_int_equal(decode_windows(fx, "cim-en-US.csv", &o), 0);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->rows.n, 8);
    fx_check_row(fx, 0, &(struct want){ "PS100012", 10, 248, 2, 1, "PS100012",
                                     DT(2026, 3, 8, 4, 45, 12, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ "PS100012", 20, 4, 2, 2, "PS100012",
                                     DT(2026, 3, 8, 6, 59, 59, 0), 2 });
    fx_check_row(fx, 2, &(struct want){ "PS100012", 40, 1, 2, 3, "PS100012",
                                     DT(2026, 3, 8, 7, 0, 0, 0), 3 });
    fx_check_row(fx, 3, &(struct want){ "PS100019", 10, 250, 2, 1, "PS100019",
                                     DT(2026, 8, 11, 23, 20, 37, 0), 4 });
    fx_check_row(fx, 4, &(struct want){ "PS100019", 40, 2, 2, 4, "PS100019",
                                     DT(2026, 11, 1, 4, 59, 59, 0), 5 });
    fx_check_row(fx, 5, &(struct want){ "P01000F6", 20, 3, 23, 2, "P01000F6",
                                     DT(2026, 11, 1, 6, 30, 0, 0), 6 });
    fx_check_row(fx, 6, &(struct want){ "P01000F6", 10, 7, 23, 1, "P01000F6",
                                     DT(2026, 11, 1, 7, 0, 0, 0), 7 });
    fx_check_row(fx, 7, &(struct want){ MODEL_NAME, 30, 12, 31, 2, "PS1000A2",
                                     DT(2026, 12, 24, 17, 5, 9, 0), 8 });
    sd_tz_free(tz);
}

static void test_windows_export_de(void **state)
{
    struct fx *fx = *state;
    struct sd_tz *tz = zone("Europe/Berlin");
    struct sd_dateopts o = opts(tz, "de-DE");
    const uint8_t *const want[8] = {
        DT(2026, 3, 28, 22, 59, 59, 0), DT(2026, 3, 29, 0, 59, 59, 0),
        DT(2026, 3, 29, 1, 0, 0, 0), DT(2026, 8, 11, 17, 20, 37, 0),
        DT(2026, 10, 24, 23, 59, 59, 0), DT(2026, 10, 25, 1, 30, 0, 0),
        DT(2026, 10, 25, 2, 0, 0, 0), DT(2026, 12, 31, 23, 30, 0, 0),
    };

    assert_int_equal(decode_windows(fx, "cim-de-DE.csv", &o), 0);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->rows.n, 8);
    for (size_t i = 0; i < 8; i++)
        assert_memory_equal(fx->rows.v[i].date, want[i], SD_DATEANDTIME_LEN);
    sd_tz_free(tz);
}

/* Without the directives every row is refused, and each message says
 * which directive would read it. */
static void test_windows_export_without_directives(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(decode_windows(fx, "cim-de-DE.csv", NULL), 0);
    assert_int_equal(fx->d.rows_seen, 8);
    assert_int_equal(fx->d.rejected, 8);
    assert_int_equal(fx->rows.n, 0);
    assert_string_equal(fx->msgs.v[0].text,
                        "cim.csv: row 1: LastUpdateDate: looks like a culture-dependent local "
                        "date: set sourceDateFormat (e.g. de-DE) and sourceTimeZone "
                        "(\"28.03.2026 23:59:59\"); row skipped");
}

/* ---- the sweep ------------------------------------------------------------------------ */

/* Every hour of 1970..2100 (and the seconds around each change) in each
 * zone: the wall clock glibc's localtime_r shows for instant t, read back
 * through the table, is t, or, when those wall-clock readings happen twice,
 * the later of the two instants showing it. The test process is single-
 * threaded, so setting TZ here is safe (the daemon never does). */
static void sweep(const char *name)
{
    struct sd_tz *tz = zone(name);
    unsigned checked = 0, ambiguous = 0;

    setenv("TZ", name, 1);
    tzset();
    for (int64_t t = 0; t < SD_TZ_EXACT_UNTIL; t += 3600 + (t % 7)) {
        time_t tt = (time_t)t;
        struct tm tm;
        int64_t local, utc = 0;
        enum sd_tz_match m;

        assert_non_null(localtime_r(&tt, &tm));
        assert_int_equal(sd_tz_offset_at(tz, t), tm.tm_gmtoff);
        local = wall(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
        m = sd_tz_to_utc(tz, local, &utc);
        assert_int_not_equal(m, SD_TZ_NONEXISTENT);
        if (m == SD_TZ_UNIQUE) {
            assert_int_equal(utc, t);
        } else {
            time_t later = (time_t)utc;
            struct tm tm2;

            ambiguous++;
            assert_true(utc >= t);
            assert_non_null(localtime_r(&later, &tm2));
            assert_int_equal(utc + tm2.tm_gmtoff, local);
        }
        checked++;
    }
    unsetenv("TZ");
    tzset();
    assert_true(checked > 1000000);
    if (sd_tz_transitions(tz) > 0)
        assert_true(ambiguous > 0);
    sd_tz_free(tz);
}

static void test_sweep_against_localtime(void **state)
{
    (void)state;
    sweep("Europe/Berlin");
    sweep("America/New_York");
    sweep("Australia/Sydney");
    sweep("Australia/Lord_Howe");       /* a half-hour DST change */
    sweep("Asia/Kolkata");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_exact_to_the_second),
        cmocka_unit_test(test_tables_fixed_zones_and_range_ends),
        cmocka_unit_test(test_local_to_utc_at_the_changes),
        cmocka_unit_test(test_iso_and_dmtf_without_offset),
        cmocka_unit_test(test_culture_forms),
        cmocka_unit_test(test_en_us_clock),
        cmocka_unit_test(test_day_first_cultures),
        cmocka_unit_test(test_custom_patterns),
        cmocka_unit_test(test_bad_patterns),
        cmocka_unit_test(test_bad_zone_names),
        cmocka_unit_test(test_refcount),
        cmocka_unit_test(test_messages_name_the_directives),
        cmocka_unit_test_setup_teardown(test_windows_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windows_export_de, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windows_export_without_directives, setup, teardown),
        cmocka_unit_test(test_sweep_against_localtime),
    };

    unsetenv("TZDIR");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
