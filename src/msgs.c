/* msgs: bounded list of log lines, see msgs.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgs.h"

#define SD_MSGS_DEFAULT_CAP 50

void sd_msgs_init(struct sd_msgs *m, size_t cap)
{
    memset(m, 0, sizeof(*m));
    m->cap = cap ? cap : SD_MSGS_DEFAULT_CAP;
}

void sd_msgs_fini(struct sd_msgs *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].text);
    free(m->v);
    memset(m, 0, sizeof(*m));
}

void sd_msgs_add(struct sd_msgs *m, enum sd_msg_level level, const char *fmt, ...)
{
    va_list ap;
    char *text;

    if (m->n >= m->cap) {
        m->dropped++;
        return;
    }
    if (m->n == m->alloc) {
        size_t alloc = m->alloc ? m->alloc * 2 : 8;
        struct sd_msg *v = realloc(m->v, alloc * sizeof(*v));
        if (!v) {
            m->dropped++;
            return;
        }
        m->v = v;
        m->alloc = alloc;
    }
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    if (!text) {
        m->dropped++;
        return;
    }
    m->v[m->n].level = level;
    m->v[m->n].text = text;
    m->n++;
}
