/* notify: notifications, rate limit and queue; see notify.h. */
/* before net-snmp's headers, whose macros clash with its enum ACTION/VISIT names */
#include <search.h>

#include "sd_snmp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mib.h"
#include "notify.h"
#include "notifystate.h"
#include "oids.h"

/* Notifications written to the master before the main loop runs again
 * (-DSD_NOTIFY_BURST=N: the tests show what a larger burst does). */
#ifndef SD_NOTIFY_BURST
#define SD_NOTIFY_BURST 16
#endif

static const oid snmptrapoid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid notifications[] = { SD_OID_NOTIFICATIONS };

static const struct sd_table *const all_tables[] = { &sd_table_status, &sd_table_dp,
                                                     &sd_table_content };
#define NTABLES (sizeof(all_tables) / sizeof(all_tables[0]))

/* smsDistNotifyReason, the prefix of every key */
static const oid reason_oid[] = { SD_OID_OBJECTS, SD_ARC_NOTIFY, SD_NOBJ_REASON };
#define REASON_LEN OID_LENGTH(reason_oid)

static struct {
    struct sd_notify_cfg cfg;
    struct sd_notify_stats stats;
    bool connected;
    /* rate limit: a token bucket (notifyRateLimit N SECONDS BURST: N per
     * SECONDS, at most BURST at once), and the window that sums up what it
     * held back: opened by the first notification held back */
    double tokens;
    struct timespec filled;             /* when tokens was last brought up to date */
    bool primed;                        /* the bucket has been filled once */
    unsigned window_alarm;
    unsigned suppressed;
    unsigned drain_alarm;               /* the next deferred row's turn */
    /* rows whose entry into error the limit deferred (struct announced, a
     * tsearch tree keyed like `announced`), sent oldest first (seq) as the
     * next windows admit them, built from their table's latest snapshot
     * (a reference, held while the table is served) */
    void *pending;
    unsigned long seq;
    struct sd_snapshot *latest[NTABLES];
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
    /* notifyStateFile: the tree across restarts */
    bool restored;                      /* read at this start (or there is none) */
    bool dirty;                         /* changed since the file was last written */
    bool save_failing;                  /* the file cannot be written: said once */
} n = { .last_state = SD_STATE_STARTING };

static void keep_unsent(const netsnmp_variable_list *vars);
static void arm_drain(void);

