/* notify: notifications, rate limit and queue; see notify.h. */
/* before net-snmp's headers, whose macros clash with its enum ACTION/VISIT names */
#include <search.h>

#include "sd_snmp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mib.h"
#include "notify.h"
#include "oids.h"

/* Notifications written to the master before the main loop runs again
 * (-DSD_NOTIFY_BURST=N: the tests show what a larger burst does). */
#ifndef SD_NOTIFY_BURST
#define SD_NOTIFY_BURST 16
#endif

static const oid snmptrapoid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid notifications[] = { SD_OID_NOTIFICATIONS };

static struct {
    struct sd_notify_cfg cfg;
    struct sd_notify_stats stats;
    bool connected;
    /* rate limit: a window opens with its first row notification */
    unsigned window_alarm;
    unsigned in_window;
    unsigned suppressed;
    /* queue while the AgentX session is down: a ring */
    netsnmp_variable_list **queue;
    size_t head, count, cap;
    unsigned flush_alarm;               /* the queue's next burst (or the flush) */
    unsigned burst;                     /* sent since the main loop last ran a pace */
    enum sd_source_state last_state;
    time_t lost;                        /* when the session went away, or 0 */
    /* rows announced in error and not yet out of it (struct announced), a
     * tsearch tree: their way out is never rate-limited */
    void *announced;
} n = { .last_state = SD_STATE_STARTING };

void sd_notify_defaults(struct sd_notify_cfg *c)
{
    c->rows = true;
    c->dps = true;
    c->content = true;
    c->at_start = true;
    c->rate_n = 20;
    c->rate_window = 60;
    c->queue_max = 1000;
}

const struct sd_notify_stats *sd_notify_stats(void)
{
    return &n.stats;
}

void sd_notify_set_connected(bool up)
{
    n.connected = up;
}

bool sd_notify_master_connected(void)
{
    return n.connected;
}

/* --- sending and queueing ---------------------------------------------- */

static void send_now(netsnmp_variable_list *vars)
{
    send_v2trap(vars);
    snmp_free_varbind(vars);
    n.stats.sent++;
}

static void enqueue(netsnmp_variable_list *vars)
{
    if (!n.cap) {
        snmp_free_varbind(vars);
        n.stats.dropped++;
        return;
    }
    if (n.count == n.cap) {             /* full: the oldest goes */
        snmp_free_varbind(n.queue[n.head]);
        n.head = (n.head + 1) % n.cap;
        n.count--;
        n.stats.dropped++;
    }
    n.queue[(n.head + n.count) % n.cap] = vars;
    n.count++;
    n.stats.queued = (uint32_t)n.count;
}

/*
 * Pacing. A notification goes out on the AgentX socket with a blocking
 * write; a load that changes a thousand rows must not write a thousand in
 * one go: when the socket's buffer fills, smsdistd waits for the master,
 * the master waits for smsdistd to answer a request it sent meanwhile, and
 * neither ever reads again. So at most SD_NOTIFY_BURST go out before the
 * main loop runs again; the rest wait in the queue and leave a burst at a
 * time, every PACE_MS.
 */
#define PACE_MS 10

static void pace(unsigned reg, void *arg);

static void arm_pace(void)
{
    struct timeval tv = { 0, PACE_MS * 1000 };

    if (!n.flush_alarm && n.count && n.connected)
        n.flush_alarm = snmp_alarm_register_hr(tv, 0, pace, NULL);
}

static void pace(unsigned reg, void *arg)
{
    n.flush_alarm = 0;
    n.burst = 0;
    while (n.connected && n.count && n.burst < SD_NOTIFY_BURST) {
        netsnmp_variable_list *vars = n.queue[n.head];
        n.head = (n.head + 1) % n.cap;
        n.count--;
        n.burst++;
        send_now(vars);
    }
    n.stats.queued = (uint32_t)n.count;
    arm_pace();
}

static void flush(unsigned reg, void *arg)
{
    n.flush_alarm = 0;
    if (n.count)
        snmp_log(LOG_INFO, "master is back: sending %zu queued notifications\n", n.count);
    pace(reg, arg);
}

/* Takes vars: sends them, or holds them until the master is back (or the
 * burst is over). */
static void emit(netsnmp_variable_list *vars)
{
    if (!vars)
        return;
    if (n.connected && !n.count && n.burst < SD_NOTIFY_BURST) {
        n.burst++;
        send_now(vars);
        if (!n.flush_alarm) {           /* ends the burst once the main loop has run */
            struct timeval tv = { 0, PACE_MS * 1000 };
            n.flush_alarm = snmp_alarm_register_hr(tv, 0, pace, NULL);
        }
    } else {
        enqueue(vars);
        arm_pace();
    }
}

