/*
 * mib: request handling for SMS-DISTRIBUTION-STATUS-MIB, see mib.h.
 *
 * The subtree below smsDistObjects is a sorted list of arcs, each either a
 * group of scalar instances or a table, walked column by column and served
 * from its description (table.h) and its current snapshot. GETNEXT finds
 * the first instance after the request: the arcs in order, a scan of a
 * short scalar list, a binary search of a snapshot per column (or none: a
 * walk's next row is the one after the row answered last). No request
 * allocates (values up to 40 octets fit the varbind's own buffer).
 */
#include "sd_snmp.h"

#include <stddef.h>
#include <string.h>

#include "mib.h"
#include "oids.h"

_Static_assert(sizeof(oid) == sizeof(unsigned long), "snapshot searches take oid as unsigned long");

static const oid objects_oid[] = { SD_OID_OBJECTS };
#define OBJECTS_LEN OID_LENGTH(objects_oid)

static const struct sd_served *served;
static netsnmp_handler_registration *registration;

/*
 * The tables, in OID order, each at its arc below smsDistObjects: the
 * described ones with where their snapshot is, and smsDistLoadTable (t
 * NULL), whose rows are the sources' health records.
 */
struct table_arc {
    unsigned arc;
    const struct sd_table *t;
    size_t snap_at;             /* offsetof(struct sd_served, ...) */
    size_t walk_hint;           /* the row GETNEXT answered last */
};
static struct table_arc tables[] = {
    { SD_ARC_TABLE, &sd_table_status, offsetof(struct sd_served, snap), 0 },
    { SD_ARC_LOAD_TABLE, NULL, 0, 0 },
    { SD_ARC_DP_TABLE, &sd_table_dp, offsetof(struct sd_served, dp_snap), 0 },
    { SD_ARC_CONTENT_TABLE, &sd_table_content, offsetof(struct sd_served, content_snap), 0 },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static const struct sd_snapshot *snap_of(const struct table_arc *ta)
{
    return *(const struct sd_snapshot *const *)((const char *)served + ta->snap_at);
}

static struct table_arc *table_at(unsigned long arc)
{
    for (size_t k = 0; k < NTABLES; k++)
        if (tables[k].arc == arc)
            return &tables[k];
    return NULL;
}

/* --- values -------------------------------------------------------------- */

static void set_u32(netsnmp_variable_list *vb, u_char type, uint32_t v)
{
    snmp_set_var_typed_value(vb, type, &v, sizeof(v));
}

static void set_i32(netsnmp_variable_list *vb, int32_t v)
{
    snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
}

static void set_str(netsnmp_variable_list *vb, const char *s, size_t len)
{
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, s, len);
}

static void set_time(netsnmp_variable_list *vb, time_t t)
{
    unsigned char d[11];
    size_t len = sd_health_dateandtime(t, d);

    snmp_set_var_typed_value(vb, ASN_OCTET_STR, d, len);
}

static const struct sd_summary *summary(void)
{
    static const struct sd_summary empty;

    return served->snap ? &served->snap->sum : &empty;
}

/*
 * A source's health as the smsDistSource scalars number it (item) and
 * smsDistLoadTable's columns do, one higher: the main source's scalars and
 * every row of the load table are the same code.
 */
static void get_health(netsnmp_variable_list *vb, unsigned item, const struct sd_served_load *l)
{
    const struct sd_health *h = l->health;
    const struct sd_snapshot *s = l->snap;
    time_t now = time(NULL);

    switch (item) {
    case SD_SRC_URI:
        set_str(vb, l->display, strlen(l->display));
        break;
    case SD_SRC_STATE:
        set_i32(vb, (int32_t)sd_health_state(h, now));
        break;
    case SD_SRC_LAST_GOOD_LOAD:
        set_time(vb, h->last_good);
        break;
    case SD_SRC_LAST_ATTEMPT:
        set_time(vb, h->last_attempt);
        break;
    case SD_SRC_LAST_ERROR:
        set_str(vb, h->last_error, strlen(h->last_error));
        break;
    case SD_SRC_LAST_ERROR_TIME:
        set_time(vb, h->last_error_time);
        break;
    case SD_SRC_LOADS:
        set_u32(vb, ASN_COUNTER, h->loads);
        break;
    case SD_SRC_LOAD_FAILURES:
        set_u32(vb, ASN_COUNTER, h->failures);
        break;
    case SD_SRC_ROWS_SERVED:
        set_u32(vb, ASN_GAUGE, (uint32_t)sd_snapshot_count(s));
        break;
    case SD_SRC_ROWS_REJECTED:
        set_u32(vb, ASN_GAUGE, s ? (uint32_t)s->rejected : 0);
        break;
    case SD_SRC_ROWS_DUPLICATE:
        set_u32(vb, ASN_GAUGE, s ? (uint32_t)s->duplicates : 0);
        break;
    case SD_SRC_DATA_AGE:
        set_u32(vb, ASN_GAUGE, sd_health_age(h, now));
        break;
    case SD_SRC_STALE_AFTER:
        set_u32(vb, ASN_GAUGE, h->stale_after);
        break;
    }
}

