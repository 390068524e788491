/*
 * tz: an IANA time zone (Europe/Berlin, America/New_York, UTC) as an
 * immutable, reference-counted table of UTC offsets, for dates a site
 * server wrote in local time without an offset (sourceTimeZone).
 *
 * The table says, for every UTC instant, the zone's offset to the second:
 * exact from 1970-01-01 to 2101-01-01 UTC, and the first (last) offset of
 * that span before (after) it. It is computed once, when the configuration
 * is read, by glibc itself from the tzdata file (/usr/share/zoneinfo/NAME,
 * or $TZDIR/NAME), in a short-lived child process: the daemon's own TZ is
 * never touched, so net-snmp's localtime and syslog calls on the main
 * thread, libcurl and Kerberos reading the environment, and the loader
 * thread converting dates never race with a zone change. Once built, a
 * table is never written again: any thread may read it, and the last
 * sd_tz_free() frees it.
 */
#ifndef SD_TZ_H
#define SD_TZ_H

#include <stddef.h>
#include <stdint.h>

struct sd_tz;

/* The span the table is exact in (UTC seconds since the epoch). */
#define SD_TZ_EXACT_FROM 0LL                    /* 1970-01-01T00:00:00Z */
#define SD_TZ_EXACT_UNTIL 4133980800LL          /* 2101-01-01T00:00:00Z */

/*
 * Builds the table of zone `name` (an IANA name, e.g. Europe/Berlin; "UTC"
 * needs no tzdata). Safe to call from one thread while others run (it
 * forks; the child alone sets TZ). Takes about 20 ms, blocking the caller;
 * a child that hangs is killed after 10 s and the work tried once more. On
 * success *out holds one reference and 0 is returned; on failure -1 and a
 * reason in err (unknown zone, a name that is not a zone name, the helper
 * process failing or timing out).
 */
int sd_tz_load(const char *name, struct sd_tz **out, char *err, size_t errlen);
/* One more reference (tz may be NULL); returns tz. Any thread. */
struct sd_tz *sd_tz_ref(struct sd_tz *tz);
/* Drops a reference (NULL is fine); the last one frees. Any thread. */
void sd_tz_free(struct sd_tz *tz);
const char *sd_tz_name(const struct sd_tz *tz);

/* The offset east of UTC, in seconds, at UTC instant t. */
int32_t sd_tz_offset_at(const struct sd_tz *tz, int64_t t);

enum sd_tz_match {
    SD_TZ_UNIQUE = 0,           /* one instant has this local time */
    SD_TZ_AMBIGUOUS = 1,        /* the repeated hour: *utc is the later instant */
    SD_TZ_NONEXISTENT = -1      /* the skipped hour: no instant, *utc untouched */
};

/*
 * Local wall-clock time, as seconds since 1970-01-01T00:00:00 of the local
 * calendar, to the UTC instant. A time the clocks went through twice (the
 * autumn change) is taken as the later instant, standard time, as .NET's
 * TimeZoneInfo.ConvertTimeToUtc does; a time they skipped does not exist.
 */
enum sd_tz_match sd_tz_to_utc(const struct sd_tz *tz, int64_t local, int64_t *utc);

/* Number of offset changes in the table (tests). */
size_t sd_tz_transitions(const struct sd_tz *tz);

#endif