/* snmpTrapOID.0 = smsDistNotifications.which, first in the list */
static netsnmp_variable_list *start(unsigned which)
{
    oid trap[OID_LENGTH(notifications) + 1];
    netsnmp_variable_list *vars = NULL;

    memcpy(trap, notifications, sizeof(notifications));
    trap[OID_LENGTH(notifications)] = which;
    if (!snmp_varlist_add_variable(&vars, snmptrapoid, OID_LENGTH(snmptrapoid), ASN_OBJECT_ID,
                                   (const u_char *)trap, sizeof(trap)))
        return NULL;
    return vars;
}

/* Frees vars and returns NULL when a builder failed (out of memory). */
static netsnmp_variable_list *built(netsnmp_variable_list *vars, int rc)
{
    if (rc == 0)
        return vars;
    snmp_free_varbind(vars);
    snmp_log(LOG_ERR, "out of memory building a notification; not sent\n");
    return NULL;
}

/* --- the AgentX session -------------------------------------------------- */

static int on_session(int major, int minor, void *server, void *client)
{
    /* One line at loss and one at return (net-snmp's own retry warnings are
     * off, see smsdistd.c), not one per reconnection attempt. */
    if (minor == SNMPD_CALLBACK_INDEX_START) {
        if (n.lost)
            snmp_log(LOG_NOTICE, "AgentX master is back after %ld s; re-registering\n",
                     (long)(time(NULL) - n.lost));
        n.lost = 0;
        n.connected = true;
        /* after the subagent has finished (re)registering */
        if (!n.flush_alarm && n.count) {
            struct timeval tv = { 0, 100 * 1000 };
            n.flush_alarm = snmp_alarm_register_hr(tv, 0, flush, NULL);
        }
    } else {
        if (n.connected)
            snmp_log(LOG_WARNING, "AgentX master lost; reconnecting every %d s, notifications "
                     "are queued meanwhile\n",
                     netsnmp_ds_get_int(NETSNMP_DS_APPLICATION_ID,
                                        NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL));
        n.lost = time(NULL);
        n.connected = false;
    }
    return 0;
}

void sd_notify_preinit(void)
{
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, on_session, NULL);
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, on_session, NULL);
}

void sd_notify_configure(const struct sd_notify_cfg *c)
{
    n.cfg = *c;
    if (c->queue_max == n.cap)
        return;
    /* a new queue size: send or drop what waits, then resize */
    while (n.count && n.count > c->queue_max) {
        snmp_free_varbind(n.queue[n.head]);
        n.head = (n.head + 1) % n.cap;
        n.count--;
        n.stats.dropped++;
    }
    netsnmp_variable_list **q = calloc(c->queue_max ? c->queue_max : 1, sizeof(*q));
    if (!q) {
        snmp_log(LOG_ERR, "notifyQueueSize %zu: out of memory; keeping %zu\n", c->queue_max, n.cap);
        return;
    }
    for (size_t i = 0; i < n.count; i++)
        q[i] = n.queue[(n.head + i) % n.cap];
    free(n.queue);
    n.queue = q;
    n.head = 0;
    n.cap = c->queue_max;
}

/* --- rows ----------------------------------------------------------------- */

static void window_end(unsigned reg, void *arg)
{
    n.window_alarm = 0;
    n.in_window = 0;
    if (!n.suppressed)
        return;
    snmp_log(LOG_WARNING, "notification rate limit: %u row notifications not sent in the last "
             "%u s (notifyRateLimit %u %u)\n", n.suppressed, n.cfg.rate_window, n.cfg.rate_n,
             n.cfg.rate_window);
    netsnmp_variable_list *vars = start(SD_NOTIF_SUPPRESSED);
    if (vars)
        vars = built(vars, sd_mib_add_gauge(&vars, SD_ARC_NOTIFY, SD_NOBJ_SUPPRESSED, n.suppressed) ||
                           sd_mib_add_scalar(&vars, SD_ARC_SUMMARY, SD_SUM_ROWS_ERROR));
    n.suppressed = 0;
    emit(vars);
}

/* Whether one more row notification fits the rate limit now. */
static bool admit(void)
{
    if (!n.window_alarm)
        n.window_alarm = snmp_alarm_register(n.cfg.rate_window, 0, window_end, NULL);
    if (n.in_window < n.cfg.rate_n) {
        n.in_window++;
        return true;
    }
    n.suppressed++;
    n.stats.rate_limited++;
    return false;
}

/*
 * A row announced in error is always announced leaving it. A receiver that
 * keeps state (Zabbix's problem per row, closed by the notification for the
 * same index) would otherwise keep a problem open for ever when the rate
 * limit cut the row's way out. So the limit applies to entering error, and
 * to leaving it only for rows whose entry it cut (the receiver never heard
 * of them); the ways out it lets through are bounded by the entries it let
 * through. Each announced row is kept here, keyed by its table and index.
 */
struct announced {
    const struct sd_table *t;
    size_t len;
    uint32_t name[];                    /* sub-identifiers, each < 2^32 */
};

static int announced_cmp(const void *a, const void *b)
{
    const struct announced *x = a, *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->name, y->name, x->len * sizeof(x->name[0]));
}

