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
/* Reload the source now. */
void sd_agent_reload(void);
void sd_agent_stop(void);

#endif
