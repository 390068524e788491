/*
 * health: what the source-health scalars say. Owned by the main thread;
 * updated after every load attempt, read by the MIB module.
 */
#ifndef SD_HEALTH_H
#define SD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum sd_source_state { SD_STATE_OK = 1, SD_STATE_STALE = 2, SD_STATE_FAILED = 3, SD_STATE_STARTING = 4 };

struct sd_health {
    time_t started;             /* agent start */
    time_t last_good;           /* 0: never */
    time_t last_attempt;        /* 0: never */
    time_t last_error_time;     /* 0: never */
    char last_error[256];       /* most recent failure, kept after recovery */
    uint32_t loads;             /* successful loads */
    uint32_t failures;
    bool last_failed;           /* the most recent attempt failed */
    uint32_t stale_after;       /* seconds, 0 = never stale */
};

void sd_health_init(struct sd_health *h, time_t now);
void sd_health_good(struct sd_health *h, time_t now);
void sd_health_failed(struct sd_health *h, time_t now, const char *why);
enum sd_source_state sd_health_state(const struct sd_health *h, time_t now);
/* Seconds since the served data was loaded (since start when none was). */
uint32_t sd_health_age(const struct sd_health *h, time_t now);
/* DateAndTime (UTC) of t into out[11]; t == 0 gives the 8 zero octets. Returns the length. */
size_t sd_health_dateandtime(time_t t, unsigned char out[11]);

#endif
