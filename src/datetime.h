/*
 * datetime: LastUpdateDate in the forms site servers export, to an
 * RFC 2579 DateAndTime in UTC (11 octets, direction '+', offset 0:0).
 *
 * Forms: ISO 8601 / RFC 3339 ("2026-11-20T08:15:00Z", "...+01:00", optional
 * fraction of any length, 'T' or ' ' between date and time), DMTF CIM
 * datetime ("20261120081500.000000+060", '*' allowed in the fraction
 * only: a '*' offset is an unknown zone and refused), and the Microsoft JSON form "/Date(1574202819000)/" (optionally
 * with a "+hhmm" suffix, which does not change the instant).
 * Everything else, culture-dependent text above all ("11/20/2026 8:15 AM"),
 * is refused with a reason: guessing a date is worse than having none.
 */
#ifndef SD_DATETIME_H
#define SD_DATETIME_H

#include <stddef.h>
#include <stdint.h>

#include "rows.h"

/*
 * Parses s[0..len). On success fills out[SD_DATEANDTIME_LEN] and returns 0.
 * On failure returns -1 and writes a short reason (no trailing period) to
 * why[0..whylen).
 */
int sd_datetime_parse(const char *s, size_t len, uint8_t out[SD_DATEANDTIME_LEN],
                      char *why, size_t whylen);

/* Milliseconds since the Unix epoch (UTC) to DateAndTime in UTC. */
int sd_datetime_from_epoch_ms(int64_t ms, uint8_t out[SD_DATEANDTIME_LEN]);

#endif