static void get_source(netsnmp_variable_list *vb, unsigned item)
{
    const struct sd_served_load main = { true, served->source_display, served->health,
                                         served->snap };

    switch (item) {
    default:
        get_health(vb, item, &main);
        break;
    case SD_CONF_RELOADS_REFUSED:
        set_u32(vb, ASN_COUNTER, served->conf ? served->conf->refused : 0);
        break;
    case SD_CONF_ERROR:
        set_str(vb, served->conf ? served->conf->error : "",
                served->conf ? strlen(served->conf->error) : 0);
        break;
    }
}

static void get_summary(netsnmp_variable_list *vb, unsigned item)
{
    const struct sd_summary *sum = summary();
    uint32_t v = 0;

    switch (item) {
    case SD_SUM_ROWS_SUCCESS: v = sum->rows_success; break;
    case SD_SUM_ROWS_INPROGRESS: v = sum->rows_inprogress; break;
    case SD_SUM_ROWS_ERROR: v = sum->rows_error; break;
    case SD_SUM_ROWS_OTHER: v = sum->rows_other; break;
    case SD_SUM_ASSETS_ERROR: v = sum->assets_error; break;
    }
    set_u32(vb, ASN_GAUGE, v);
}

static void get_column(netsnmp_variable_list *vb, const struct sd_snapshot *snap,
                       unsigned column, size_t i)
{
    const struct sd_rows *r = &snap->rows;
    const unsigned char *row = sd_rows_at(r, i);
    const struct sd_coldef *c = sd_table_column(r->t, column);
    const char *str;
    size_t len;

    if (!c)
        return;
    switch (c->kind) {
    case SD_K_STRING:
    case SD_K_NALSERVER:
        str = sd_row_str(r, row, c, &len);
        set_str(vb, str, len);
        break;
    case SD_K_DATE:
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, row + c->off, row[c->aux]);
        break;
    case SD_K_BOOL:
        set_i32(vb, row[c->off]);
        break;
    case SD_K_UINT:
        if (c->smi == SD_SMI_INTEGER)
            set_i32(vb, (int32_t)sd_row_u32(row, c->off));
        else
            set_u32(vb, c->smi == SD_SMI_COUNTER ? ASN_COUNTER : ASN_GAUGE,
                    sd_row_u32(row, c->off));
        break;
    }
}

/* --- the scalar instances, in OID order ------------------------------------ */

struct scalar {
    unsigned arc, item;
};