void sd_notify_defaults(struct sd_notify_cfg *c)
{
    c->rows = true;
    c->dps = true;
    c->content = true;
    c->at_start = true;
    c->rate_n = 20;
    c->rate_window = 60;
    c->rate_burst = 0;                  /* the smaller of rate_n and SD_NOTIFY_RATE_BURST */
    c->queue_max = 1000;
    snprintf(c->state_file, sizeof(c->state_file), "%s", SD_DEFAULT_STATE_FILE);
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
        keep_unsent(vars);
        snmp_free_varbind(vars);
        n.stats.dropped++;
        return;
    }
    if (n.count == n.cap) {             /* full: the oldest goes */
        keep_unsent(n.queue[n.head]);
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
        arm_drain();
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

static void restore(void);
static void forget_unwanted(void);
static void save(void);

static void resize_queue(const struct sd_notify_cfg *c)
{
    if (c->queue_max == n.cap)
        return;
    /* a new queue size: send or drop what waits, then resize */
    while (n.count && n.count > c->queue_max) {
        keep_unsent(n.queue[n.head]);
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

void sd_notify_configure(const struct sd_notify_cfg *c)
{
    bool moved = n.restored && strcmp(c->state_file, n.cfg.state_file) != 0;

    n.cfg = *c;
    resize_queue(c);
    if (!n.restored) {
        n.restored = true;
        restore();
    } else if (moved && c->state_file[0]) {
        /* written there from now on, and at once */
        n.dirty = true;
        n.save_failing = false;
    }
    forget_unwanted();
    save();
}

/* --- rows ----------------------------------------------------------------- */

static unsigned burst_of(const struct sd_notify_cfg *c)
{
    if (c->rate_burst)
        return c->rate_burst;
    return c->rate_n < SD_NOTIFY_RATE_BURST ? c->rate_n : SD_NOTIFY_RATE_BURST;
}

static void window_end(unsigned reg, void *arg)
{
    n.window_alarm = 0;
    if (n.suppressed) {
        snmp_log(LOG_WARNING, "notification rate limit: %u row notifications held back in the "
                 "last %u s (notifyRateLimit %u %u %u); %u rows in error wait for theirs, sent "
                 "oldest first at that pace\n", n.suppressed, n.cfg.rate_window,
                 n.cfg.rate_n, n.cfg.rate_window, burst_of(&n.cfg), n.stats.deferred);
        netsnmp_variable_list *vars = start(SD_NOTIF_SUPPRESSED);
        if (vars)
            vars = built(vars,
                         sd_mib_add_gauge(&vars, SD_ARC_NOTIFY, SD_NOBJ_SUPPRESSED, n.suppressed) ||
                         sd_mib_add_scalar(&vars, SD_ARC_SUMMARY, SD_SUM_ROWS_ERROR) ||
                         sd_mib_add_gauge(&vars, SD_ARC_NOTIFY, SD_NOBJ_DEFERRED,
                                          n.stats.deferred));
        n.suppressed = 0;
        emit(vars);
    }
}

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Brings the bucket up to date: N / SECONDS tokens a second, at most BURST. */
static void refill(void)
{
    struct timespec now;
    double burst = burst_of(&n.cfg);

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!n.primed) {
        n.tokens = burst;
        n.primed = true;
    } else {
        n.tokens += since(&n.filled, &now) * n.cfg.rate_n / n.cfg.rate_window;
        if (n.tokens > burst)
            n.tokens = burst;
    }
    n.filled = now;
}

/* Whether the bucket has a token now; takes it. */
static bool take_token(void)
{
    refill();
    if (n.tokens < 1.0)
        return false;
    n.tokens -= 1.0;
    return true;
}

/* A row notification the limit holds back: counted, and summed up at the
 * end of the window it opens (or is in). */
static void held_back(void)
{
    n.suppressed++;
    n.stats.rate_limited++;
    if (!n.window_alarm)
        n.window_alarm = snmp_alarm_register(n.cfg.rate_window, 0, window_end, NULL);
}

/* Whether one more row notification fits the rate limit now. */
static bool admit(void)
{
    if (take_token())
        return true;
    held_back();
    return false;
}

/*
 * A row announced in error is always announced leaving it. A receiver that
 * keeps state (Zabbix's problem per row, closed by the notification for the
 * same index) would otherwise keep a problem open for ever when the rate
 * limit cut the row's way out. So the limit applies to entering error, and
 * to leaving it only for rows the receiver never heard of; the ways out it
 * lets through are bounded by the entries it let through. Each announced
 * row is kept here, keyed by its table and index.
 *
 * Nor does the limit lose an entry: it defers it (n.pending, same keys),
 * and later windows send the rows deferred longest first, with their
 * current columns, so the receiver's set of problems converges on the rows
 * in error at notifyRateLimit's pace. A row that leaves error (or the
 * source) before its turn is withdrawn: neither way is sent, the receiver
 * never having heard of it.
 */
struct announced {
    const struct sd_table *t;
    char *line;                         /* owned: its notifyStateFile line, or NULL */
    unsigned long seq;                  /* pending: the order it was deferred in */
    long reason;                        /* pending: enteredError(1) or presentAtStart(4) */
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
    k->line = NULL;
    k->seq = 0;
    k->reason = 0;
    k->len = len;
    for (size_t j = 0; j < len; j++)
        k->name[j] = (uint32_t)vars->name[j];
    return k;
}

static void announced_free(struct announced *k)
{
    if (k)
        free(k->line);
    free(k);
}

/* Records an announced row (takes k, and line: its state file line, may be
 * NULL). A row already there keeps its entry; with `replace`, its line
 * becomes this one (what the receiver heard last). */
static void announced_put(struct announced *k, char *line, bool replace)
{
    struct announced **at = tsearch(k, &n.announced, announced_cmp);

    if (!at) {                          /* out of memory */
        free(k);
        free(line);
        return;
    }
    if (*at == k) {
        k->line = line;
        n.dirty = true;
        return;
    }
    free(k);
    if (replace && line && (!(*at)->line || strcmp((*at)->line, line) != 0)) {
        free((*at)->line);
        (*at)->line = line;
        n.dirty = true;
    } else
        free(line);
}

/* Forgets the entry `was` (in the tree). */
static void announced_drop(struct announced *was)
{
    tdelete(was, &n.announced, announced_cmp);
    announced_free(was);
    n.dirty = true;
}

/* Whether the row of k was announced; forgets it (frees k either way). */
static bool announced_take(struct announced *k)
{
    struct announced **at = tfind(k, &n.announced, announced_cmp);
    struct announced *was = at ? *at : NULL;

    if (was)
        announced_drop(was);
    free(k);
    return was != NULL;
}

static void announced_clear(void)
{
    while (n.announced) {
        struct announced *k = *(struct announced **)n.announced;
        tdelete(k, &n.announced, announced_cmp);
        announced_free(k);
    }
}

/* The entries, in a malloc'd array (twalk takes no context: a static one;
 * main thread only). */
static struct {
    struct announced **v;
    size_t n, cap;
    bool oom;
} walk;

static void walk_visit(const void *node, VISIT which, int depth)
{
    (void)depth;
    if (which != postorder && which != leaf)
        return;
    if (walk.n == walk.cap) {
        size_t cap = walk.cap ? walk.cap * 2 : 64;
        struct announced **v = realloc(walk.v, cap * sizeof(*v));
        if (!v) {
            walk.oom = true;
            return;
        }
        walk.v = v;
        walk.cap = cap;
    }
    walk.v[walk.n++] = *(struct announced *const *)node;
}

/* All entries of tree root (of table t, or of every table when t is NULL)
 * into walk; false when out of memory. Free walk.v after. */
static bool collect_in(const void *root, const struct sd_table *t)
{
    memset(&walk, 0, sizeof(walk));
    twalk(root, walk_visit);
    if (walk.oom) {
        free(walk.v);
        memset(&walk, 0, sizeof(walk));
        return false;
    }
    size_t kept = 0;
    for (size_t i = 0; i < walk.n; i++)
        if (!t || walk.v[i]->t == t)
            walk.v[kept++] = walk.v[i];
    walk.n = kept;
    return true;
}

static bool collect(const struct sd_table *t)
{
    return collect_in(n.announced, t);
}

/* --- rows whose entry the rate limit deferred ---------------------------------- */

static size_t slot_of(const struct sd_table *t)
{
    for (size_t i = 0; i < NTABLES; i++)
        if (all_tables[i] == t)
            return i;
    return 0;                           /* every table is in all_tables */
}

/* Defers the entry into error of k's row (takes k); a row already waiting
 * keeps its place. */
static void pending_put(struct announced *k, long reason)
{
    struct announced **at = tsearch(k, &n.pending, announced_cmp);

    if (!at || *at != k) {              /* out of memory, or waiting already */
        free(k);
        return;
    }
    k->seq = ++n.seq;
    k->reason = reason;
    n.stats.deferred++;
}

/* Removes the entry `was` (in n.pending) from the tree; the caller takes it. */
static void pending_unlink(struct announced *was)
{
    tdelete(was, &n.pending, announced_cmp);
    n.stats.deferred--;
}

/* Whether k's row was waiting; it no longer does (k stays the caller's). */
static bool pending_take(const struct announced *k)
{
    struct announced **at = tfind(k, &n.pending, announced_cmp);

    if (!at)
        return false;
    struct announced *was = *at;
    pending_unlink(was);
    announced_free(was);
    return true;
}

/* Forgets the rows waiting in table t, and its latest snapshot: the table is
 * no longer served, or no longer notified, or starts over (a first load). */
static void pending_forget(const struct sd_table *t)
{
    size_t slot = slot_of(t);

    if (collect_in(n.pending, t)) {
        for (size_t j = 0; j < walk.n; j++) {
            pending_unlink(walk.v[j]);
            announced_free(walk.v[j]);
        }
        free(walk.v);
    }
    sd_snapshot_free(n.latest[slot]);
    n.latest[slot] = NULL;
}

static int by_seq(const void *a, const void *b)
{
    const struct announced *x = *(struct announced *const *)a, *y = *(struct announced *const *)b;

    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The rows deferred longest are announced, as many as the bucket has tokens
 * for (one every SECONDS / N once it is empty), each built from its table's
 * latest snapshot (it is in error there: leaving would have withdrawn it).
 * While the master is away they wait here rather than fill the queue.
 */
static void drain(unsigned reg, void *arg)
{
    size_t sent = 0;

    n.drain_alarm = 0;
    if (n.pending && n.connected && collect_in(n.pending, NULL)) {
        struct announced **v = walk.v;
        size_t nv = walk.n;

        qsort(v, nv, sizeof(*v), by_seq);
        for (size_t j = 0; j < nv && take_token(); j++) {
            struct announced *k = v[j];
            const struct sd_snapshot *s = n.latest[slot_of(k->t)];
            unsigned long idx[MAX_OID_LEN];
            size_t nidx = k->len - REASON_LEN;
            netsnmp_variable_list *vars = NULL;

            for (size_t q = 0; q < nidx; q++)
                idx[q] = k->name[REASON_LEN + q];
            long i = s ? sd_snapshot_find(s, idx, nidx) : -1;
            pending_unlink(k);
            if (i >= 0 && (vars = start(k->t->notif_entered)))
                vars = built(vars, sd_mib_add_row(&vars, s, (size_t)i, (int)k->reason));
            if (!vars) {
                announced_free(k);
                continue;
            }
            announced_put(k, sd_nstate_format(k->t->name, vars->next_variable), true);
            emit(vars);
            sent++;
        }
        free(v);
    }
    if (sent && !n.pending)
        snmp_log(LOG_INFO, "notification rate limit: every deferred row notification is sent\n");
    if (sent)
        save();
    arm_drain();
}

/* Wakes drain() when the next token is due, while rows wait and the master
 * is there. */
static void arm_drain(void)
{
    if (n.drain_alarm || !n.pending || !n.connected)
        return;
    refill();
    double wait = n.tokens >= 1.0 ? 0 : (1.0 - n.tokens) * n.cfg.rate_window / n.cfg.rate_n;
    struct timeval tv;

    if (wait < 0.01)
        wait = 0.01;                    /* after the main loop has run */
    tv.tv_sec = (time_t)wait;
    tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
    n.drain_alarm = snmp_alarm_register_hr(tv, 0, drain, NULL);
}

/* --- the state file (notifyStateFile) ----------------------------------------- */


/* Whether k names smsDistNotifyReason.<an index of its table>. */
static bool key_ok(const struct announced *k)
{
    if (k->len <= REASON_LEN || k->len - REASON_LEN > k->t->max_index)
        return false;
    for (size_t j = 0; j < REASON_LEN; j++)
        if (k->name[j] != reason_oid[j])
            return false;
    return true;
}

/* notifyRows, notifyDPs, notifyContent */
static bool wanted(const struct sd_table *t)
{
    return t == &sd_table_dp ? n.cfg.dps : t == &sd_table_content ? n.cfg.content : n.cfg.rows;
}

static const char *switch_of(const struct sd_table *t)
{
    return t == &sd_table_dp ? "notifyDPs" : t == &sd_table_content ? "notifyContent" : "notifyRows";
}

struct restoring {
    size_t taken;
};

/* One line of the state file: an entry of the tree. */
static int take_line(void *ctx, char *line, char *why, size_t whylen)
{
    struct restoring *r = ctx;
    char *copy = strdup(line), *table;
    const struct sd_table *t = NULL;
    netsnmp_variable_list *vars, *last;

    if (!copy) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    if (sd_nstate_parse(line, &table, &vars, why, whylen) < 0) {
        free(copy);
        return -1;
    }
    for (size_t i = 0; i < NTABLES; i++)
        if (strcmp(table, all_tables[i]->name) == 0)
            t = all_tables[i];
    for (last = vars; last->next_variable; last = last->next_variable)
        ;
    bool reason_int = last->type == ASN_INTEGER;
    struct announced *k = t ? announced_key(t, vars) : NULL;

    snmp_free_varbind(vars);
    if (!t)
        snprintf(why, whylen, "unknown table '%.40s'", table);
    else if (!k)
        snprintf(why, whylen, "out of memory");
    else if (!key_ok(k) || !reason_int)
        snprintf(why, whylen, "the last varbind is not smsDistNotifyReason.<index> of %s",
                 t->name);
    if (!t || !k || !key_ok(k) || !reason_int) {
        free(k);
        free(copy);
        return -1;
    }
    announced_put(k, copy, true);
    r->taken++;
    return 0;
}

#define LOST_ACROSS_RESTART "which rows were announced is not kept across a restart, so a row " \
    "fixed while smsdistd is stopped will never be announced as leaving"

/* At start: the rows announced before it, from the state file. */
static void restore(void)
{
    const char *path = n.cfg.state_file;
    struct restoring r = { 0 };
    char err[600];
    unsigned line;

    if (!path[0])
        return;
    if (sd_nstate_probe(path, err, sizeof(err)) < 0) {
        snmp_log(LOG_WARNING, "notifyStateFile %s: %s: " LOST_ACROSS_RESTART " (make that folder "
                 "writable for smsdistd, or set notifyStateFile)\n", path, err);
        n.save_failing = true;          /* said: not again at each write */
    }
    switch (sd_nstate_read(path, take_line, &r, &line, err, sizeof(err))) {
    case SD_NSTATE_MISSING:
        break;
    case SD_NSTATE_OK:
        if (r.taken)
            snmp_log(LOG_INFO, "notifyStateFile %s: %zu rows announced before this start; "
                     "those fixed or gone since are announced leaving at the first load\n",
                     path, r.taken);
        break;
    case SD_NSTATE_BAD:
        snmp_log(LOG_WARNING, "notifyStateFile %s; using the %zu rows read before line %u "
                 "(the file is rewritten at the next change)\n", err, r.taken, line);
        break;
    case SD_NSTATE_UNREADABLE:
        snmp_log(LOG_WARNING, "notifyStateFile %s; starting with no rows remembered (the file "
                 "is replaced at the next change)\n", err);
        break;
    }
    n.dirty = false;                    /* as read */
}

/* Entries of tables whose notifications are off: their way out will never
 * be sent; forgotten, one line per table. */
static void forget_unwanted(void)
{
    for (size_t i = 0; i < NTABLES; i++) {
        const struct sd_table *t = all_tables[i];

        if (wanted(t))
            continue;
        pending_forget(t);
        if (!collect(t))
            continue;
        for (size_t j = 0; j < walk.n; j++)
            announced_drop(walk.v[j]);
        if (walk.n)
            snmp_log(LOG_INFO, "%s no: forgetting the %zu rows of %s announced before (none "
                     "will be announced leaving)\n", switch_of(t), walk.n, t->name);
        free(walk.v);
    }
}

/* Writes the state file if the tree changed: at most once per pass. */
static void save(void)
{
    const char *path = n.cfg.state_file;
    char err[600];

    if (!n.dirty || !path[0])
        return;
    if (!collect(NULL)) {
        snmp_log(LOG_ERR, "notifyStateFile %s: out of memory; not written\n", path);
        return;
    }
    const char **lines = malloc((walk.n ? walk.n : 1) * sizeof(*lines));
    size_t k = 0;
    int rc = -1;

    if (lines) {
        for (size_t i = 0; i < walk.n; i++)
            if (walk.v[i]->line)
                lines[k++] = walk.v[i]->line;
        rc = sd_nstate_write(path, lines, k, err, sizeof(err));
    } else
        snprintf(err, sizeof(err), "%s: out of memory", path);
    free(lines);
    free(walk.v);
    if (rc < 0) {
        if (!n.save_failing)
            snmp_log(LOG_WARNING, "notifyStateFile %s: " LOST_ACROSS_RESTART "\n", err);
        n.save_failing = true;
        return;                         /* still to write: at the next pass */
    }
    if (n.save_failing)
        snmp_log(LOG_NOTICE, "notifyStateFile %s written (%zu rows)\n", path, k);
    n.save_failing = false;
    n.dirty = false;
}

/* The table whose rows leave error with notification `which`, or NULL. */
static const struct sd_table *table_leaving(unsigned long which)
{
    for (size_t i = 0; i < NTABLES; i++)
        if (all_tables[i]->notif_left == which)
            return all_tables[i];
    return NULL;
}

/*
 * A notification that will never be sent (dropped from the full queue, or
 * still queued at shutdown): if it is a row's way out, the row goes back
 * into the tree, so the state file keeps it and the next start announces it
 * leaving again. (An entered one is in the tree already.)
 */
static void keep_unsent(const netsnmp_variable_list *vars)
{
    size_t tl = OID_LENGTH(notifications) + 1;

    if (!vars || !vars->next_variable || vars->type != ASN_OBJECT_ID ||
        vars->val_len != tl * sizeof(oid) ||
        memcmp(vars->val.objid, notifications, sizeof(notifications)) != 0)
        return;
    const struct sd_table *t = table_leaving(vars->val.objid[tl - 1]);
    struct announced *k = t ? announced_key(t, vars) : NULL;

    if (!k || !key_ok(k)) {
        free(k);
        return;
    }
    announced_put(k, sd_nstate_format(t->name, vars->next_variable), false);
}

/* The row entry `was` names, gone from the source: its way out, rebuilt from
 * the varbinds it entered error with (reason removed(3)). */
static netsnmp_variable_list *rebuilt_removed(const struct announced *was)
{
    char *copy = was->line ? strdup(was->line) : NULL, *table, why[200];
    netsnmp_variable_list *vars = NULL, *rest, *last;

    if (!copy || sd_nstate_parse(copy, &table, &rest, why, sizeof(why)) < 0) {
        free(copy);
        return NULL;
    }
    free(copy);
    if (!(vars = start(was->t->notif_left))) {
        snmp_free_varbind(rest);
        return NULL;
    }
    vars->next_variable = rest;
    for (last = rest; last->next_variable; last = last->next_variable)
        ;
    long removed = 3;
    snmp_set_var_typed_value(last, ASN_INTEGER, &removed, sizeof(removed));
    return vars;
}

/*
 * A table's first load: every row announced in error (before a restart,
 * from the state file; or before the table stopped being served) that is
 * not in error now is announced leaving it, as a live change: left(2) with
 * the row's columns when it is there, removed(3) with the columns it
 * entered with when it is gone. Never rate-limited: the receiver has a
 * problem open for each. Rows still in error stay.
 */
static void reconcile(const struct sd_changes *c, const struct sd_snapshot *s)
{
    const struct sd_table *t = s->rows.t;
    size_t rows = sd_snapshot_count(s), left = 0, removed = 0;

    if (!collect(t))
        return;
    if (!walk.n) {
        free(walk.v);
        return;
    }
    struct announced **mine = walk.v;
    size_t nmine = walk.n;
    unsigned char *in_error = calloc(rows ? rows : 1, 1);

    if (!in_error) {
        snmp_log(LOG_ERR, "out of memory: the rows announced before this start are not "
                 "announced leaving\n");
        free(mine);
        return;
    }
    for (size_t j = 0; j < c->n; j++)
        if (c->v[j].row < rows &&
            (c->v[j].change == SD_CHANGE_PRESENT || c->v[j].change == SD_CHANGE_ENTERED))
            in_error[c->v[j].row] = 1;
    for (size_t j = 0; j < nmine; j++) {
        struct announced *was = mine[j];
        unsigned long idx[MAX_OID_LEN];
        size_t nidx = was->len - REASON_LEN;
        netsnmp_variable_list *vars = NULL;

        for (size_t q = 0; q < nidx; q++)
            idx[q] = was->name[REASON_LEN + q];
        long i = sd_snapshot_find(s, idx, nidx);
        if (i >= 0 && in_error[i])
            continue;                   /* still in error: stays announced */
        if (i >= 0) {
            vars = start(t->notif_left);
            if (vars)
                vars = built(vars, sd_mib_add_row(&vars, s, (size_t)i, 2));
            left++;
        } else {
            vars = rebuilt_removed(was);
            if (!vars)
                snmp_log(LOG_ERR, "%s: cannot rebuild the way out of a row gone since the "
                         "last start; not sent\n", t->name);
            removed++;
        }
        announced_drop(was);
        emit(vars);
    }
    if (left + removed)
        snmp_log(LOG_INFO, "%s: announcing %zu rows as leaving (%zu fixed, %zu gone since they "
                 "were announced before this start)\n", t->name, left + removed, left, removed);
    free(in_error);
    free(mine);
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

    if (entered) {
        /* behind the rows that already wait: oldest first */
        if (n.pending ? (held_back(), false) : admit()) {
            if (k)
                announced_put(k, sd_nstate_format(t->name, vars->next_variable), true);
            emit(vars);
        } else {
            if (k)
                pending_put(k, reason[change]);
            snmp_free_varbind(vars);
        }
        return;
    }
    /* Leaving: a row still waiting is withdrawn. Sent when the receiver
     * heard of the row (announced: never limited), or when the limit admits
     * it for a row never announced nor waiting (its entry was before
     * notifications were on, or notifyAtStart no). */
    bool withdrawn = k && pending_take(k);
    bool send = (k && announced_take(k)) || (!withdrawn && admit());

    if (!send) {
        snmp_free_varbind(vars);
        return;
    }
    emit(vars);
}

void sd_notify_changes(const struct sd_changes *c, const struct sd_snapshot *old,
                       struct sd_snapshot *new_)
{
    if (!new_ || !wanted(new_->rows.t))
        return;
    size_t slot = slot_of(new_->rows.t);

    if (!old) {
        pending_forget(new_->rows.t);   /* what waits is announced again, as present */
        reconcile(c, new_);
    }
    sd_snapshot_free(n.latest[slot]);
    n.latest[slot] = sd_snapshot_ref(new_);
    if (old || n.cfg.at_start) {
        for (size_t k = 0; k < c->n; k++) {
            const struct sd_change_item *it = &c->v[k];
            notify_change((enum sd_change)it->change, it->change == SD_CHANGE_REMOVED ? old : new_,
                          it->row);
        }
    }
    arm_drain();
    save();
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
    if (n.drain_alarm)
        snmp_alarm_unregister(n.drain_alarm);
    if (n.flush_alarm)
        snmp_alarm_unregister(n.flush_alarm);
    while (n.count) {
        keep_unsent(n.queue[n.head]);
        snmp_free_varbind(n.queue[n.head]);
        n.head = (n.head + 1) % n.cap;
        n.count--;
    }
    save();
    free(n.queue);
    announced_clear();
    for (size_t i = 0; i < NTABLES; i++)
        pending_forget(all_tables[i]);
    memset(&n, 0, sizeof(n));
    n.last_state = SD_STATE_STARTING;
}

void sd_notify_table_dropped(const struct sd_table *t)
{
    pending_forget(t);
}
