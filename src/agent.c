/* agent: load → swap → health, on the main thread; see agent.h. */
#include "sd_snmp.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#include "agent.h"
#include "health.h"
#include "loader.h"
#include "mib.h"
#include "source.h"

static struct sd_health health;
static struct sd_snapshot *current;     /* owned: the data served */
static struct sd_served served;
static struct sd_loader *loader;
static char *display;                   /* owned: source URI as shown */
static const struct sd_config *config;

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

static void loaded(struct sd_load_result *r, time_t now)
{
    struct sd_snapshot *snap = r->snap;
    bool same = current && sd_snapshot_same_rows(current, snap);

    r->snap = NULL;
    DEBUGMSGTL(("smsdistd", "load of %s: fetch %.3f s, decode %.3f s, build %.3f s\n",
                r->origin, r->fetch_s, r->decode_s, r->build_s));
    if (!same || health.last_failed)
        snmp_log(LOG_INFO, "loaded %zu rows from %s (%lu rejected, %lu duplicates)\n",
                 sd_snapshot_count(snap), r->origin, snap->rejected, snap->duplicates);
    if (same) {
        /* Same rows: nothing served changes, but the counts of this load do. */
        current->rejected = snap->rejected;
        current->duplicates = snap->duplicates;
        sd_snapshot_free(snap);
    } else {
        struct sd_snapshot *old = current;
        current = snap;
        served.snap = current;
        sd_snapshot_free(old);
#ifdef HAVE_MALLOC_TRIM
        malloc_trim(0);         /* give the decoder's peak back to the system */
#endif
    }
    sd_health_good(&health, now);
}

static void failed(const struct sd_load_result *r, time_t now)
{
    /* One line per change of trouble, not one per retry. */
    if (!health.last_failed || strcmp(health.last_error, r->error) != 0)
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
    sd_load_result_free(r);
}

void sd_agent_reload(void)
{
    struct sd_load_params p = {
        .uri = config->source,
        .policy = config->policy,
        .max_rows = config->max_rows,
        .max_bytes = config->max_bytes,
        .log_rows = config->log_rows,
    };

    if (sd_loader_submit(loader, &p) < 0)
        snmp_log(LOG_ERR, "cannot start a load: out of memory\n");
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
    sd_agent_reload();
    return 0;
}

void sd_agent_stop(void)
{
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