static const struct scalar scalars[] = {
    { SD_ARC_SOURCE, SD_SRC_URI },
    { SD_ARC_SOURCE, SD_SRC_STATE },
    { SD_ARC_SOURCE, SD_SRC_LAST_GOOD_LOAD },
    { SD_ARC_SOURCE, SD_SRC_LAST_ATTEMPT },
    { SD_ARC_SOURCE, SD_SRC_LAST_ERROR },
    { SD_ARC_SOURCE, SD_SRC_LAST_ERROR_TIME },
    { SD_ARC_SOURCE, SD_SRC_LOADS },
    { SD_ARC_SOURCE, SD_SRC_LOAD_FAILURES },
    { SD_ARC_SOURCE, SD_SRC_ROWS_SERVED },
    { SD_ARC_SOURCE, SD_SRC_ROWS_REJECTED },
    { SD_ARC_SOURCE, SD_SRC_ROWS_DUPLICATE },
    { SD_ARC_SOURCE, SD_SRC_DATA_AGE },
    { SD_ARC_SOURCE, SD_SRC_STALE_AFTER },
    { SD_ARC_SOURCE, SD_CONF_RELOADS_REFUSED },
    { SD_ARC_SOURCE, SD_CONF_ERROR },
    { SD_ARC_SUMMARY, SD_SUM_ROWS_SUCCESS },
    { SD_ARC_SUMMARY, SD_SUM_ROWS_INPROGRESS },
    { SD_ARC_SUMMARY, SD_SUM_ROWS_ERROR },
    { SD_ARC_SUMMARY, SD_SUM_ROWS_OTHER },
    { SD_ARC_SUMMARY, SD_SUM_ASSETS_ERROR },
    /* after smsDistStatusTable (arc 3) in OID order */
    { SD_ARC_NOTIFY, SD_NOBJ_SENT },
    { SD_ARC_NOTIFY, SD_NOBJ_RATE_LIMITED },
    { SD_ARC_NOTIFY, SD_NOBJ_DROPPED },
    { SD_ARC_NOTIFY, SD_NOBJ_QUEUED },
    { SD_ARC_NOTIFY, SD_NOBJ_DEFERRED },
    /* after smsDistContentDPTable (arc 7) */
    { SD_ARC_DP_SUMMARY, SD_DPS_COUNT },
    { SD_ARC_DP_SUMMARY, SD_DPS_WITH_ERRORS },
    { SD_ARC_DP_SUMMARY, SD_DPS_CONTENT_ROWS },
    { SD_ARC_DP_SUMMARY, SD_DPS_CONTENT_FAILED },
    { SD_ARC_DP_SUMMARY, SD_DPS_CONTENT_PENDING },
};
#define NSCALARS (sizeof(scalars) / sizeof(scalars[0]))

static void get_notify(netsnmp_variable_list *vb, unsigned item)
{
    static const struct sd_notify_stats none;
    const struct sd_notify_stats *n = served->notify ? served->notify : &none;

    switch (item) {
    case SD_NOBJ_SENT: set_u32(vb, ASN_COUNTER, n->sent); break;
    case SD_NOBJ_RATE_LIMITED: set_u32(vb, ASN_COUNTER, n->rate_limited); break;
    case SD_NOBJ_DROPPED: set_u32(vb, ASN_COUNTER, n->dropped); break;
    case SD_NOBJ_QUEUED: set_u32(vb, ASN_GAUGE, n->queued); break;
    case SD_NOBJ_DEFERRED: set_u32(vb, ASN_GAUGE, n->deferred); break;
    }
}

/* smsDistDPSummary: figures of the two per-DP tables' summaries. */
static void get_dp_summary(netsnmp_variable_list *vb, unsigned item)
{
    static const struct {
        size_t snap_at;
        unsigned fig;
    } from[] = {
        [SD_DPS_COUNT] = { offsetof(struct sd_served, dp_snap), SD_FIG_DPS },
        [SD_DPS_WITH_ERRORS] = { offsetof(struct sd_served, dp_snap), SD_FIG_DPS_IN_ERROR },
        [SD_DPS_CONTENT_ROWS] = { offsetof(struct sd_served, content_snap), SD_FIG_CONTENT_ROWS },
        [SD_DPS_CONTENT_FAILED] = { offsetof(struct sd_served, content_snap), SD_FIG_CONTENT_FAILED },
        [SD_DPS_CONTENT_PENDING] = { offsetof(struct sd_served, content_snap), SD_FIG_CONTENT_PENDING },
    };
    const struct sd_snapshot *s =
        *(const struct sd_snapshot *const *)((const char *)served + from[item].snap_at);

    set_u32(vb, ASN_GAUGE, s ? s->sum.fig[from[item].fig] : 0);
}

static void get_scalar(netsnmp_variable_list *vb, const struct scalar *sc)
{
    if (sc->arc == SD_ARC_SOURCE)
        get_source(vb, sc->item);
    else if (sc->arc == SD_ARC_SUMMARY)
        get_summary(vb, sc->item);
    else if (sc->arc == SD_ARC_DP_SUMMARY)
        get_dp_summary(vb, sc->item);
    else
        get_notify(vb, sc->item);
}

/* smsDistDPSummary exists while a per-DP table is served: a site that has
 * none sees the MIB as before. */
