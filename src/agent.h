/*
 * agent: the core of the running daemon. Owns the served snapshot, the
 * health record and the loader; turns finished loads into a swap plus log
 * lines. Runs on the main thread only.
 */
#ifndef SD_AGENT_H
#define SD_AGENT_H

#include "conf.h"

/* After init_snmp(): registers the MIB, starts the loader, loads. 0 or -1. */
int sd_agent_start(const struct sd_config *cfg);
/* Configuration was re-read: pick it up and reload the source now. */
void sd_agent_reconfigure(const struct sd_config *cfg);
/* A configuration reload was refused (why: "FILE: line N: reason"), or
 * applied: served as smsDistConfigReloadsRefused / smsDistConfigError. */
void sd_agent_config_refused(const char *why);
void sd_agent_config_applied(void);
/* Reload the source now. */
void sd_agent_reload(void);
void sd_agent_stop(void);

#endif