/* The key of a row notification: its table and the name of its last
 * varbind, smsDistNotifyReason.<the row's index>; or NULL (out of memory). */
static struct announced *announced_key(const struct sd_table *t, const netsnmp_variable_list *vars)
{
    while (vars->next_variable)
        vars = vars->next_variable;
    size_t len = vars->name_length;
    struct announced *k = malloc(sizeof(*k) + len * sizeof(k->name[0]));

    if (!k)
        return NULL;
    k->t = t;
    k->len = len;
    for (size_t j = 0; j < len; j++)
        k->name[j] = (uint32_t)vars->name[j];
    return k;
}

/* Records an announced row (takes k). */
static void announced_add(struct announced *k)
{
    struct announced **at = tsearch(k, &n.announced, announced_cmp);

    if (!at || *at != k)                /* out of memory, or already there */
        free(k);
}

/* Whether the row of k was announced; forgets it (frees k either way). */
static bool announced_take(struct announced *k)
{
    struct announced **at = tfind(k, &n.announced, announced_cmp);
    struct announced *was = at ? *at : NULL;

    if (was) {
        tdelete(k, &n.announced, announced_cmp);
        free(was);
    }
    free(k);
    return was != NULL;
}

static void announced_clear(void)
{
    while (n.announced) {
        struct announced *k = *(struct announced **)n.announced;
        tdelete(k, &n.announced, announced_cmp);
        free(k);
    }
}

static void notify_change(enum sd_change change, const struct sd_snapshot *s, size_t i)
{
    bool entered = change == SD_CHANGE_ENTERED || change == SD_CHANGE_PRESENT;
    static const int reason[] = {
        [SD_CHANGE_ENTERED] = 1, [SD_CHANGE_LEFT] = 2, [SD_CHANGE_REMOVED] = 3, [SD_CHANGE_PRESENT] = 4,
    };
    const struct sd_table *t = s->rows.t;
    netsnmp_variable_list *vars = start(entered ? t->notif_entered : t->notif_left);

    if (vars)
        vars = built(vars, sd_mib_add_row(&vars, s, i, reason[change]));
    if (!vars)
        return;
    struct announced *k = announced_key(t, vars);
    bool send = entered ? admit() : (k && announced_take(k)) || admit();

    if (entered && send && k)
        announced_add(k);
    else if (entered)
        free(k);
    if (!send) {
        snmp_free_varbind(vars);
        return;
    }
    emit(vars);
}

/* notifyRows, notifyDPs, notifyContent */
static bool wanted(const struct sd_table *t)
{
    return t == &sd_table_dp ? n.cfg.dps : t == &sd_table_content ? n.cfg.content : n.cfg.rows;
}

void sd_notify_changes(const struct sd_changes *c, const struct sd_snapshot *old,
                       const struct sd_snapshot *new_)
{
    if (!new_ || !wanted(new_->rows.t) || (!old && !n.cfg.at_start))
        return;
    for (size_t k = 0; k < c->n; k++) {
        const struct sd_change_item *it = &c->v[k];
        notify_change((enum sd_change)it->change, it->change == SD_CHANGE_REMOVED ? old : new_,
                      it->row);
    }
}

/* --- the source ------------------------------------------------------------- */

void sd_notify_state(enum sd_source_state now)
{
    enum sd_source_state was = n.last_state;
    netsnmp_variable_list *vars = NULL;
    int rc = 0;

    n.last_state = now;
    if (now == was)
        return;
    if (now == SD_STATE_FAILED) {
        vars = start(SD_NOTIF_SOURCE_FAILED);
        if (vars)
            rc = sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_URI) ||
                 sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_LAST_ERROR) ||
                 sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_LAST_GOOD_LOAD);
    } else if (now == SD_STATE_STALE) {
        vars = start(SD_NOTIF_SOURCE_STALE);
        if (vars)
            rc = sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_URI) ||
                 sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_LAST_GOOD_LOAD) ||
                 sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_DATA_AGE);
    } else if (now == SD_STATE_OK && (was == SD_STATE_FAILED || was == SD_STATE_STALE)) {
        vars = start(SD_NOTIF_SOURCE_RECOVERED);
        if (vars)
            rc = sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_URI) ||
                 sd_mib_add_scalar(&vars, SD_ARC_SOURCE, SD_SRC_ROWS_SERVED);
    }
    if (vars)
        emit(built(vars, rc));
}

void sd_notify_shutdown(void)
{
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, on_session, NULL, 0);
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, on_session, NULL, 0);
    if (n.window_alarm)
        snmp_alarm_unregister(n.window_alarm);
    if (n.flush_alarm)
        snmp_alarm_unregister(n.flush_alarm);
    while (n.count) {
        snmp_free_varbind(n.queue[n.head]);
        n.head = (n.head + 1) % n.cap;
        n.count--;
    }
    free(n.queue);
    announced_clear();
    memset(&n, 0, sizeof(n));
    n.last_state = SD_STATE_STARTING;
}
