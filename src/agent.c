/* agent: load → swap → health, on the main thread; see agent.h. */
#include "sd_snmp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "health.h"
#include "http.h"
#include "loader.h"
#include "logwatch.h"
#include "mib.h"
#include "notify.h"
#include "source.h"
#include "watch.h"

/*
 * One table's feed: where its rows come from, the loader that reads them,
 * its health and the snapshot served. Each reloads on its own; one failing
 * never touches another's data. feeds[0] is smsDistStatusTable, whose
 * health is also the smsDistSource scalars and source notifications.
 */
struct feed {
    const struct sd_table *t;
    const char *uri;                    /* the config's; NULL: not served */
    bool inherited;                     /* the main source's file: only a combined export
                                         * carries this table */
    bool absent;                        /* inherited, and the last document had none */
    struct sd_health health;
    struct sd_snapshot *current;        /* owned: the data served */
    struct sd_loader *loader;
    char *display;                      /* owned: URI as shown */
    unsigned poll_alarm;                /* http sources: fetch every pollInterval */
    struct sd_watch *watch;             /* file sources */
    const struct sd_snapshot **served_snap;
};

static struct sd_served served;
static struct feed feeds[SD_TABLES] = {
    { .t = &sd_table_status, .served_snap = &served.snap },
    { .t = &sd_table_dp, .served_snap = &served.dp_snap },
    { .t = &sd_table_content, .served_snap = &served.content_snap },
};
#define MAIN (&feeds[0])
static const struct sd_config *config;
static unsigned state_alarm;            /* notices the source going stale */
static struct sd_confstat confstat;

/*
 * The master's answer to our registration. A subagent registers through
 * net-snmp, which says only in its log when the master refused
 * ("registering pdu failed: 263!": another agent holds the subtree), and
 * then serves nothing. That line is watched for; the agent then says so in
 * plain words and registers again until it is let in: after one ping
 * interval, then twice as long each time up to a minute (net-snmp logs its
 * own line at each refusal, so a steady pace would flood the log).
 */
static struct {
    bool watching;
    volatile long refused;      /* AgentX error of the last refusal, 0: none seen */
    long reported;              /* the refusal logged, 0: none */
    time_t since;               /* first refusal of this spell */
    time_t next_try;
    int backoff;                /* seconds to the next try: doubles, at most 60 */
} reg;

static int level_of(enum sd_msg_level l)
{
    switch (l) {
    case SD_MSG_ERR: return LOG_ERR;
    case SD_MSG_WARN: return LOG_WARNING;
    case SD_MSG_NOTICE: return LOG_NOTICE;
    default: return LOG_INFO;
    }
}

static void log_msgs(const struct sd_msgs *m)
{
    for (size_t i = 0; i < m->n; i++)
        snmp_log(level_of(m->v[i].level), "%s\n", m->v[i].text);
    if (m->dropped)
        snmp_log(LOG_WARNING, "... and %lu more row messages (logRejectedRows %zu)\n",
                 m->dropped, m->cap);
}

void sd_agent_config_refused(const char *why)
{
    confstat.refused++;
    snprintf(confstat.error, sizeof(confstat.error), "%s", why);
}

void sd_agent_config_applied(void)
{
    confstat.error[0] = '\0';
}

static void on_agentx_log(int priority, const char *msg, void *ctx)
{
    const char *p = strstr(msg, "registering pdu failed: ");
    long code;

    if (p && sscanf(p + strlen("registering pdu failed: "), "%ld", &code) == 1)
        reg.refused = code ? code : -1;
}

static const char *agentx_error(long code)
{
    switch (code) {
    case 263: return "duplicateRegistration: another agent already serves this subtree at the master";
    case 261: return "unsupportedContext";
    case 264: return "unknownRegistration";
    case 265: return "unknownAgentCaps";
    case 266: return "parseError";
    case 267: return "requestDenied";
    case 268: return "processingError";
    default: return "refused by the master";
    }
}

static int ping_interval(void)
{
    int s = netsnmp_ds_get_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL);

    return s > 0 ? s : 5;
}

