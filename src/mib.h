/*
 * mib: the SMS-DISTRIBUTION-STATUS-MIB module. One handler registered at
 * smsDistObjects answers GET and GETNEXT for the scalars and the table from
 * the current snapshot and health; every SET is refused with notWritable.
 * It only reads what it is pointed at: it owns neither the snapshot nor the
 * health record. Same code in the subagent and (later) in a dlmod.
 */
#ifndef SD_MIB_H
#define SD_MIB_H

#include "health.h"
#include "snapshot.h"

struct sd_served {
    const struct sd_snapshot *snap;     /* may be NULL: empty table */
    const struct sd_health *health;
    const char *source_display;         /* URI without credentials */
};

/* Registers the module; `served` must outlive the registration. 0 or -1. */
int sd_mib_register(const struct sd_served *served);
void sd_mib_unregister(void);

/* One varbind's GET / GETNEXT, as the handler does it (the unit tests'
 * seam). GETNEXT leaves vb untouched when nothing follows in the subtree. */
struct variable_list;
void sd_mib_get(struct variable_list *vb);
void sd_mib_getnext(struct variable_list *vb);
/* Points the module at `served` without registering (tests). */
void sd_mib_serve(const struct sd_served *served);

#endif
