/*
 * mib: the SMS-DISTRIBUTION-STATUS-MIB module. One handler registered at
 * smsDistObjects answers GET and GETNEXT for the scalars and the table from
 * the current snapshot and health; every SET is refused with notWritable.
 * It only reads what it is pointed at: it owns neither the snapshot nor the
 * health record. Same code in the subagent and (later) in a dlmod.
 */
#ifndef SD_MIB_H
#define SD_MIB_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "health.h"
#include "snapshot.h"

/* The tables, in SmsDistTableId order (smsDistLoadTable's index - 1). */
#define SD_TABLES 3

/* One row of smsDistLoadTable. */
struct sd_served_load {
    bool present;                       /* the table is configured and in its source */
    const char *display;                /* URI without credentials */
    const struct sd_health *health;
    const struct sd_snapshot *snap;     /* may be NULL */
};

struct sd_served {
    const struct sd_snapshot *snap;     /* may be NULL: empty table */
    const struct sd_snapshot *dp_snap;  /* smsDistDPTable; may be NULL */
    const struct sd_snapshot *content_snap;     /* smsDistContentDPTable; may be NULL */
    struct sd_served_load load[SD_TABLES];
    const struct sd_health *health;
    const char *source_display;         /* URI without credentials */
    const struct sd_notify_stats *notify;
    const struct sd_confstat *conf;     /* may be NULL: nothing refused */
};

/* Registers the module; `served` must outlive the registration. 0 or -1. */
int sd_mib_register(const struct sd_served *served);
void sd_mib_unregister(void);

/* One varbind's GET / GETNEXT, as the handler does it (the unit tests'
 * seam). GETNEXT leaves vb untouched when nothing follows in the subtree. */
struct variable_list;
void sd_mib_get(struct variable_list *vb);
void sd_mib_getnext(struct variable_list *vb);
/*
 * Varbind builders for notifications, so a value is encoded in one place:
 * a scalar instance ({arc, item, 0} below smsDistObjects) with its current
 * value, and the five columns of row i of snapshot s followed by
 * smsDistNotifyReason, each with the row's index. 0, or -1 out of memory.
 */
int sd_mib_add_scalar(struct variable_list **vars, unsigned arc, unsigned item);
int sd_mib_add_row(struct variable_list **vars, const struct sd_snapshot *s, size_t i,
                   int reason);
int sd_mib_add_gauge(struct variable_list **vars, unsigned arc, unsigned item, uint32_t v);

/* Points the module at `served` without registering (tests). */
void sd_mib_serve(const struct sd_served *served);

#endif
