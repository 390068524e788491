/*
 * notify: turns changes into notifications, and gets them to the master.
 *
 * The one place that sends: row changes (from sd_snapshot_diff at each
 * swap) and source-state changes come in as events; each becomes an SNMPv2
 * notification of SMS-DISTRIBUTION-STATUS-MIB, built at once (the rows may
 * be freed after) and sent through the AgentX session. Row notifications are
 * rate-limited by a token bucket (N per SECONDS, at most BURST at once); a
 * window opened by the first one held back ends with one
 * smsDistNotificationsSuppressed and the count; entries into error held
 * back are deferred, not lost, and go out oldest first as tokens come. While the AgentX session is down,
 * notifications wait in a bounded queue (oldest dropped first, counted) and
 * go out in order when it is back. Main thread only.
 */
#ifndef SD_NOTIFY_H
#define SD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "counters.h"
#include "health.h"
#include "snapshot.h"

struct sd_notify_cfg {
    bool rows;                  /* send row notifications at all */
    bool at_start;              /* announce rows already in error at the first load */
    bool dps;                   /* smsDistDPErrorsRaised/Cleared */
    bool content;               /* smsDistContentDPEnteredFailed/LeftFailed */
    unsigned rate_n;            /* row notifications per window */
    unsigned rate_window;       /* seconds */
    unsigned rate_burst;        /* at most this many at once; 0: SD_NOTIFY_RATE_BURST or rate_n */
    size_t queue_max;           /* held while the master is away */
    /* notifyStateFile: where the rows announced in error are kept across
     * restarts ("": nowhere, notifyStateFile none) */
    char state_file[256];
};

/* notifyRateLimit's default burst (when N is larger): what a trap receiver
 * that runs a handler per notification takes at once (snmptrapd's socket
 * buffer holds some 100-150 of them; the rest of a burst is lost). */
#define SD_NOTIFY_RATE_BURST 20

/* The compiled-in notifyStateFile: $(localstatedir)/lib/smsdistd/state/notify.state */
#ifndef SD_STATE_DIR
#define SD_STATE_DIR "/var/lib/smsdistd/state"
#endif
#define SD_DEFAULT_STATE_FILE SD_STATE_DIR "/notify.state"


void sd_notify_defaults(struct sd_notify_cfg *c);
/* Before init_snmp(): watches the AgentX session come and go. */
void sd_notify_preinit(void);
/* Takes c (again, on a reload). The first call after start (or after
 * sd_notify_shutdown) reads c->state_file: the rows announced in error
 * before the restart. Those no longer in error are announced leaving it at
 * their table's first load (sd_notify_changes with old NULL), as a live
 * change would be, never rate-limited. */
void sd_notify_configure(const struct sd_notify_cfg *c);
/* Row notifications for the changes from old to new (old NULL: first load);
 * items name rows of new, or of old for SD_CHANGE_REMOVED. Keeps a reference
 * to new_ while rows of its table wait for the rate limit (their
 * notifications are built from it when their turn comes). */
void sd_notify_changes(const struct sd_changes *c, const struct sd_snapshot *old,
                       struct sd_snapshot *new_);
/* Table t is no longer served: its rows waiting for the rate limit are
 * forgotten (and its snapshot released). */
void sd_notify_table_dropped(const struct sd_table *t);
/* Source notifications for a change of state (failed, stale, recovered). */
void sd_notify_state(enum sd_source_state now);
const struct sd_notify_stats *sd_notify_stats(void);
/* The dlmod form sends from inside the master: always connected. */
void sd_notify_set_connected(bool up);
/* Whether the AgentX session to the master is up. */
bool sd_notify_master_connected(void);
/* Frees everything; the state file keeps the announced rows, with those
 * whose way out was still queued (never sent). */
void sd_notify_shutdown(void);

#endif
