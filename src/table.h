/*
 * table: a conceptual table is a description, read by shared machinery.
 *
 * A struct sd_table says everything that differs from one WMI class to the
 * next: the properties a decoder collects, the columns they become (kind,
 * limits, where a row keeps them, how SNMP serves them), which columns make
 * the index and in what order, which column breaks a tie between
 * duplicates, the AdminService $select, where the table sits in the MIB,
 * what counts as an error and what the summary counts, and which
 * notifications a row entering and leaving error raises. Validation
 * (record.c), storage (rows.c), sort/dedup/search/diff (snapshot.c), the
 * MIB handler (mib.c) and the notifier (notify.c) work from it alone; a
 * new table is a new description (tab_*.c), its MIB text and its tests.
 *
 * Like rows and snapshots, this knows nothing of SNMP: SMI types are named
 * here by sd_smi and mapped to net-snmp's by the MIB module.
 */
#ifndef SD_TABLE_H
#define SD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sd_rows;                 /* rows.h */

#define SD_MAX_PROPS 16
#define SD_MAX_COLS 16
#define SD_MAX_ERROR_TYPES 16

/* How a column is validated and stored. */
enum sd_kind {
    SD_K_STRING,        /* printable ASCII, 0..max characters; arena offset at off, length at aux */
    SD_K_UINT,          /* 0..max: JSON integer or decimal string; uint32_t at off */
    SD_K_DATE,          /* DateAndTime (11 octets UTC, or 8 zeros unknown) at off, length at aux */
    SD_K_BOOL,          /* TruthValue: true(1) false(2); uint8_t at off */
    SD_K_NALSERVER,     /* the server name of a NAL path (\\NAME\ at its end): as STRING */
};

/* Column flags. */
#define SD_C_REQUIRED 0x01      /* absent or null rejects the row (CSV: header must have it) */
#define SD_C_NONEMPTY 0x02      /* "" rejects the row */
#define SD_C_INDEX 0x04         /* an index part: not-accessible, its length is never cut */
#define SD_C_SHARED 0x08        /* a string that repeats across rows: stored once per load */

/* What a served value is, in SMI terms. */
enum sd_smi { SD_SMI_GAUGE, SD_SMI_INTEGER, SD_SMI_OCTETS, SD_SMI_COUNTER };

struct sd_coldef {
    const char *name;           /* the WMI property, as messages name it */
    uint8_t prop;               /* which of the table's props it is read from */
    uint8_t kind;               /* enum sd_kind */
    uint8_t flags;              /* SD_C_* */
    uint8_t mib;                /* column sub-identifier in the entry */
    uint8_t smi;                /* enum sd_smi */
    uint32_t max;               /* UINT: largest value; STRING: most characters */
    uint16_t off, aux;          /* where in the row: the value, its length octet */
};

/* What counts as an error in a table (errorTypes, contentErrorStates). */
struct sd_policy {
    int32_t error_types[SD_MAX_ERROR_TYPES];
    size_t n_error_types;
};

enum sd_state_class { SD_CLASS_SUCCESS, SD_CLASS_INPROGRESS, SD_CLASS_ERROR, SD_CLASS_OTHER };

/* A table's summary figures; the main table names its five. */
#define SD_SUM_FIGURES 8
struct sd_summary {
    union {
        struct {
            uint32_t rows_success;
            uint32_t rows_inprogress;
            uint32_t rows_error;
            uint32_t rows_other;
            uint32_t assets_error;      /* saturates at UINT32_MAX */
        };
        uint32_t fig[SD_SUM_FIGURES];
    };
};

struct sd_table {
    const char *name;                   /* MIB name of the table, for messages */
    const char *wmi_class;              /* also the key of its array in a combined export */
    const char *select;                 /* AdminService $select */
    const char *const *props;           /* property names a decoder collects */
    uint8_t nprops;
    const struct sd_coldef *cols;       /* in validation order */
    uint8_t ncols;
    const uint8_t *index;               /* cols[] positions of the index parts, in order */
    uint8_t nindex;
    uint8_t key_prop;                   /* a lone JSON object with it is a record */
    uint8_t newest;                     /* cols[] position of the date kept on duplicates,
                                         * or SD_NO_COL */
    uint16_t row_size;
    uint16_t seq_off;                   /* uint32_t: position in the source */
    size_t max_index;                   /* most sub-identifiers an index takes */
    /* Faster forms of sd_rows_key_cmp and sd_rows_index_cmp for this
     * table's index, or NULL for those (which read it from cols/index). */
    int (*key_cmp)(const struct sd_rows *ra, const void *a, const struct sd_rows *rb,
                   const void *b);
    int (*index_cmp)(const struct sd_rows *r, const void *row, const unsigned long *idx,
                     size_t n);
    /* The build's sort, as qsort_r takes it (arg: the struct sd_rows), or
     * NULL for key order, then the `newest` date, then source order. */
    int (*sort_cmp)(const void *a, const void *b, void *arg);
    /* where it is served: smsDistObjects.arc.1.column */
    unsigned arc;
    uint8_t first_col, last_col;        /* accessible columns */
    /* the rules */
    enum sd_state_class (*classify)(const struct sd_policy *p, const void *row);
    void (*summarize)(struct sd_summary *sum, const struct sd_policy *p, const void *row);
    /* notifications: a row entering and leaving error (0: none), with these
     * columns (then smsDistNotifyReason), each with the row's index */
    unsigned notif_entered, notif_left;
    const uint8_t *notif_cols;
    uint8_t n_notif_cols;
};

#define SD_NO_COL 0xff

/* SMS_DistributionStatus: smsDistStatusTable (tab_status.c). */
extern const struct sd_table sd_table_status;
/* SMS_DPStatusInfo: smsDistDPTable (tab_dp.c). */
extern const struct sd_table sd_table_dp;
/* SMS_PackageStatusDistPointsSummarizer: smsDistContentDPTable (tab_content.c). */
extern const struct sd_table sd_table_content;

/* Summary figures (fig[]) of the per-DP tables. */
enum { SD_FIG_DPS, SD_FIG_DPS_IN_ERROR };
enum { SD_FIG_CONTENT_ROWS, SD_FIG_CONTENT_FAILED, SD_FIG_CONTENT_PENDING };

/* The column of t whose MIB sub-identifier is mib, or NULL. */
const struct sd_coldef *sd_table_column(const struct sd_table *t, unsigned mib);
/* The property named name (case-insensitive), or -1. */
int sd_table_prop(const struct sd_table *t, const char *name, size_t len);

static inline uint32_t sd_row_u32(const void *row, uint16_t off)
{
    uint32_t v;

    __builtin_memcpy(&v, (const char *)row + off, sizeof(v));
    return v;
}

#endif
