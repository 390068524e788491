/*
 * tab_dp: SMS_DPStatusInfo as smsDistDPTable, described.
 *
 * One row per distribution point, indexed by its server name (the \\NAME\
 * at the end of its NAL path: what the operator calls the DP, at most 100
 * characters, stable across restarts and reloads). A DP is in error while
 * NumberErrors is above 0; the summary counts DPs and DPs in error.
 */
#include "config.h"

#include <stddef.h>

#include "oids.h"
#include "rows.h"

#define UINT32_LIMIT 4294967295u
#define INT32_LIMIT 2147483647u

struct dp_row {
    uint32_t server_off, name_off, nal_off, version_off;
    uint32_t state, errors, inprogress, installed, unknown;
    uint32_t seq;
    uint8_t server_len, name_len, nal_len, version_len;
    uint8_t pull, pxe;
    uint8_t date_len;
    uint8_t date[SD_DATEANDTIME_LEN];
};

enum {
    P_NAME, P_NALPATH, P_STATE, P_ERRORS, P_INPROGRESS, P_INSTALLED, P_UNKNOWN, P_TIME,
    P_PULL, P_PXE, P_VERSION
};

static const char *const props[] = {
    [P_NAME] = "Name",
    [P_NALPATH] = "NALPath",
    [P_STATE] = "MessageState",
    [P_ERRORS] = "NumberErrors",
    [P_INPROGRESS] = "NumberInProgress",
    [P_INSTALLED] = "NumberInstalled",
    [P_UNKNOWN] = "NumberUnknown",
    [P_TIME] = "LastStatusTime",
    [P_PULL] = "IsPullDP",
    [P_PXE] = "IsPXE",
    [P_VERSION] = "Version",
};

#define ROW(f) (uint16_t)offsetof(struct dp_row, f)

static const struct sd_coldef cols[] = {
    { "NALPath", P_NALPATH, SD_K_NALSERVER, SD_C_REQUIRED | SD_C_NONEMPTY | SD_C_INDEX,
      SD_DPCOL_SERVER, SD_SMI_OCTETS, SD_SERVER_MAX, ROW(server_off), ROW(server_len) },
    { "Name", P_NAME, SD_K_STRING, 0,
      SD_DPCOL_NAME, SD_SMI_OCTETS, SD_DISPLAYSTRING_MAX, ROW(name_off), ROW(name_len) },
    { "NALPath", P_NALPATH, SD_K_STRING, SD_C_REQUIRED,
      SD_DPCOL_NALPATH, SD_SMI_OCTETS, SD_DISPLAYSTRING_MAX, ROW(nal_off), ROW(nal_len) },
    { "MessageState", P_STATE, SD_K_UINT, SD_C_REQUIRED,
      SD_DPCOL_MESSAGESTATE, SD_SMI_INTEGER, INT32_LIMIT, ROW(state), 0 },
    { "NumberErrors", P_ERRORS, SD_K_UINT, SD_C_REQUIRED,
      SD_DPCOL_ERRORS, SD_SMI_GAUGE, UINT32_LIMIT, ROW(errors), 0 },
    { "NumberInProgress", P_INPROGRESS, SD_K_UINT, SD_C_REQUIRED,
      SD_DPCOL_INPROGRESS, SD_SMI_GAUGE, UINT32_LIMIT, ROW(inprogress), 0 },
    { "NumberInstalled", P_INSTALLED, SD_K_UINT, SD_C_REQUIRED,
      SD_DPCOL_INSTALLED, SD_SMI_GAUGE, UINT32_LIMIT, ROW(installed), 0 },
    { "NumberUnknown", P_UNKNOWN, SD_K_UINT, SD_C_REQUIRED,
      SD_DPCOL_UNKNOWN, SD_SMI_GAUGE, UINT32_LIMIT, ROW(unknown), 0 },
    { "LastStatusTime", P_TIME, SD_K_DATE, 0,
      SD_DPCOL_LASTSTATUSTIME, SD_SMI_OCTETS, 0, ROW(date), ROW(date_len) },
    { "IsPullDP", P_PULL, SD_K_BOOL, 0,
      SD_DPCOL_ISPULLDP, SD_SMI_INTEGER, 0, ROW(pull), 0 },
    { "IsPXE", P_PXE, SD_K_BOOL, 0,
      SD_DPCOL_ISPXE, SD_SMI_INTEGER, 0, ROW(pxe), 0 },
    { "Version", P_VERSION, SD_K_STRING, 0,
      SD_DPCOL_VERSION, SD_SMI_OCTETS, SD_DISPLAYSTRING_MAX, ROW(version_off), ROW(version_len) },
};

static const uint8_t index_cols[] = { 0 };
static const uint8_t notif_cols[] = { SD_DPCOL_ERRORS, SD_DPCOL_NALPATH, SD_DPCOL_MESSAGESTATE };

static enum sd_state_class classify(const struct sd_policy *p, const void *row)
{
    const struct dp_row *r = row;

    (void)p;
    if (r->errors > 0)
        return SD_CLASS_ERROR;
    return r->inprogress > 0 ? SD_CLASS_INPROGRESS : SD_CLASS_SUCCESS;
}

static void summarize(struct sd_summary *sum, const struct sd_policy *p, const void *row)
{
    sum->fig[SD_FIG_DPS]++;
    if (classify(p, row) == SD_CLASS_ERROR)
        sum->fig[SD_FIG_DPS_IN_ERROR]++;
}

const struct sd_table sd_table_dp = {
    .name = "smsDistDPTable",
    .wmi_class = "SMS_DPStatusInfo",
    .select = "Name,NALPath,MessageState,NumberErrors,NumberInProgress,NumberInstalled,"
              "NumberUnknown,LastStatusTime,IsPullDP,IsPXE,Version",
    .props = props,
    .nprops = sizeof(props) / sizeof(props[0]),
    .cols = cols,
    .ncols = sizeof(cols) / sizeof(cols[0]),
    .index = index_cols,
    .nindex = sizeof(index_cols),
    .key_prop = P_NALPATH,
    .newest = 8,
    .row_size = sizeof(struct dp_row),
    .seq_off = ROW(seq),
    .max_index = 1 + SD_SERVER_MAX,
    .arc = SD_ARC_DP_TABLE,
    .first_col = SD_DPCOL_NAME,
    .last_col = SD_DPCOL_VERSION,
    .classify = classify,
    .summarize = summarize,
    .notif_entered = SD_NOTIF_DP_ERRORS_RAISED,
    .notif_left = SD_NOTIF_DP_ERRORS_CLEARED,
    .notif_cols = notif_cols,
    .n_notif_cols = sizeof(notif_cols),
};
