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
#define SD_ARC_LOAD_TABLE 5
#define SD_ARC_DP_TABLE 6
#define SD_ARC_CONTENT_TABLE 7
#define SD_ARC_DP_SUMMARY 8

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

/* smsDistLoadEntry.N (smsDistLoadTable.1), index SmsDistTableId */
enum sd_load_column {
    SD_LCOL_TABLE = 1,                  /* not-accessible (index) */
    SD_LCOL_URI,
    SD_LCOL_STATE,
    SD_LCOL_LAST_GOOD,
    SD_LCOL_LAST_ATTEMPT,
    SD_LCOL_LAST_ERROR,
    SD_LCOL_LAST_ERROR_TIME,
    SD_LCOL_LOADS,
    SD_LCOL_FAILURES,
    SD_LCOL_ROWS_SERVED,
    SD_LCOL_ROWS_REJECTED,
    SD_LCOL_ROWS_DUPLICATE,
    SD_LCOL_DATA_AGE,
    SD_LCOL_STALE_AFTER,
};

/* smsDistDPEntry.N (smsDistDPTable.1) */
enum sd_dp_column {
    SD_DPCOL_SERVER = 1,                /* not-accessible (index) */
    SD_DPCOL_NAME,
    SD_DPCOL_NALPATH,
    SD_DPCOL_MESSAGESTATE,
    SD_DPCOL_ERRORS,
    SD_DPCOL_INPROGRESS,
    SD_DPCOL_INSTALLED,
    SD_DPCOL_UNKNOWN,
    SD_DPCOL_LASTSTATUSTIME,
    SD_DPCOL_ISPULLDP,
    SD_DPCOL_ISPXE,
    SD_DPCOL_VERSION,
};

/* smsDistContentDPEntry.N (smsDistContentDPTable.1) */
enum sd_content_column {
    SD_CCOL_PACKAGEID = 1,              /* not-accessible (index) */
    SD_CCOL_SERVER,                     /* not-accessible (index) */
    SD_CCOL_SITECODE,
    SD_CCOL_STATE,
    SD_CCOL_PACKAGETYPE,
    SD_CCOL_SOURCEVERSION,
    SD_CCOL_LASTCOPIED,
    SD_CCOL_SUMMARYDATE,
    SD_CCOL_SECUREOBJECTID,
};

/* smsDistDPSummary.N */
enum sd_dp_summary_scalar {
    SD_DPS_COUNT = 1,
    SD_DPS_WITH_ERRORS,
    SD_DPS_CONTENT_ROWS,
    SD_DPS_CONTENT_FAILED,
    SD_DPS_CONTENT_PENDING,
};

/* smsDistNotify.N: accessible-for-notify objects */
enum sd_notify_object {
    SD_NOBJ_REASON = 1,
    SD_NOBJ_SUPPRESSED = 2,
    SD_NOBJ_SENT = 3,
    SD_NOBJ_RATE_LIMITED = 4,
    SD_NOBJ_DROPPED = 5,
    SD_NOBJ_QUEUED = 6,
    SD_NOBJ_DEFERRED = 7,
};

/* smsDistNotifications.N */
enum sd_notification {
    SD_NOTIF_ROW_ENTERED_ERROR = 1,
    SD_NOTIF_ROW_LEFT_ERROR = 2,
    SD_NOTIF_SOURCE_FAILED = 3,
    SD_NOTIF_SOURCE_STALE = 4,
    SD_NOTIF_SOURCE_RECOVERED = 5,
    SD_NOTIF_SUPPRESSED = 6,
    SD_NOTIF_CONTENT_FAILED = 7,
    SD_NOTIF_CONTENT_RECOVERED = 8,
    SD_NOTIF_DP_ERRORS_RAISED = 9,
    SD_NOTIF_DP_ERRORS_CLEARED = 10,
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