static bool scalar_served(const struct scalar *sc)
{
    return sc->arc != SD_ARC_DP_SUMMARY || served->load[1].present || served->load[2].present;
}

/* Instance suffix of a scalar below smsDistObjects: {arc, item, 0}. */
static int scalar_cmp(const struct scalar *sc, const oid *suffix, size_t n)
{
    const oid inst[3] = { sc->arc, sc->item, 0 };

    return snmp_oid_compare(inst, 3, suffix, n);
}

/* --- GET ------------------------------------------------------------------ */

/*
 * The request's sub-identifiers below smsDistObjects, copied into buf, or
 * NULL when the name is not inside the subtree (then *before says whether it
 * sorts before it). The copy folds each sub-identifier to 32 bits: net-snmp's
 * AgentX parser (agentx_parse_int) returns them as int, so on a 64-bit host
 * a sub-identifier of 2^31 or more (a MessageCategory such as 4294967295)
 * arrives sign-extended and would never match.
 */
static const oid *suffix_of(const netsnmp_variable_list *vb, oid *buf, size_t *n, int *before)
{
    int c = snmp_oid_ncompare(vb->name, vb->name_length, objects_oid, OBJECTS_LEN, OBJECTS_LEN);

    *before = c < 0 || (c == 0 && vb->name_length < OBJECTS_LEN);
    if (c != 0 || vb->name_length < OBJECTS_LEN)
        return NULL;
    *n = vb->name_length - OBJECTS_LEN;
    for (size_t i = 0; i < *n; i++)
        buf[i] = vb->name[OBJECTS_LEN + i] & 0xffffffffUL;
    return buf;
}

void sd_mib_get(netsnmp_variable_list *vb)
{
    oid buf[MAX_OID_LEN];
    size_t n;
    int before;
    const oid *sfx = suffix_of(vb, buf, &n, &before);
    struct table_arc *ta;

    if (!sfx || n < 2) {
        snmp_set_var_typed_value(vb, SNMP_NOSUCHOBJECT, NULL, 0);
        return;
    }
    if ((ta = table_at(sfx[0])) != NULL && !ta->t) {
        if (n >= 3 && sfx[1] == 1 && sfx[2] >= SD_LCOL_URI && sfx[2] <= SD_LCOL_STALE_AFTER) {
            if (n == 4 && sfx[3] >= 1 && sfx[3] <= SD_TABLES && served->load[sfx[3] - 1].present)
                get_health(vb, (unsigned)sfx[2] - 1, &served->load[sfx[3] - 1]);
            else
                snmp_set_var_typed_value(vb, SNMP_NOSUCHINSTANCE, NULL, 0);
            return;
        }
    } else if (ta) {
        if (n >= 3 && sfx[1] == 1 && sfx[2] >= ta->t->first_col && sfx[2] <= ta->t->last_col) {
            const struct sd_snapshot *snap = snap_of(ta);
            long i = snap ? sd_snapshot_find(snap, sfx + 3, n - 3) : -1;

            if (i >= 0)
                get_column(vb, snap, (unsigned)sfx[2], (size_t)i);
            else
                snmp_set_var_typed_value(vb, SNMP_NOSUCHINSTANCE, NULL, 0);
            return;
        }
    } else {
        for (size_t i = 0; i < NSCALARS; i++) {
            if (scalars[i].arc != sfx[0] || scalars[i].item != sfx[1] ||
                !scalar_served(&scalars[i]))
                continue;
            if (n == 3 && sfx[2] == 0)
                get_scalar(vb, &scalars[i]);
            else
                snmp_set_var_typed_value(vb, SNMP_NOSUCHINSTANCE, NULL, 0);
            return;
        }
    }
    snmp_set_var_typed_value(vb, SNMP_NOSUCHOBJECT, NULL, 0);
}

/* --- GETNEXT --------------------------------------------------------------- */

/* The instance name {objects, arc, item, 0} of a scalar. */
#define SCALAR_NAME_LEN (OBJECTS_LEN + 3)
static void scalar_name(oid name[SCALAR_NAME_LEN], unsigned arc, unsigned item)
{
    memcpy(name, objects_oid, sizeof(objects_oid));
    name[OBJECTS_LEN] = arc;
    name[OBJECTS_LEN + 1] = item;
    name[OBJECTS_LEN + 2] = 0;
}

