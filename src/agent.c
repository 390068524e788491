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

static struct sd_health health;
static struct sd_snapshot *current;     /* owned: the data served */
static struct sd_served served;
static struct sd_loader *loader;
static char *display;                   /* owned: source URI as shown */
static const struct sd_config *config;
static unsigned poll_alarm;             /* http sources: fetch every pollInterval */
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

/* A good load: swap it in (a pointer swap: the loader already compared it
 * with the data served and will free what is retired). */
static void loaded(struct sd_load_result *r, time_t now)
{
    struct sd_snapshot *snap = r->snap;
    bool same = r->base == current && r->same;

    DEBUGMSGTL(("smsdistd", "load of %s: fetch %.3f s, decode %.3f s, build %.3f s\n",
                r->origin, r->fetch_s, r->decode_s, r->build_s));
    if (!same || health.last_failed)
        snmp_log(LOG_INFO, "loaded %zu rows from %s (%lu rejected, %lu duplicates) in %.3f s%s\n",
                 sd_snapshot_count(snap), r->origin, snap->rejected, snap->duplicates,
                 r->fetch_s + r->decode_s + r->build_s,
                 reg.refused || reg.reported ? "; NOT served: the master refused our registration" : "");
    if (same) {
        /* Same rows: nothing served changes, but the counts of this load do. */
        current->rejected = snap->rejected;
        current->duplicates = snap->duplicates;
    } else {
        struct sd_changes mine = { 0 };
        const struct sd_changes *changes = &r->changes;
        if (r->base != current || !r->changes_ok) {
            /* another load was swapped in since this one started */
            sd_snapshot_changes(current, snap, &config->policy, &mine);
            changes = &mine;
        }
        sd_notify_changes(changes, current, snap);
        sd_changes_fini(&mine);
        struct sd_snapshot *old = current;
        current = snap;
        r->snap = NULL;
        served.snap = current;
        sd_loader_retire(loader, old, NULL);
    }
    sd_health_good(&health, now);
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

static void failed(const struct sd_load_result *r, time_t now)
{
    /* One line per change of trouble, not one per retry. */
    /* health keeps the first 255 characters (what the MIB can show): compare those */
    if (!health.last_failed ||
        strncmp(health.last_error, r->error, sizeof(health.last_error) - 1) != 0)
        snmp_log(LOG_WARNING, "load failed: %s; %s\n", r->error,
                 current ? "the last good data stays served" : "no data served yet");
    else
        DEBUGMSGTL(("smsdistd", "load failed again: %s\n", r->error));
    sd_health_failed(&health, now, r->error);
}

static void on_loader(int fd, void *data)
{
    struct sd_load_result *r = sd_loader_take(loader);
    time_t now = time(NULL);

    if (!r)
        return;
    log_msgs(&r->msgs);
    if (r->snap) {
        auth_fallback(r);
        loaded(r, now);
    } else
        failed(r, now);
    sd_loader_retire(loader, NULL, r);
    sd_notify_state(sd_health_state(&health, now));
}

static void check_state(unsigned alarm, void *arg)
{
    time_t now = time(NULL);

    check_registration(now);
    sd_notify_state(sd_health_state(&health, now));
}

void sd_agent_reload(void)
{
    struct sd_load_params p = {
        .uri = config->source,
        .policy = config->policy,
        .max_rows = config->max_rows,
        .max_bytes = config->max_bytes,
        .log_rows = config->log_rows,
        .load_timeout = config->load_timeout,
        .http = config->http,
        .base = current,
        .dates = config->dates,         /* the zone is borrowed: submit takes a ref */
    };

    sd_watch_mark_loaded();
    if (sd_loader_submit(loader, &p) < 0)
        snmp_log(LOG_ERR, "cannot start a load: out of memory\n");
}

static void on_source_changed(void *arg)
{
    sd_agent_reload();
}

static void on_poll(unsigned alarm, void *arg)
{
    sd_agent_reload();
}

/* Follows the source: a file by inotify and polling, https by polling. */
static void watch_source(const struct sd_config *cfg)
{
    const char *path = sd_source_file_path(cfg->source);

    sd_watch_stop();
    if (poll_alarm)
        snmp_alarm_unregister(poll_alarm);
    poll_alarm = 0;
    if (sd_http_is_url(cfg->source)) {
        if (cfg->http.insecure)
            snmp_log(LOG_WARNING, "tlsVerify no: the AdminService's certificate is NOT "
                     "checked; anyone on the path can feed this agent data\n");
        poll_alarm = snmp_alarm_register(cfg->poll_interval ? cfg->poll_interval
                                                            : SD_DEFAULT_HTTP_POLL,
                                         SA_REPEAT, on_poll, NULL);
        return;
    }
    if (path && sd_watch_start(path, cfg->poll_interval ? cfg->poll_interval
                                                        : SD_DEFAULT_FILE_POLL,
                               on_source_changed, NULL) < 0)
        snmp_log(LOG_ERR, "%s: cannot watch for changes: out of memory\n", path);
}

static void set_display(const struct sd_config *cfg)
{
    free(display);
    display = sd_source_display(cfg->source);
    served.source_display = display ? display : "";
}

void sd_agent_reconfigure(const struct sd_config *cfg)
{
    config = cfg;
    set_display(cfg);
    health.stale_after = cfg->stale_after;
    sd_notify_configure(&cfg->notify);
    watch_source(cfg);
    sd_agent_reload();
}

int sd_agent_start(const struct sd_config *cfg)
{
    config = cfg;
    health.stale_after = cfg->stale_after;
    sd_health_init(&health, time(NULL));
    set_display(cfg);
    served.health = &health;
    served.snap = NULL;
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
    loader = sd_loader_start();
    if (!loader) {
        snmp_log(LOG_ERR, "cannot start the loader thread\n");
        goto undo;
    }
    if (register_readfd(sd_loader_fd(loader), on_loader, NULL) != FD_REGISTERED_OK) {
        snmp_log(LOG_ERR, "cannot watch the loader thread\n");
        goto undo;
    }
    if (sd_mib_register(&served) < 0) {
        snmp_log(LOG_ERR, "cannot register SMS-DISTRIBUTION-STATUS-MIB (is another module "
                 "or agent already serving it?)\n");
        goto undo;
    }
    watch_source(cfg);
    sd_agent_reload();
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
    sd_watch_stop();
    if (poll_alarm)
        snmp_alarm_unregister(poll_alarm);
    poll_alarm = 0;
    if (state_alarm)
        snmp_alarm_unregister(state_alarm);
    state_alarm = 0;
    sd_notify_shutdown();
    sd_mib_unregister();
    if (loader) {
        unregister_readfd(sd_loader_fd(loader));
        sd_loader_stop(loader);
        loader = NULL;
    }
    served.snap = NULL;
    sd_snapshot_free(current);
    current = NULL;
    free(display);
    display = NULL;
}
