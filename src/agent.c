/* agent: load → swap → health, on the main thread; see agent.h. */
#include "sd_snmp.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "health.h"
#include "http.h"
#include "loader.h"
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

/* A good load: swap it in (a pointer swap: the loader already compared it
 * with the data served and will free what is retired). */
static void loaded(struct sd_load_result *r, time_t now)
{
    struct sd_snapshot *snap = r->snap;
    bool same = r->base == current && r->same;

    DEBUGMSGTL(("smsdistd", "load of %s: fetch %.3f s, decode %.3f s, build %.3f s\n",
                r->origin, r->fetch_s, r->decode_s, r->build_s));
    if (!same || health.last_failed)
        snmp_log(LOG_INFO, "loaded %zu rows from %s (%lu rejected, %lu duplicates) in %.3f s\n",
                 sd_snapshot_count(snap), r->origin, snap->rejected, snap->duplicates,
                 r->fetch_s + r->decode_s + r->build_s);
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
    if (r->snap)
        loaded(r, now);
    else
        failed(r, now);
    sd_loader_retire(loader, NULL, r);
    sd_notify_state(sd_health_state(&health, now));
}

static void check_state(unsigned reg, void *arg)
{
    sd_notify_state(sd_health_state(&health, time(NULL)));
}

void sd_agent_reload(void)
{
    struct sd_load_params p = {
        .uri = config->source,
        .policy = config->policy,
        .max_rows = config->max_rows,
        .max_bytes = config->max_bytes,
        .log_rows = config->log_rows,
        .http = config->http,
        .base = current,
    };

    sd_watch_mark_loaded();
    if (sd_loader_submit(loader, &p) < 0)
        snmp_log(LOG_ERR, "cannot start a load: out of memory\n");
}

static void on_source_changed(void *arg)
{
    sd_agent_reload();
}

static void on_poll(unsigned reg, void *arg)
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
    state_alarm = snmp_alarm_register(1, SA_REPEAT, check_state, NULL);
    if (cfg->krb5_keytab)       /* before the loader thread exists: setenv is not thread-safe */
        setenv("KRB5_CLIENT_KTNAME", cfg->krb5_keytab, 1);
    loader = sd_loader_start();
    if (!loader) {
        snmp_log(LOG_ERR, "cannot start the loader thread\n");
        return -1;
    }
    if (register_readfd(sd_loader_fd(loader), on_loader, NULL) != FD_REGISTERED_OK ||
        sd_mib_register(&served) < 0) {
        snmp_log(LOG_ERR, "cannot register SMS-DISTRIBUTION-STATUS-MIB\n");
        return -1;
    }
    watch_source(cfg);
    sd_agent_reload();
    return 0;
}

void sd_agent_stop(void)
{
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
