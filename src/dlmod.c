/*
 * dlmod: the same MIB module inside snmpd, for sites that want no AgentX
 * hop. snmpd.conf:
 *
 *     dlmod smsdist /usr/local/lib/smsdistd/smsdist.so
 *     source file:/var/lib/smsdistd/distribution.json     (after the dlmod line)
 *
 * snmpd calls init_smsdist() when it reads the dlmod line, so our
 * directives are known for the lines after it; the data is loaded once the
 * whole configuration is read (POST_READ_CONFIG). On SIGHUP snmpd unloads
 * and reloads every dlmod: deinit_smsdist() must leave nothing behind,
 * and unregisters our directives so snmpd never calls into an unloaded
 * library. The table is then empty until the first load completes.
 */
#include "sd_snmp.h"

#include "agent.h"
#include "conf.h"
#include "http.h"
#include "notify.h"

void init_smsdist(void);
void deinit_smsdist(void);

static struct sd_config config;
static int started;

static int after_config(int major, int minor, void *server, void *client)
{
    char err[256];

    if (sd_config_check(&config, err, sizeof(err)) < 0) {
        snmp_log(LOG_ERR, "smsdist: %s; SMS-DISTRIBUTION-STATUS-MIB not served\n", err);
        return 0;
    }
    if (started) {
        sd_agent_reconfigure(&config);
        return 0;
    }
    if (sd_agent_start(&config) == 0) {
        started = 1;
        char *shown = sd_source_display(config.source);
        snmp_log(LOG_INFO, "smsdist %s serving SMS-DISTRIBUTION-STATUS-MIB (source %s)\n",
                 SD_PACKAGE_VERSION, shown ? shown : "?");
        free(shown);
    }
    return 0;
}

void init_smsdist(void)
{
    /* snmpd is single-threaded here: the one safe moment for libcurl's init */
    if (sd_http_global_init() < 0)
        snmp_log(LOG_ERR, "smsdist: cannot initialise libcurl; https sources will fail\n");
    sd_config_register("snmpd", &config);
    sd_notify_set_connected(true);      /* inside the master: traps go straight out */
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                           after_config, NULL);
}

void deinit_smsdist(void)
{
    snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                             after_config, NULL, 0);
    if (started)
        sd_agent_stop();
    started = 0;
    sd_config_unregister();
    sd_config_release(&config);
    sd_http_global_cleanup();
}
