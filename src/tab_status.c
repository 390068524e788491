/*
 * tab_status: SMS_DistributionStatus as smsDistStatusTable, described.
 *
 * One row per content object and status-message category; the index is
 * {ObjectID (length-prefixed octets), MessageCategory}. A row is in error
 * when its Type is one of errorTypes (default 3 and 4); the summary counts
 * rows by Type and the assets of the rows in error. The validation rules
 * are the table in doc/design.md.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "oids.h"
#include "rows.h"
#include "snapshot.h"

#define UINT32_LIMIT 4294967295u
#define INT32_LIMIT 2147483647u

enum { P_OBJECTID, P_CATEGORY, P_ASSETS, P_DATE, P_OBJECTTYPE, P_PACKAGEID, P_TYPE };

static const char *const props[] = {
    [P_OBJECTID] = "ObjectID",
    [P_CATEGORY] = "MessageCategory",
    [P_ASSETS] = "Assets",
    [P_DATE] = "LastUpdateDate",
    [P_OBJECTTYPE] = "ObjectTypeID",
    [P_PACKAGEID] = "PackageID",
    [P_TYPE] = "Type",
};

#define ROW(f) (uint16_t)offsetof(struct sd_row, f)

/* In the order rows are checked; the first bad one is reported. */
static const struct sd_coldef cols[] = {
    { "ObjectID", P_OBJECTID, SD_K_STRING, SD_C_REQUIRED | SD_C_NONEMPTY | SD_C_INDEX,
      SD_COLUMN_OBJECTID, SD_SMI_OCTETS, SD_OBJECTID_MAX, ROW(oid_off), ROW(oid_len) },
    { "MessageCategory", P_CATEGORY, SD_K_UINT, SD_C_REQUIRED | SD_C_INDEX,
      SD_COLUMN_MESSAGECATEGORY, SD_SMI_GAUGE, UINT32_LIMIT, ROW(category), 0 },
    { "Assets", P_ASSETS, SD_K_UINT, SD_C_REQUIRED,
      SD_COLUMN_ASSETS, SD_SMI_GAUGE, UINT32_LIMIT, ROW(assets), 0 },
    { "LastUpdateDate", P_DATE, SD_K_DATE, 0,
      SD_COLUMN_LASTUPDATEDATE, SD_SMI_OCTETS, 0, ROW(date), ROW(date_len) },
    /* ObjectTypeID and Type are INTEGER textual conventions in the MIB. */
    { "ObjectTypeID", P_OBJECTTYPE, SD_K_UINT, SD_C_REQUIRED,
      SD_COLUMN_OBJECTTYPEID, SD_SMI_INTEGER, INT32_LIMIT, ROW(object_type), 0 },
    { "PackageID", P_PACKAGEID, SD_K_STRING, 0,
      SD_COLUMN_PACKAGEID, SD_SMI_OCTETS, SD_DISPLAYSTRING_MAX, ROW(pkg_off), ROW(pkg_len) },
    { "Type", P_TYPE, SD_K_UINT, SD_C_REQUIRED,
      SD_COLUMN_TYPE, SD_SMI_INTEGER, INT32_LIMIT, ROW(type), 0 },
};

static const uint8_t index_cols[] = { 0, 1 };
static const uint8_t notif_cols[] = {
    SD_COLUMN_ASSETS, SD_COLUMN_LASTUPDATEDATE, SD_COLUMN_OBJECTTYPEID, SD_COLUMN_PACKAGEID,
    SD_COLUMN_TYPE,
};

/*
 * The index {len, ObjectID octets..., MessageCategory}, compared directly:
 * the sort runs this n log n times and every request log n times, and the
 * generic forms (table.c) cost twice as much here.
 */
static inline int key_cmp(const struct sd_rows *ra, const void *pa, const struct sd_rows *rb,
                   const void *pb)
{
    const struct sd_row *a = pa, *b = pb;
    int c;

    if (a->oid_len != b->oid_len)
        return a->oid_len < b->oid_len ? -1 : 1;
    c = memcmp(ra->arena + a->oid_off, rb->arena + b->oid_off, a->oid_len);
    if (c)
        return c;
    if (a->category != b->category)
        return a->category < b->category ? -1 : 1;
    return 0;
}

/* Key order; within a key, the row to keep last (latest date, then seq). */
static int sort_cmp(const void *pa, const void *pb, void *arg)
{
    const struct sd_rows *r = arg;
    const struct sd_row *a = pa, *b = pb;
    int c = key_cmp(r, a, r, b);

    if (c)
        return c;
    /* DateAndTime in UTC compares as bytes; "unknown" (8 zeros) sorts first. */
    c = memcmp(a->date, b->date, SD_DATEANDTIME_LEN);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int index_cmp(const struct sd_rows *r, const void *prow, const unsigned long *idx,
                     size_t n)
{
    const struct sd_row *row = prow;
    const unsigned char *oid = (const unsigned char *)r->arena + row->oid_off;
    size_t len = row->oid_len, m;

    if (n == 0)
        return 1;
    if (idx[0] != len)
        return len < idx[0] ? -1 : 1;
    m = n - 1 < len ? n - 1 : len;
    for (size_t k = 0; k < m; k++)
        if (oid[k] != idx[k + 1])
            return oid[k] < idx[k + 1] ? -1 : 1;
    if (n <= len + 1)
        return 1;               /* idx stops inside the row's index */
    if (row->category != idx[len + 1])
        return row->category < idx[len + 1] ? -1 : 1;
    return n == len + 2 ? 0 : -1;
}

static enum sd_state_class classify(const struct sd_policy *p, const void *row)
{
    return sd_policy_class(p, ((const struct sd_row *)row)->type);
}

static void summarize(struct sd_summary *sum, const struct sd_policy *p, const void *row)
{
    const struct sd_row *r = row;

    switch (classify(p, r)) {
    case SD_CLASS_SUCCESS:
        sum->rows_success++;
        break;
    case SD_CLASS_INPROGRESS:
        sum->rows_inprogress++;
        break;
    case SD_CLASS_ERROR:
        sum->rows_error++;
        sum->assets_error = (r->assets > UINT32_MAX - sum->assets_error)
                                ? UINT32_MAX : sum->assets_error + r->assets;
        break;
    case SD_CLASS_OTHER:
        sum->rows_other++;
        break;
    }
}

const struct sd_table sd_table_status = {
    .name = "smsDistStatusTable",
    .wmi_class = "SMS_DistributionStatus",
    .select = "ObjectID,MessageCategory,Assets,LastUpdateDate,ObjectTypeID,PackageID,Type",
    .props = props,
    .nprops = sizeof(props) / sizeof(props[0]),
    .cols = cols,
    .ncols = sizeof(cols) / sizeof(cols[0]),
    .index = index_cols,
    .nindex = sizeof(index_cols),
    .key_prop = P_OBJECTID,
    .newest = 3,
    .row_size = sizeof(struct sd_row),
    .seq_off = ROW(seq),
    .max_index = 2 + SD_OBJECTID_MAX,
    .key_cmp = key_cmp,
    .index_cmp = index_cmp,
    .sort_cmp = sort_cmp,
    .arc = SD_ARC_TABLE,
    .first_col = SD_COLUMN_FIRST,
    .last_col = SD_COLUMN_LAST,
    .classify = classify,
    .summarize = summarize,
    .notif_entered = SD_NOTIF_ROW_ENTERED_ERROR,
    .notif_left = SD_NOTIF_ROW_LEFT_ERROR,
    .notif_cols = notif_cols,
    .n_notif_cols = sizeof(notif_cols),
};