/* Once a second: log a refusal once, register again every ping interval. */
static void check_registration(time_t now)
{
    if (!reg.watching)
        return;
    if (reg.refused && !reg.reported) {
        reg.reported = reg.refused;
        reg.since = now;
        reg.backoff = ping_interval();
        reg.next_try = now + reg.backoff;
        snmp_log(LOG_ERR, "the master refused to let smsdistd serve SMS-DISTRIBUTION-STATUS-MIB "
                 "(AgentX error %ld, %s); NOTHING is served by this smsdistd; registering "
                 "again in %d s, then less and less often (at most every 60 s)\n",
                 reg.refused, agentx_error(reg.refused), reg.backoff);
        return;
    }
    if (!reg.reported || now < reg.next_try)
        return;
    reg.backoff = reg.backoff * 2 > 60 ? 60 : reg.backoff * 2;
    reg.next_try = now + reg.backoff;
    if (!sd_notify_master_connected())
        return;         /* net-snmp registers again by itself when the master is back */
    /* Ask again as net-snmp does after a reconnection (a subagent holds
     * only our subtree). Never unregister
     * first: net-snmp's master drops a registration by OID, whoever asks,
     * so an AgentX Unregister from us would throw out the agent that holds
     * the subtree. */
    reg.refused = 0;
    register_mib_detach();      /* only marks them: reattach then sends them all */
    register_mib_reattach();
    if (reg.refused) {
        DEBUGMSGTL(("smsdistd", "registration refused again (%ld)\n", reg.refused));
        return;
    }
    snmp_log(LOG_NOTICE, "SMS-DISTRIBUTION-STATUS-MIB registered at the master after %ld s "
             "of refusals; now serving\n", (long)(now - reg.since));
    reg.reported = 0;
}

static const struct sd_policy *policy_of(const struct feed *f)
{
    return f->t == &sd_table_content ? &config->content_policy : &config->policy;
}

/* Log lines of a per-DP table say which table they are about. */
static const char *who(const struct feed *f, char *buf, size_t n)
{
    if (f == MAIN)
        return "";
    snprintf(buf, n, "%s: ", f->t->name);
    return buf;
}

/* What smsDistLoadTable shows of f (a row only while f is served). */
static void publish(struct feed *f)
{
    struct sd_served_load *l = &served.load[f - feeds];

    *f->served_snap = f->current;
    l->present = f->uri && !f->absent;
    l->display = f->display ? f->display : "";
    l->health = &f->health;
    l->snap = f->current;
}

/* Drops what f serves (no longer configured, or no longer in the document). */
static void drop(struct feed *f)
{
    sd_notify_table_dropped(f->t);
    if (f->current) {
        struct sd_snapshot *old = f->current;

        f->current = NULL;
        publish(f);
        sd_loader_retire(f->loader, old, NULL);
    }
    sd_health_init(&f->health, time(NULL));
    f->health.stale_after = config->stale_after;
    publish(f);
}

/* A good load: swap it in (a pointer swap: the loader already compared it
 * with the data served and will free what is retired). */
static void loaded(struct feed *f, struct sd_load_result *r, time_t now)
{
    struct sd_snapshot *snap = r->snap;
    bool same = r->base == f->current && r->same;
    char pfx[64];

    DEBUGMSGTL(("smsdistd", "%sload of %s: fetch %.3f s, decode %.3f s, build %.3f s\n",
                who(f, pfx, sizeof(pfx)), r->origin, r->fetch_s, r->decode_s, r->build_s));
    if (r->absent) {
        if (!f->absent)
            snmp_log(LOG_INFO, "%s%s has no %s array: %s not served\n", who(f, pfx, sizeof(pfx)),
                     r->origin, f->t->wmi_class, f->t->name);
        f->absent = true;
        drop(f);
        return;
    }
    f->absent = false;
    if (!same || f->health.last_failed)
        snmp_log(LOG_INFO, "%sloaded %zu rows from %s (%lu rejected, %lu duplicates) in %.3f s%s\n",
                 who(f, pfx, sizeof(pfx)), sd_snapshot_count(snap), r->origin, snap->rejected,
                 snap->duplicates, r->fetch_s + r->decode_s + r->build_s,
                 reg.refused || reg.reported ? "; NOT served: the master refused our registration" : "");
    if (same) {
        /* Same rows: nothing served changes, but the counts of this load do. */
        f->current->rejected = snap->rejected;
        f->current->duplicates = snap->duplicates;
    } else {
        struct sd_changes mine = { 0 };
        const struct sd_changes *changes = &r->changes;
        if (r->base != f->current || !r->changes_ok) {
            /* another load was swapped in since this one started */
            sd_snapshot_changes(f->current, snap, policy_of(f), &mine);
            changes = &mine;
        }
        sd_notify_changes(changes, f->current, snap);
        sd_changes_fini(&mine);
        struct sd_snapshot *old = f->current;
        f->current = snap;
        r->snap = NULL;
        sd_loader_retire(f->loader, old, NULL);
    }
    sd_health_good(&f->health, now);
    publish(f);
}

/* httpAuth windows: one line when loads start or stop going through NTLM
 * because Kerberos fails, not one per load. */
static void auth_fallback(const struct sd_load_result *r)
{
    static char said[sizeof(r->auth_note)];

    if (strcmp(said, r->auth_note) == 0)
        return;
    if (r->auth_note[0])
        snmp_log(LOG_WARNING, "authenticated with NTLM instead of Kerberos: %s\n", r->auth_note);
    else
        snmp_log(LOG_NOTICE, "no longer falling back to NTLM\n");
    snprintf(said, sizeof(said), "%s", r->auth_note);
}