static void answer_scalar(netsnmp_variable_list *vb, const struct scalar *sc)
{
    oid name[SCALAR_NAME_LEN];

    scalar_name(name, sc->arc, sc->item);
    snmp_set_var_objid(vb, name, SCALAR_NAME_LEN);
    get_scalar(vb, sc);
}

/* The instance name {objects, arc, 1, column, index...} of row i; its length. */
static size_t row_name(oid *name, const struct sd_snapshot *snap, unsigned column, size_t i)
{
    size_t len = OBJECTS_LEN;

    memcpy(name, objects_oid, sizeof(objects_oid));
    name[len++] = snap->rows.t->arc;
    name[len++] = 1;
    name[len++] = column;
    return len + sd_snapshot_index(snap, i, name + len);
}

static void answer_row(netsnmp_variable_list *vb, const struct sd_snapshot *snap,
                       unsigned column, size_t i)
{
    oid name[MAX_OID_LEN];

    snmp_set_var_objid(vb, name, row_name(name, snap, column, i));
    get_column(vb, snap, column, i);
}

/* smsDistLoadTable: the first instance after sfx, as next_in_table. */
static int next_in_load(netsnmp_variable_list *vb, const oid *sfx, size_t n)
{
    static const oid first_col[] = { SD_ARC_LOAD_TABLE, 1, SD_LCOL_URI };
    unsigned column = SD_LCOL_URI;
    unsigned long id = 0;               /* the row after it is wanted */

    if (snmp_oid_compare(sfx, n, first_col, 3) >= 0) {
        if (sfx[0] != SD_ARC_LOAD_TABLE || sfx[1] != 1 || sfx[2] > SD_LCOL_STALE_AFTER)
            return 0;
        column = (unsigned)sfx[2];
        id = n > 3 ? sfx[3] : 0;        /* {id} or {id, more...}: the rows after id */
    }
    for (; column <= SD_LCOL_STALE_AFTER; column++, id = 0) {
        for (unsigned long k = id + 1; k <= SD_TABLES; k++) {
            if (!served->load[k - 1].present)
                continue;
            oid name[SCALAR_NAME_LEN + 1];
            memcpy(name, objects_oid, sizeof(objects_oid));
            name[OBJECTS_LEN] = SD_ARC_LOAD_TABLE;
            name[OBJECTS_LEN + 1] = 1;
            name[OBJECTS_LEN + 2] = column;
            name[OBJECTS_LEN + 3] = k;
            snmp_set_var_objid(vb, name, OBJECTS_LEN + 4);
            get_health(vb, column - 1, &served->load[k - 1]);
            return 1;
        }
    }
    return 0;
}

/* First instance of the table after sfx (which sorts at or after {arc}, n
 * 0: before it); 0 if none. */
static int next_in_table(netsnmp_variable_list *vb, struct table_arc *ta, const oid *sfx,
                         size_t n)
{
    const struct sd_table *t = ta->t;

    if (!t)
        return next_in_load(vb, sfx, n);
    const struct sd_snapshot *snap = snap_of(ta);
    const oid first_col[] = { t->arc, 1, t->first_col };
    size_t count = sd_snapshot_count(snap);
    unsigned column = t->first_col;
    size_t row = 0;

    if (!count)
        return 0;
    if (snmp_oid_compare(sfx, n, first_col, 3) >= 0) {
        if (sfx[0] != t->arc || sfx[1] != 1 || sfx[2] > t->last_col)
            return 0;
        column = (unsigned)sfx[2];
        row = sd_snapshot_next_hint(snap, sfx + 3, n - 3, &ta->walk_hint);
        if (row == count) {
            column++;
            row = 0;
        }
        if (column > t->last_col)
            return 0;
    }
    answer_row(vb, snap, column, row);
    return 1;
}

