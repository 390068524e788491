/* logwatch: a net-snmp callback log handler fanned out to listeners; see logwatch.h. */
#include "sd_snmp.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "logwatch.h"

#define MAX_LISTENERS 4

static struct listener {
    sd_logwatch_fn *fn;
    void *ctx;
} listeners[MAX_LISTENERS];
static size_t n_listeners;
static netsnmp_log_handler *handler;

static int on_log(int major, int minor, void *server, void *client)
{
    const struct snmp_log_message *m = server;

    /* a listener may remove itself: walk a copy */
    struct listener now[MAX_LISTENERS];
    size_t n = n_listeners;

    for (size_t i = 0; i < n; i++)
        now[i] = listeners[i];
    for (size_t i = 0; m && m->msg && i < n; i++)
        now[i].fn(m->priority, m->msg, now[i].ctx);
    return 0;
}

int sd_logwatch_add(sd_logwatch_fn *fn, void *ctx)
{
    if (n_listeners == MAX_LISTENERS)
        return -1;
    if (!handler) {
        handler = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_WARNING);
        if (!handler)
            return -1;
        handler->token = strdup("smsdistd-logwatch");
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
    }
    listeners[n_listeners].fn = fn;
    listeners[n_listeners].ctx = ctx;
    n_listeners++;
    return 0;
}

void sd_logwatch_remove(sd_logwatch_fn *fn, void *ctx)
{
    for (size_t i = 0; i < n_listeners; i++) {
        if (listeners[i].fn == fn && listeners[i].ctx == ctx) {
            listeners[i] = listeners[--n_listeners];
            break;
        }
    }
    if (!n_listeners && handler) {
        snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL, 0);
        netsnmp_remove_loghandler(handler);
        handler = NULL;
    }
}