static void failed(struct feed *f, const struct sd_load_result *r, time_t now)
{
    struct sd_health *h = &f->health;
    char pfx[64];

    /* A table read from the main file that is not there: the main table
     * says what went wrong with the file. */
    if (f->inherited && f->absent)
        return;

    /* One line per change of trouble, not one per retry. */
    /* health keeps the first 255 characters (what the MIB can show): compare those */
    if (!h->last_failed || strncmp(h->last_error, r->error, sizeof(h->last_error) - 1) != 0)
        snmp_log(LOG_WARNING, "%sload failed: %s; %s\n", who(f, pfx, sizeof(pfx)), r->error,
                 f->current ? "the last good data stays served" : "no data served yet");
    else
        DEBUGMSGTL(("smsdistd", "%sload failed again: %s\n", who(f, pfx, sizeof(pfx)), r->error));
    sd_health_failed(h, now, r->error);
    publish(f);
}

static struct feed *feed_of(const struct sd_table *t)
{
    for (size_t k = 0; k < SD_TABLES; k++)
        if (feeds[k].t == t)
            return &feeds[k];
    return NULL;
}

/* One table's outcome of a load. */
static void finished(struct feed *f, struct sd_load_result *r, time_t now)
{
    log_msgs(&r->msgs);
    if (r->snap) {
        auth_fallback(r);
        loaded(f, r, now);
    } else
        failed(f, r, now);
}

static void on_loader(int fd, void *data)
{
    struct feed *f = data;
    struct sd_load_result *r = sd_loader_take(f->loader);
    time_t now = time(NULL);

    if (!r)
        return;
    finished(f, r, now);
    /* the tables read from the same file, if they still are */
    for (size_t k = 0; k < r->n_also; k++) {
        struct feed *af = feed_of(r->also[k]->table);

        if (af && af->inherited)
            finished(af, r->also[k], now);
    }
    sd_loader_retire(f->loader, NULL, r);
    if (f == MAIN)
        sd_notify_state(sd_health_state(&f->health, now));
}

static void check_state(unsigned alarm, void *arg)
{
    time_t now = time(NULL);

    check_registration(now);
    sd_notify_state(sd_health_state(&MAIN->health, now));
}

static void feed_reload(struct feed *f)
{
    if (!f->uri || f->inherited)
        return;                         /* not served, or loaded with the main source */
    struct sd_load_params p = {
        .table = f->t,
        .uri = f->uri,
        .policy = *policy_of(f),
        .max_rows = config->max_rows,
        .max_bytes = config->max_bytes,
        .log_rows = config->log_rows,
        .load_timeout = config->load_timeout,
        .http = config->http,
        .base = f->current,
        .dates = config->dates,         /* the zone is borrowed: submit takes a ref */
    };

    /* the tables read from the same file come with it */
    for (size_t k = 0; k < SD_TABLES; k++)
        if (f == MAIN && feeds[k].inherited)
            p.also[p.n_also++] = (struct sd_load_also){ feeds[k].t, *policy_of(&feeds[k]),
                                                        feeds[k].current };
    sd_watch_mark_loaded(f->watch);
    if (sd_loader_submit(f->loader, &p) < 0)
        snmp_log(LOG_ERR, "cannot start a load: out of memory\n");
}

/* The main source (and the tables read from its file with it). */
void sd_agent_reload(void)
{
    feed_reload(MAIN);
}

static void on_source_changed(void *arg)
{
    feed_reload(arg);
}

static void on_poll(unsigned alarm, void *arg)
{
    on_source_changed(arg);
}

/* Follows f's source: a file by inotify and polling, https by polling; a
 * table read from the main source's file follows that. */
static void watch_source(struct feed *f, const struct sd_config *cfg)
{
    const struct sd_source_kind *kind = f->uri ? sd_source_kind_of(f->uri) : NULL;
    const char *path = kind && !f->inherited ? kind->watch_path(f->uri) : NULL;

    sd_watch_stop(f->watch);
    f->watch = NULL;
    if (f->poll_alarm)
        snmp_alarm_unregister(f->poll_alarm);
    f->poll_alarm = 0;
    if (!kind || f->inherited)
        return;
    unsigned poll = cfg->poll_interval ? cfg->poll_interval : kind->default_poll;
    if (!path) {
        if (cfg->http.insecure && kind == &sd_source_https)
            snmp_log(LOG_WARNING, "%s: tlsVerify no: the AdminService's certificate is NOT "
                     "checked; anyone on the path can feed this agent data\n", f->display);
        f->poll_alarm = snmp_alarm_register(poll, SA_REPEAT, on_poll, f);
        return;
    }
    if (!(f->watch = sd_watch_start(path, poll, on_source_changed, f)))
        snmp_log(LOG_ERR, "%s: cannot watch for changes: out of memory\n", path);
}

