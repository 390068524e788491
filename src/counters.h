/*
 * counters: figures other modules keep and the MIB module serves, in a
 * header of their own so that the module keeping them and the MIB module
 * depend on it, not on each other.
 */
#ifndef SD_COUNTERS_H
#define SD_COUNTERS_H

#include <stdint.h>

/* Counters of the notification module, served as smsDistNotify scalars. */
struct sd_notify_stats {
    uint32_t sent;
    uint32_t rate_limited;
    uint32_t dropped;
    uint32_t queued;
    uint32_t deferred;          /* rows whose entry into error waits for the rate limit */
};

/* Configuration reloads, served as smsDistConfig scalars. */
struct sd_confstat {
    uint32_t refused;           /* reloads refused since start */
    char error[256];            /* why the last one was refused; "" once one is applied */
};

#endif