void sd_mib_getnext(netsnmp_variable_list *vb)
{
    oid buf[MAX_OID_LEN];
    size_t n = 0;
    int before;
    const oid *sfx = suffix_of(vb, buf, &n, &before);
    size_t sc = 0;

    if (!sfx) {
        if (!before)
            return;             /* past our subtree: leave it to the agent */
        sfx = buf;              /* before the subtree: from its start */
        n = 0;
    }
    /* The arcs in order: scalars up to a table's arc, then the table. */
    for (size_t k = 0; k <= NTABLES; k++) {
        unsigned long arc = k < NTABLES ? tables[k].arc : (unsigned long)-1;

        for (; sc < NSCALARS && scalars[sc].arc < arc; sc++)
            if (scalar_served(&scalars[sc]) && scalar_cmp(&scalars[sc], sfx, n) > 0) {
                answer_scalar(vb, &scalars[sc]);
                return;
            }
        if (k == NTABLES || (n > 0 && sfx[0] > arc))
            continue;
        if (n > 0 && sfx[0] == arc ? next_in_table(vb, &tables[k], sfx, n)
                                   : next_in_table(vb, &tables[k], sfx, 0))
            return;
    }
    /* Nothing after: the varbind stays as it was and the agent moves on. */
}

/* --- varbinds for notifications -------------------------------------------- */

static netsnmp_variable_list *add_vb(netsnmp_variable_list **vars, const oid *name, size_t len)
{
    return snmp_varlist_add_variable(vars, name, len, ASN_NULL, NULL, 0);
}

/* A new varbind for the scalar instance {arc, item, 0} below smsDistObjects. */
static netsnmp_variable_list *add_scalar_vb(netsnmp_variable_list **vars, unsigned arc,
                                            unsigned item)
{
    oid name[SCALAR_NAME_LEN];

    scalar_name(name, arc, item);
    return add_vb(vars, name, SCALAR_NAME_LEN);
}

int sd_mib_add_scalar(netsnmp_variable_list **vars, unsigned arc, unsigned item)
{
    const struct scalar sc = { arc, item };
    netsnmp_variable_list *vb = add_scalar_vb(vars, arc, item);

    if (!vb)
        return -1;
    get_scalar(vb, &sc);
    return 0;
}

int sd_mib_add_gauge(netsnmp_variable_list **vars, unsigned arc, unsigned item, uint32_t v)
{
    netsnmp_variable_list *vb = add_scalar_vb(vars, arc, item);

    if (!vb)
        return -1;
    set_u32(vb, ASN_GAUGE, v);
    return 0;
}

int sd_mib_add_row(netsnmp_variable_list **vars, const struct sd_snapshot *s, size_t i, int reason)
{
    const struct sd_table *t = s->rows.t;
    oid name[MAX_OID_LEN];
    size_t len = row_name(name, s, 0, i);       /* the column is set below */
    netsnmp_variable_list *vb;

    for (size_t k = 0; k < t->n_notif_cols; k++) {
        name[OBJECTS_LEN + 2] = t->notif_cols[k];
        if (!(vb = add_vb(vars, name, len)))
            return -1;
        get_column(vb, s, t->notif_cols[k], i);
    }
    /* smsDistNotifyReason, instance = the row's index */
    name[OBJECTS_LEN] = SD_ARC_NOTIFY;
    name[OBJECTS_LEN + 1] = SD_NOBJ_REASON;
    memmove(name + OBJECTS_LEN + 2, name + OBJECTS_LEN + 3, (len - OBJECTS_LEN - 3) * sizeof(oid));
    if (!(vb = add_vb(vars, name, len - 1)))
        return -1;
    set_i32(vb, reason);
    return 0;
}

/* --- handler -------------------------------------------------------------- */

static int handle(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    for (netsnmp_request_info *req = requests; req; req = req->next) {
        if (req->processed)
            continue;
        switch (reqinfo->mode) {
        case MODE_GET:
            sd_mib_get(req->requestvb);
            break;
        case MODE_GETNEXT:
            sd_mib_getnext(req->requestvb);
            break;
        default:
            /* Every SET phase: this MIB is read-only. */
            netsnmp_set_request_error(reqinfo, req, SNMP_ERR_NOTWRITABLE);
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

void sd_mib_serve(const struct sd_served *s)
{
    served = s;
}

int sd_mib_register(const struct sd_served *s)
{
    served = s;
    registration = netsnmp_create_handler_registration(
        "smsDistObjects", handle, objects_oid, OBJECTS_LEN, HANDLER_CAN_RONLY);
    if (!registration)
        return -1;
    if (netsnmp_register_handler(registration) != MIB_REGISTERED_OK) {
        registration = NULL;    /* freed by the failed registration */
        return -1;
    }
    return 0;
}

void sd_mib_unregister(void)
{
    if (registration)
        netsnmp_unregister_handler(registration);
    registration = NULL;
}
