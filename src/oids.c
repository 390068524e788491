/* oids: the name → OID table, see oids.h. */
#include "config.h"

#include "oids.h"
#include "rows.h"

/* The longest index must fit the 128 sub-identifiers SNMP allows. */
_Static_assert(SD_OID_COLUMN_PREFIX_LEN + 1 + SD_OBJECTID_MAX + 1 <= 128,
               "SD_OBJECTID_MAX does not fit an OID under this root");

#define N(name, ...) { name, { __VA_ARGS__ }, sizeof((unsigned long[]){ __VA_ARGS__ }) / sizeof(unsigned long) }

const struct sd_oid_name sd_oid_names[] = {
    N("smsDistMIB", SD_OID_MIB),
    N("smsDistNotifications", SD_OID_NOTIFICATIONS),
    N("smsDistObjects", SD_OID_OBJECTS),
    N("smsDistSource", SD_OID_OBJECTS, SD_ARC_SOURCE),
    N("smsDistSourceURI", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_URI),
    N("smsDistSourceState", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_STATE),
    N("smsDistSourceLastGoodLoad", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_LAST_GOOD_LOAD),
    N("smsDistSourceLastAttempt", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_LAST_ATTEMPT),
    N("smsDistSourceLastError", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_LAST_ERROR),
    N("smsDistSourceLastErrorTime", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_LAST_ERROR_TIME),
    N("smsDistSourceLoads", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_LOADS),
    N("smsDistSourceLoadFailures", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_LOAD_FAILURES),
    N("smsDistSourceRowsServed", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_ROWS_SERVED),
    N("smsDistSourceRowsRejected", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_ROWS_REJECTED),
    N("smsDistSourceRowsDuplicate", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_ROWS_DUPLICATE),
    N("smsDistSourceDataAge", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_DATA_AGE),
    N("smsDistSourceStaleAfter", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_SRC_STALE_AFTER),
    N("smsDistConfigReloadsRefused", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_CONF_RELOADS_REFUSED),
    N("smsDistConfigError", SD_OID_OBJECTS, SD_ARC_SOURCE, SD_CONF_ERROR),
    N("smsDistSummary", SD_OID_OBJECTS, SD_ARC_SUMMARY),
    N("smsDistRowsSuccess", SD_OID_OBJECTS, SD_ARC_SUMMARY, SD_SUM_ROWS_SUCCESS),
    N("smsDistRowsInProgress", SD_OID_OBJECTS, SD_ARC_SUMMARY, SD_SUM_ROWS_INPROGRESS),
    N("smsDistRowsError", SD_OID_OBJECTS, SD_ARC_SUMMARY, SD_SUM_ROWS_ERROR),
    N("smsDistRowsOtherType", SD_OID_OBJECTS, SD_ARC_SUMMARY, SD_SUM_ROWS_OTHER),
    N("smsDistAssetsError", SD_OID_OBJECTS, SD_ARC_SUMMARY, SD_SUM_ASSETS_ERROR),
    N("smsDistStatusTable", SD_OID_OBJECTS, SD_ARC_TABLE),
    N("smsDistStatusEntry", SD_OID_OBJECTS, SD_ARC_TABLE, 1),
    N("smsDistStatusObjectID", SD_OID_OBJECTS, SD_ARC_TABLE, 1, SD_COLUMN_OBJECTID),
    N("smsDistStatusMessageCategory", SD_OID_OBJECTS, SD_ARC_TABLE, 1, SD_COLUMN_MESSAGECATEGORY),
    N("smsDistStatusAssets", SD_OID_OBJECTS, SD_ARC_TABLE, 1, SD_COLUMN_ASSETS),
    N("smsDistStatusLastUpdateDate", SD_OID_OBJECTS, SD_ARC_TABLE, 1, SD_COLUMN_LASTUPDATEDATE),
    N("smsDistStatusObjectTypeID", SD_OID_OBJECTS, SD_ARC_TABLE, 1, SD_COLUMN_OBJECTTYPEID),
    N("smsDistStatusPackageID", SD_OID_OBJECTS, SD_ARC_TABLE, 1, SD_COLUMN_PACKAGEID),
    N("smsDistStatusType", SD_OID_OBJECTS, SD_ARC_TABLE, 1, SD_COLUMN_TYPE),
    N("smsDistNotify", SD_OID_OBJECTS, SD_ARC_NOTIFY),
    N("smsDistNotifyReason", SD_OID_OBJECTS, SD_ARC_NOTIFY, SD_NOBJ_REASON),
    N("smsDistNotifySuppressed", SD_OID_OBJECTS, SD_ARC_NOTIFY, SD_NOBJ_SUPPRESSED),
    N("smsDistNotifySent", SD_OID_OBJECTS, SD_ARC_NOTIFY, SD_NOBJ_SENT),
    N("smsDistNotifyRateLimited", SD_OID_OBJECTS, SD_ARC_NOTIFY, SD_NOBJ_RATE_LIMITED),
    N("smsDistNotifyDropped", SD_OID_OBJECTS, SD_ARC_NOTIFY, SD_NOBJ_DROPPED),
    N("smsDistNotifyQueued", SD_OID_OBJECTS, SD_ARC_NOTIFY, SD_NOBJ_QUEUED),
    N("smsDistRowEnteredError", SD_OID_NOTIFICATIONS, SD_NOTIF_ROW_ENTERED_ERROR),
    N("smsDistRowLeftError", SD_OID_NOTIFICATIONS, SD_NOTIF_ROW_LEFT_ERROR),
    N("smsDistSourceFailed", SD_OID_NOTIFICATIONS, SD_NOTIF_SOURCE_FAILED),
    N("smsDistSourceStale", SD_OID_NOTIFICATIONS, SD_NOTIF_SOURCE_STALE),
    N("smsDistSourceRecovered", SD_OID_NOTIFICATIONS, SD_NOTIF_SOURCE_RECOVERED),
    N("smsDistNotificationsSuppressed", SD_OID_NOTIFICATIONS, SD_NOTIF_SUPPRESSED),
};

const size_t sd_oid_names_count = sizeof(sd_oid_names) / sizeof(sd_oid_names[0]);