/* Which source each table has now: its own, the main file's, or none. */
static void configure_feeds(const struct sd_config *cfg)
{
    const char *own[SD_TABLES] = { cfg->source, cfg->dp_source, cfg->content_source };
    const struct sd_source_kind *main_kind = cfg->source ? sd_source_kind_of(cfg->source) : NULL;
    bool main_is_file = main_kind && !main_kind->next_url;

    for (size_t k = 0; k < SD_TABLES; k++) {
        struct feed *f = &feeds[k];
        const char *was = f->uri;
        bool inherited = k > 0 && !own[k] && main_is_file;

        f->uri = own[k] ? own[k] : inherited ? cfg->source : NULL;
        if (!f->uri || inherited != f->inherited || (was == NULL) != (f->uri == NULL))
            f->absent = inherited;      /* until a document says it has the class */
        f->inherited = inherited;
        f->health.stale_after = cfg->stale_after;
        free(f->display);
        f->display = f->uri ? sd_source_display(f->uri) : NULL;
        if (!f->uri && (f->current || was))
            drop(f);
        watch_source(f, cfg);
        publish(f);
    }
    served.source_display = MAIN->display ? MAIN->display : "";
}

void sd_agent_reconfigure(const struct sd_config *cfg)
{
    config = cfg;
    sd_notify_configure(&cfg->notify);
    configure_feeds(cfg);
    for (size_t k = 0; k < SD_TABLES; k++)
        feed_reload(&feeds[k]);
}

int sd_agent_start(const struct sd_config *cfg)
{
    time_t now = time(NULL);

    config = cfg;
    for (size_t k = 0; k < SD_TABLES; k++) {
        sd_health_init(&feeds[k].health, now);
        feeds[k].health.stale_after = cfg->stale_after;
    }
    served.health = &MAIN->health;
    served.notify = sd_notify_stats();
    sd_notify_configure(&cfg->notify);
    served.conf = &confstat;
    state_alarm = snmp_alarm_register(1, SA_REPEAT, check_state, NULL);
    /* Kerberos tickets (got from krb5Keytab) stay in this process's memory
     * unless the operator names a cache (KRB5CCNAME), whatever a reload
     * configures later; set before the loader thread exists: setenv is
     * not thread-safe. */
    if (!getenv("KRB5CCNAME"))
        setenv("KRB5CCNAME", "MEMORY:smsdistd", 1);
    /* a subagent hears of a refused registration only through the log */
    if (netsnmp_ds_get_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE) &&
        sd_logwatch_add(on_agentx_log, NULL) == 0)
        reg.watching = true;
    for (size_t k = 0; k < SD_TABLES; k++) {
        struct feed *f = &feeds[k];

        if (!(f->loader = sd_loader_start())) {
            snmp_log(LOG_ERR, "cannot start the loader thread\n");
            goto undo;
        }
        if (register_readfd(sd_loader_fd(f->loader), on_loader, f) != FD_REGISTERED_OK) {
            snmp_log(LOG_ERR, "cannot watch the loader thread\n");
            sd_loader_stop(f->loader);
            f->loader = NULL;
            goto undo;
        }
    }
    configure_feeds(cfg);
    if (sd_mib_register(&served) < 0) {
        snmp_log(LOG_ERR, "cannot register SMS-DISTRIBUTION-STATUS-MIB (is another module "
                 "or agent already serving it?)\n");
        goto undo;
    }
    for (size_t k = 0; k < SD_TABLES; k++)
        feed_reload(&feeds[k]);
    return 0;

undo:
    /* one cleanup path: whatever was started above is stopped again */
    sd_agent_stop();
    return -1;
}

void sd_agent_stop(void)
{
    if (reg.watching)
        sd_logwatch_remove(on_agentx_log, NULL);
    memset(&reg, 0, sizeof(reg));
    if (state_alarm)
        snmp_alarm_unregister(state_alarm);
    state_alarm = 0;
    sd_notify_shutdown();
    sd_mib_unregister();
    for (size_t k = 0; k < SD_TABLES; k++) {
        struct feed *f = &feeds[k];

        sd_watch_stop(f->watch);
        f->watch = NULL;
        if (f->poll_alarm)
            snmp_alarm_unregister(f->poll_alarm);
        f->poll_alarm = 0;
        if (f->loader) {
            unregister_readfd(sd_loader_fd(f->loader));
            sd_loader_stop(f->loader);
            f->loader = NULL;
        }
        *f->served_snap = NULL;
        served.load[k].present = false;
        sd_snapshot_free(f->current);
        f->current = NULL;
        free(f->display);
        f->display = NULL;
        f->uri = NULL;
        f->inherited = f->absent = false;
    }
}
