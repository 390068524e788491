/*
 * tab_content: SMS_PackageStatusDistPointsSummarizer as
 * smsDistContentDPTable, described.
 *
 * One row per content x distribution point, indexed by {PackageID, server
 * name from ServerNALPath}: both the row's identity in ConfigMgr (stable
 * across restarts and reloads), both strings (readable in a walk), at most
 * 1 + 8 + 1 + 100 sub-identifiers, and PackageID first, so one walk under
 * a PackageID lists every DP of that content. A row is failed while its
 * State is one of contentErrorStates (default 3 INSTALL_FAILED and 6
 * REMOVAL_FAILED); pending states count as in progress.
 *
 * A large site has a million of these rows: strings that repeat (server
 * names, site codes, SecureObjectIDs, PackageIDs) are stored once per
 * load (SD_C_SHARED), so a row costs its 60-byte record.
 */
#include "config.h"

#include <stddef.h>

#include "oids.h"
#include "rows.h"
#include "snapshot.h"

#define UINT32_LIMIT 4294967295u
#define INT32_LIMIT 2147483647u

struct content_row {
    uint32_t pkg_off, server_off, site_off, secure_off;
    uint32_t state, type, version;
    uint32_t seq;
    uint8_t pkg_len, server_len, site_len, secure_len;
    uint8_t copied_len, summary_len;
    uint8_t copied[SD_DATEANDTIME_LEN];
    uint8_t summary[SD_DATEANDTIME_LEN];
};

enum { P_PACKAGEID, P_SERVER, P_SITE, P_STATE, P_TYPE, P_VERSION, P_COPIED, P_SUMMARY, P_SECURE };

static const char *const props[] = {
    [P_PACKAGEID] = "PackageID",
    [P_SERVER] = "ServerNALPath",
    [P_SITE] = "SiteCode",
    [P_STATE] = "State",
    [P_TYPE] = "PackageType",
    [P_VERSION] = "SourceVersion",
    [P_COPIED] = "LastCopied",
    [P_SUMMARY] = "SummaryDate",
    [P_SECURE] = "SecureObjectID",
};

#define ROW(f) (uint16_t)offsetof(struct content_row, f)
#define KEY (SD_C_REQUIRED | SD_C_NONEMPTY | SD_C_INDEX | SD_C_SHARED)

static const struct sd_coldef cols[] = {
    { "PackageID", P_PACKAGEID, SD_K_STRING, KEY,
      SD_CCOL_PACKAGEID, SD_SMI_OCTETS, SD_PACKAGEID_MAX, ROW(pkg_off), ROW(pkg_len) },
    { "ServerNALPath", P_SERVER, SD_K_NALSERVER, KEY,
      SD_CCOL_SERVER, SD_SMI_OCTETS, SD_SERVER_MAX, ROW(server_off), ROW(server_len) },
    { "SiteCode", P_SITE, SD_K_STRING, SD_C_SHARED,
      SD_CCOL_SITECODE, SD_SMI_OCTETS, 3, ROW(site_off), ROW(site_len) },
    { "State", P_STATE, SD_K_UINT, SD_C_REQUIRED,
      SD_CCOL_STATE, SD_SMI_INTEGER, INT32_LIMIT, ROW(state), 0 },
    { "PackageType", P_TYPE, SD_K_UINT, SD_C_REQUIRED,
      SD_CCOL_PACKAGETYPE, SD_SMI_INTEGER, INT32_LIMIT, ROW(type), 0 },
    { "SourceVersion", P_VERSION, SD_K_UINT, SD_C_REQUIRED,
      SD_CCOL_SOURCEVERSION, SD_SMI_GAUGE, UINT32_LIMIT, ROW(version), 0 },
    { "LastCopied", P_COPIED, SD_K_DATE, 0,
      SD_CCOL_LASTCOPIED, SD_SMI_OCTETS, 0, ROW(copied), ROW(copied_len) },
    { "SummaryDate", P_SUMMARY, SD_K_DATE, 0,
      SD_CCOL_SUMMARYDATE, SD_SMI_OCTETS, 0, ROW(summary), ROW(summary_len) },
    { "SecureObjectID", P_SECURE, SD_K_STRING, SD_C_SHARED,
      SD_CCOL_SECUREOBJECTID, SD_SMI_OCTETS, SD_OBJECTID_MAX, ROW(secure_off), ROW(secure_len) },
};

static const uint8_t index_cols[] = { 0, 1 };
static const uint8_t notif_cols[] = { SD_CCOL_STATE, SD_CCOL_SITECODE, SD_CCOL_SECUREOBJECTID };

static enum sd_state_class classify(const struct sd_policy *p, const void *row)
{
    uint32_t state = ((const struct content_row *)row)->state;

    if (sd_policy_has(p, (int32_t)state))
        return SD_CLASS_ERROR;
    switch (state) {
    case 0:                     /* INSTALLED */
    case 8:                     /* CONTENT_MONITORING */
        return SD_CLASS_SUCCESS;
    case 1: case 2: case 4: case 5: case 7:     /* pending, retrying, updating */
        return SD_CLASS_INPROGRESS;
    default:
        return SD_CLASS_OTHER;
    }
}

static void summarize(struct sd_summary *sum, const struct sd_policy *p, const void *row)
{
    sum->fig[SD_FIG_CONTENT_ROWS]++;
    switch (classify(p, row)) {
    case SD_CLASS_ERROR:
        sum->fig[SD_FIG_CONTENT_FAILED]++;
        break;
    case SD_CLASS_INPROGRESS:
        sum->fig[SD_FIG_CONTENT_PENDING]++;
        break;
    default:
        break;
    }
}

const struct sd_table sd_table_content = {
    .name = "smsDistContentDPTable",
    .wmi_class = "SMS_PackageStatusDistPointsSummarizer",
    .select = "PackageID,ServerNALPath,SiteCode,State,PackageType,SourceVersion,LastCopied,"
              "SummaryDate,SecureObjectID",
    .props = props,
    .nprops = sizeof(props) / sizeof(props[0]),
    .cols = cols,
    .ncols = sizeof(cols) / sizeof(cols[0]),
    .index = index_cols,
    .nindex = sizeof(index_cols),
    .key_prop = P_PACKAGEID,
    .newest = 7,
    .row_size = sizeof(struct content_row),
    .seq_off = ROW(seq),
    .max_index = 2 + SD_PACKAGEID_MAX + SD_SERVER_MAX,
    .arc = SD_ARC_CONTENT_TABLE,
    .first_col = SD_CCOL_SITECODE,
    .last_col = SD_CCOL_SECUREOBJECTID,
    .classify = classify,
    .summarize = summarize,
    .notif_entered = SD_NOTIF_CONTENT_FAILED,
    .notif_left = SD_NOTIF_CONTENT_RECOVERED,
    .notif_cols = notif_cols,
    .n_notif_cols = sizeof(notif_cols),
};
