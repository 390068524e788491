/* health: source-health bookkeeping, see health.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "health.h"

void sd_health_init(struct sd_health *h, time_t now)
{
    uint32_t stale_after = h->stale_after;

    memset(h, 0, sizeof(*h));
    h->started = now;
    h->stale_after = stale_after;
}

void sd_health_good(struct sd_health *h, time_t now)
{
    h->last_good = now;
    h->last_attempt = now;
    h->loads++;
    h->last_failed = false;
}

void sd_health_failed(struct sd_health *h, time_t now, const char *why)
{
    h->last_attempt = now;
    h->last_error_time = now;
    h->failures++;
    h->last_failed = true;
    snprintf(h->last_error, sizeof(h->last_error), "%s", why);
}

enum sd_source_state sd_health_state(const struct sd_health *h, time_t now)
{
    if (h->last_failed)
        return SD_STATE_FAILED;
    if (!h->last_good)
        return SD_STATE_STARTING;
    if (h->stale_after && now - h->last_good > (time_t)h->stale_after)
        return SD_STATE_STALE;
    return SD_STATE_OK;
}

uint32_t sd_health_age(const struct sd_health *h, time_t now)
{
    time_t since = h->last_good ? h->last_good : h->started;
    time_t age = now - since;

    if (age < 0)
        return 0;
    return age > (time_t)UINT32_MAX ? UINT32_MAX : (uint32_t)age;
}

size_t sd_health_dateandtime(time_t t, unsigned char out[11])
{
    struct tm tm;

    memset(out, 0, 11);
    if (!t || !gmtime_r(&t, &tm))
        return 8;
    int year = tm.tm_year + 1900;
    out[0] = (unsigned char)(year >> 8);
    out[1] = (unsigned char)(year & 0xff);
    out[2] = (unsigned char)(tm.tm_mon + 1);
    out[3] = (unsigned char)tm.tm_mday;
    out[4] = (unsigned char)tm.tm_hour;
    out[5] = (unsigned char)tm.tm_min;
    out[6] = (unsigned char)tm.tm_sec;
    out[7] = 0;
    out[8] = '+';
    return 11;
}
