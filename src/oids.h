/*
 * oids: every OID of SMS-DISTRIBUTION-STATUS-MIB that the C code uses, from
 * this one place. Re-rooting the module (say, under the project's own
 * enterprise number) is the one line SD_OID_MIB here and the MODULE-IDENTITY
 * line of the MIB; tests/mib/lint.sh checks, with snmptranslate, that every
 * name below has the number the MIB gives it.
 */
#ifndef SD_OIDS_H
#define SD_OIDS_H

#include <stddef.h>

/* netSnmpPlaypen.2007 (1.3.6.1.4.1.8072.9999.9999.2007) */
#define SD_OID_MIB 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2007
#define SD_OID_MIB_LEN 10

#define SD_OID_NOTIFICATIONS SD_OID_MIB, 0
#define SD_OID_OBJECTS SD_OID_MIB, 1
#define SD_OID_OBJECTS_LEN (SD_OID_MIB_LEN + 1)

/* Sub-identifiers below smsDistObjects. */
#define SD_ARC_SOURCE 1
#define SD_ARC_SUMMARY 2
#define SD_ARC_TABLE 3
#define SD_ARC_NOTIFY 4

/* smsDistSource.N */
enum sd_source_scalar {
    SD_SRC_URI = 1,
    SD_SRC_STATE = 2,
    SD_SRC_LAST_GOOD_LOAD = 3,
    SD_SRC_LAST_ATTEMPT = 4,
    SD_SRC_LAST_ERROR = 5,
    SD_SRC_LAST_ERROR_TIME = 6,
    SD_SRC_LOADS = 7,
    SD_SRC_LOAD_FAILURES = 8,
    SD_SRC_ROWS_SERVED = 9,
    SD_SRC_ROWS_REJECTED = 10,
    SD_SRC_ROWS_DUPLICATE = 11,
    SD_SRC_DATA_AGE = 12,
    SD_SRC_STALE_AFTER = 13,
    SD_CONF_RELOADS_REFUSED = 14,
    SD_CONF_ERROR = 15,
};

/* smsDistSummary.N */
enum sd_summary_scalar {
    SD_SUM_ROWS_SUCCESS = 1,
    SD_SUM_ROWS_INPROGRESS = 2,
    SD_SUM_ROWS_ERROR = 3,
    SD_SUM_ROWS_OTHER = 4,
    SD_SUM_ASSETS_ERROR = 5,
};

/* smsDistStatusEntry.N (smsDistStatusTable.1) */
enum sd_column {
    SD_COLUMN_OBJECTID = 1,             /* not-accessible (index) */
    SD_COLUMN_MESSAGECATEGORY = 2,      /* not-accessible (index) */
    SD_COLUMN_ASSETS = 3,
    SD_COLUMN_LASTUPDATEDATE = 4,
    SD_COLUMN_OBJECTTYPEID = 5,
    SD_COLUMN_PACKAGEID = 6,
    SD_COLUMN_TYPE = 7,
};
#define SD_COLUMN_FIRST SD_COLUMN_ASSETS
#define SD_COLUMN_LAST SD_COLUMN_TYPE

/* smsDistNotify.N: accessible-for-notify objects */
enum sd_notify_object {
    SD_NOBJ_REASON = 1,
    SD_NOBJ_SUPPRESSED = 2,
    SD_NOBJ_SENT = 3,
    SD_NOBJ_RATE_LIMITED = 4,
    SD_NOBJ_DROPPED = 5,
    SD_NOBJ_QUEUED = 6,
};

/* smsDistNotifications.N */
enum sd_notification {
    SD_NOTIF_ROW_ENTERED_ERROR = 1,
    SD_NOTIF_ROW_LEFT_ERROR = 2,
    SD_NOTIF_SOURCE_FAILED = 3,
    SD_NOTIF_SOURCE_STALE = 4,
    SD_NOTIF_SOURCE_RECOVERED = 5,
    SD_NOTIF_SUPPRESSED = 6,
};

/* Length of a column OID from 1.3.6...: objects + table(3).entry(1).column */
#define SD_OID_COLUMN_PREFIX_LEN (SD_OID_OBJECTS_LEN + 3)

/* Name → OID, for the agreement test and for log lines. */
struct sd_oid_name {
    const char *name;
    unsigned long oid[24];
    size_t len;
};
extern const struct sd_oid_name sd_oid_names[];
extern const size_t sd_oid_names_count;

#endif
