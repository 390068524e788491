/*
 * rows: one SMS_DistributionStatus row, validated, and the growable set of
 * them that a decoder fills and a snapshot is built from.
 *
 * Knows nothing of SNMP or of where the bytes came from. Strings live in one
 * arena per set (rows hold offsets), so a row costs ~40 bytes plus its
 * strings and a set is two allocations, whatever its size.
 */
#ifndef SD_ROWS_H
#define SD_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Longest ObjectID that can be a table index. The index is the string's
 * length plus one sub-identifier per octet, then the category:
 * column OID (14 sub-ids from 1.3.6..., SD_OID_COLUMN_PREFIX_LEN) + 1 + N + 1
 * <= 128. The MIB says SIZE (1..112); tests/mib/lint.sh checks the two agree.
 */
#define SD_OBJECTID_MAX 112
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
    struct sd_row *v;           /* owned */
    size_t n, alloc;
    char *arena;                /* owned; strings are not NUL-terminated */
    size_t arena_len, arena_alloc;
};

void sd_rows_init(struct sd_rows *r);
void sd_rows_fini(struct sd_rows *r);
/* Copies the row in; returns 0, or -1 when out of memory. */
int sd_rows_add(struct sd_rows *r, const struct sd_row_in *in);

static inline const char *sd_row_oid(const struct sd_rows *r, const struct sd_row *row)
{
    return r->arena + row->oid_off;
}

static inline const char *sd_row_pkg(const struct sd_rows *r, const struct sd_row *row)
{
    return r->arena + row->pkg_off;
}

/* The "unknown" DateAndTime: eight zero octets, as HOST-RESOURCES-MIB does. */
void sd_date_unknown(uint8_t date[SD_DATEANDTIME_LEN], uint8_t *len);

#endif
