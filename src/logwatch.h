/*
 * logwatch: reads net-snmp's own log lines as they are written, for the
 * few things the library says only there: a configuration line it did not
 * understand ("Unknown token"), an error in a directive (config_perror), an
 * AgentX registration the master refused ("registering pdu failed: 263").
 * Listeners are called on the thread that logs (net-snmp: the main thread)
 * and must only record what they see. Main thread only.
 */
#ifndef SD_LOGWATCH_H
#define SD_LOGWATCH_H

typedef void sd_logwatch_fn(int priority, const char *msg, void *ctx);

/* Calls fn for every log line of priority LOG_WARNING or more urgent until
 * removed. 0, or -1 when no room (at most 4 listeners). */
int sd_logwatch_add(sd_logwatch_fn *fn, void *ctx);
void sd_logwatch_remove(sd_logwatch_fn *fn, void *ctx);

#endif
