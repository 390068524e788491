/*
 * msgs: a bounded list of log lines collected off the main thread.
 *
 * Workers (loader, decoders) may not call net-snmp's logging, so they
 * collect what they want said here; the main thread logs it. The list keeps
 * at most `cap` lines and counts the rest, so 100,000 bad rows cost one
 * summary line, not 100,000 log lines.
 */
#ifndef SD_MSGS_H
#define SD_MSGS_H

#include <stddef.h>

enum sd_msg_level { SD_MSG_ERR, SD_MSG_WARN, SD_MSG_NOTICE, SD_MSG_INFO };

struct sd_msg {
    enum sd_msg_level level;
    char *text;                 /* owned */
};

struct sd_msgs {
    struct sd_msg *v;           /* owned */
    size_t n, alloc;
    size_t cap;                 /* most lines kept; 0 means the default */
    unsigned long dropped;      /* lines not kept because of cap */
};

void sd_msgs_init(struct sd_msgs *m, size_t cap);
void sd_msgs_fini(struct sd_msgs *m);
void sd_msgs_add(struct sd_msgs *m, enum sd_msg_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
