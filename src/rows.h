/*
 * rows: the growable set of validated rows of one table that a decoder
 * fills and a snapshot is built from.
 *
 * Knows nothing of SNMP or of where the bytes came from. A row is a fixed
 * record of the table's row_size (its description says where each column
 * is); strings live in one arena per set (rows hold offsets), so a set is
 * two allocations, whatever its size. struct sd_row is the record of the
 * main table, SMS_DistributionStatus.
 */
#ifndef SD_ROWS_H
#define SD_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table.h"

/*
 * Longest ObjectID that can be a table index. The index is the string's
 * length plus one sub-identifier per octet, then the category:
 * column OID (14 sub-ids from 1.3.6..., SD_OID_COLUMN_PREFIX_LEN) + 1 + N + 1
 * <= 128. The MIB says SIZE (1..112); tests/mib/lint.sh checks the two agree.
 */
#define SD_OBJECTID_MAX 112
/* PackageID as an index part (ConfigMgr's IDs: site code + 5 hex digits). */
#define SD_PACKAGEID_MAX 8
/* A distribution point's server name as an index part: 1 + 8 + 1 + 100
 * sub-identifiers with PackageID, under 128 with the column prefix. */
#define SD_SERVER_MAX 100
/* DisplayString limit (RFC 2579). */
#define SD_DISPLAYSTRING_MAX 255
/* DateAndTime with UTC offset (RFC 2579). */
#define SD_DATEANDTIME_LEN 11

/* The WMI class's seven properties, in the order the decoders report them. */
enum sd_col {
    SD_COL_OBJECTID,
    SD_COL_MESSAGECATEGORY,
    SD_COL_ASSETS,
    SD_COL_LASTUPDATEDATE,
    SD_COL_OBJECTTYPEID,
    SD_COL_PACKAGEID,
    SD_COL_TYPE,
    SD_NCOLS
};

/* A decoded, validated row, as handed to sd_rows_add() (strings are copied). */
struct sd_row_in {
    const char *object_id;      /* 1..SD_OBJECTID_MAX printable ASCII */
    size_t object_id_len;
    uint32_t category;
    uint32_t assets;
    uint32_t object_type;       /* raw value, passed through unchanged */
    int32_t type;               /* raw value, 0..INT32_MAX, passed through */
    const char *package_id;     /* 0..SD_DISPLAYSTRING_MAX, may be empty */
    size_t package_id_len;
    uint8_t date[SD_DATEANDTIME_LEN];
    uint8_t date_len;           /* 11, or 8 for "unknown" (all zero) */
    uint32_t seq;               /* position in the source, for duplicates */
};

/* A stored row: offsets into the set's string arena. */
struct sd_row {
    uint32_t oid_off;           /* ObjectID */
    uint32_t pkg_off;           /* PackageID */
    uint32_t category;
    uint32_t assets;
    uint32_t object_type;
    int32_t type;
    uint32_t seq;
    uint8_t oid_len;
    uint8_t pkg_len;
    uint8_t date_len;
    uint8_t date[SD_DATEANDTIME_LEN];
};

struct sd_rows {
    const struct sd_table *t;   /* what a row is */
    union {
        struct sd_row *v;       /* owned: the main table's rows */
        unsigned char *raw;     /* the same memory, any table: row i at i * t->row_size */
    };
    size_t n, alloc;
    char *arena;                /* owned; strings are not NUL-terminated */
    size_t arena_len, arena_alloc;
    /* while rows are added: strings of SD_C_SHARED columns already in the
     * arena, so a repeat costs nothing (owned; an open-addressed set) */
    struct sd_intern { uint32_t off; uint8_t len; } *intern;
    size_t intern_cap, intern_n;
};

/* An empty set of the main table's rows; of t's rows. */
void sd_rows_init(struct sd_rows *r);
void sd_rows_init_table(struct sd_rows *r, const struct sd_table *t);
void sd_rows_fini(struct sd_rows *r);
/* Frees what only adding rows needs (the shared-string set). */
void sd_rows_done(struct sd_rows *r);
/* Copies a main-table row in; returns 0, or -1 when out of memory. */
int sd_rows_add(struct sd_rows *r, const struct sd_row_in *in);

/*
 * Adding a row of r->t column by column (the validation path): reserve a
 * zeroed slot after the last row, fill it (numbers, dates and truth values
 * in place at their column's off; strings through sd_rows_set_str, which
 * copies them into the arena), then commit it, or drop it by not
 * committing and setting arena_len back to what it was before. The slot
 * stays valid until the next reserve. NULL / -1: out of memory.
 */
void *sd_rows_reserve(struct sd_rows *r);
int sd_rows_set_str(struct sd_rows *r, void *row, const struct sd_coldef *c, const char *s,
                    size_t len);
void sd_rows_commit(struct sd_rows *r, void *row, uint32_t seq);

static inline const void *sd_rows_at(const struct sd_rows *r, size_t i)
{
    return r->raw + i * r->t->row_size;
}

/* A string column of a stored row. */
static inline const char *sd_row_str(const struct sd_rows *r, const void *row,
                                     const struct sd_coldef *c, size_t *len)
{
    *len = ((const uint8_t *)row)[c->aux];
    return r->arena + sd_row_u32(row, c->off);
}

static inline const char *sd_row_oid(const struct sd_rows *r, const struct sd_row *row)
{
    return r->arena + row->oid_off;
}

static inline const char *sd_row_pkg(const struct sd_rows *r, const struct sd_row *row)
{
    return r->arena + row->pkg_off;
}

/*
 * Index and key of a stored row, from its table's description (table.c):
 * key order of a row of ra and one of rb (the same table); a row's index
 * against the sub-identifiers idx[0..n) in OID order (<0, 0 equal, >0;
 * idx ending inside the index sorts first); the index written to out (room
 * for t->max_index); whether every column is equal; the key in words
 * ("ObjectID PS100095, MessageCategory 42") for messages.
 */
int sd_rows_key_cmp(const struct sd_rows *ra, const void *a, const struct sd_rows *rb,
                    const void *b);
int sd_rows_index_cmp(const struct sd_rows *r, const void *row, const unsigned long *idx,
                      size_t n);
size_t sd_rows_index(const struct sd_rows *r, const void *row, unsigned long *out);
bool sd_rows_same(const struct sd_rows *ra, const void *a, const struct sd_rows *rb,
                  const void *b);
void sd_rows_key_text(const struct sd_rows *r, const void *row, char *buf, size_t n);
/* The two comparisons read from the description alone, whatever the table
 * provides (what a table's own key_cmp/index_cmp must agree with). */
int sd_rows_key_cmp_any(const struct sd_rows *ra, const void *a, const struct sd_rows *rb,
                        const void *b);
int sd_rows_index_cmp_any(const struct sd_rows *r, const void *row, const unsigned long *idx,
                          size_t n);

/* The "unknown" DateAndTime: eight zero octets, as HOST-RESOURCES-MIB does. */
void sd_date_unknown(uint8_t date[SD_DATEANDTIME_LEN], uint8_t *len);

#endif
