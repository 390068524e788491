/*
 * snapshot: one complete, immutable data set as served.
 *
 * Built off the main thread from a decoder's rows: sorted once into SNMP
 * index order, duplicates dropped, summary figures counted. After that it is
 * only read, by the main thread, until it is replaced whole; so a request
 * never sees half a data set. Knows nothing of net-snmp: the index search
 * takes sub-identifiers as unsigned longs (what net-snmp's `oid` is).
 */
#ifndef SD_SNAPSHOT_H
#define SD_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgs.h"
#include "rows.h"
#include "table.h"

struct sd_snapshot {
    atomic_uint refs;           /* shared by the main thread and load requests */
    struct sd_rows rows;        /* sorted by index, unique */
    struct sd_summary sum;
    struct sd_policy policy;    /* what counted as Error when sum was made */
    unsigned long rejected;     /* rows the decoder skipped */
    unsigned long duplicates;   /* rows dropped as duplicates */
};

/* errorTypes 3 4 (the main table's default). */
void sd_policy_default(struct sd_policy *p);
/* Whether v is one of p's values. */
bool sd_policy_has(const struct sd_policy *p, int32_t v);
/* The main table's rule: Type 1 success, 2 in progress, p's values error. */
enum sd_state_class sd_policy_class(const struct sd_policy *p, int32_t type);

/*
 * Takes over `rows` (left empty), sorts and deduplicates them. Duplicate
 * keys keep the row with the latest date of the table's `newest` column, on
 * a tie the later one in the source (highest seq); each dropped row is
 * reported in msgs.
 * Returns NULL only when out of memory (rows are then freed).
 */
struct sd_snapshot *sd_snapshot_build(struct sd_rows *rows, const struct sd_policy *p,
                                      unsigned long rejected, const char *origin,
                                      struct sd_msgs *msgs);
/* A new reference (the snapshot is immutable: any thread may read it). */
struct sd_snapshot *sd_snapshot_ref(struct sd_snapshot *s);
/* Drops a reference; the last one frees. NULL is fine. */
void sd_snapshot_free(struct sd_snapshot *s);

static inline size_t sd_snapshot_count(const struct sd_snapshot *s)
{
    return s ? s->rows.n : 0;
}

/*
 * Compares row i's index {len, octets..., category} with the sub-identifier
 * sequence idx[0..n) in OID order: <0, 0 (equal and same length), >0.
 */
int sd_snapshot_index_cmp(const struct sd_snapshot *s, size_t i,
                          const unsigned long *idx, size_t n);
/* The row whose index equals idx, or -1. */
long sd_snapshot_find(const struct sd_snapshot *s, const unsigned long *idx, size_t n);
/* The first row whose index is greater than idx (n == 0: the first row);
 * sd_snapshot_count(s) when there is none. */
size_t sd_snapshot_next(const struct sd_snapshot *s, const unsigned long *idx, size_t n);
/*
 * sd_snapshot_next with a cursor: when idx is exactly the index of row
 * *hint (as in a walk, which asks for what follows the row it was just
 * given), that row's successor without a search. *hint is updated to the
 * row returned; any value is safe (it is checked, never trusted).
 */
size_t sd_snapshot_next_hint(const struct sd_snapshot *s, const unsigned long *idx, size_t n,
                             size_t *hint);
/* Writes row i's index into out (room for the table's max_index); returns its length. */
size_t sd_snapshot_index(const struct sd_snapshot *s, size_t i, unsigned long *out);

/* What happened to a row between two snapshots, as far as Error goes. */
enum sd_change {
    SD_CHANGE_ENTERED = 1,      /* in error now, was not (or is new) */
    SD_CHANGE_LEFT = 2,         /* in error before, not now */
    SD_CHANGE_REMOVED = 3,      /* in error before, gone now */
    SD_CHANGE_PRESENT = 4,      /* in error in the first snapshot */
};

/*
 * Calls cb once per row that entered or left Error between old and new (a
 * merge over the two sorted snapshots, O(n)). A row of old is judged by the
 * policy old was built with, a row of new by p: so a change of errorTypes
 * alone enters and leaves rows too. `s` and `i` name the row the
 * change is about: in new, or in old for SD_CHANGE_REMOVED. With old NULL,
 * every error row of new is SD_CHANGE_PRESENT. Returns the number of calls.
 */
typedef void sd_change_cb(void *ctx, enum sd_change change, const struct sd_snapshot *s, size_t i);
size_t sd_snapshot_diff(const struct sd_snapshot *old, const struct sd_snapshot *new_,
                        const struct sd_policy *p, sd_change_cb *cb, void *ctx);

/* sd_snapshot_diff's findings as a list, so the loader thread can compute
 * them and the main thread only act on them. */
struct sd_change_item {
    uint32_t row;               /* in new, or in old for SD_CHANGE_REMOVED */
    uint8_t change;             /* enum sd_change */
};
struct sd_changes {
    struct sd_change_item *v;   /* owned */
    size_t n, alloc;
};
/* 0, or -1 when out of memory (then out holds what fitted). */
int sd_snapshot_changes(const struct sd_snapshot *old, const struct sd_snapshot *new_,
                        const struct sd_policy *p, struct sd_changes *out);
void sd_changes_fini(struct sd_changes *c);

/* The same errorTypes, as sets. */
bool sd_policy_equal(const struct sd_policy *a, const struct sd_policy *b);
/* Same rows, same values, same policy (for "a reload that decodes to the same rows changes nothing"). */
bool sd_snapshot_same_rows(const struct sd_snapshot *a, const struct sd_snapshot *b);

#endif
