/* notifystate: the notifyStateFile format, reading and atomic replacement; see notifystate.h. */
#include "sd_snmp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notifystate.h"
#include "source.h"

/* --- one line ------------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        b->oom = 1;
        return;
    }
    sb_add(b, tmp, (size_t)n);
}

static void sb_oid(struct sbuf *b, const oid *name, size_t len)
{
    for (size_t i = 0; i < len; i++)
        sb_printf(b, i ? ".%lu" : "%lu", (unsigned long)name[i]);
}

static void sb_hex(struct sbuf *b, const unsigned char *s, size_t len)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        char h[2] = { digits[s[i] >> 4], digits[s[i] & 15] };
        sb_add(b, h, 2);
    }
}

char *sd_nstate_format(const char *table, const struct variable_list *vars)
{
    struct sbuf b = { 0 };

    sb_add(&b, table, strlen(table));
    for (const netsnmp_variable_list *v = vars; v; v = v->next_variable) {
        sb_add(&b, " ", 1);
        sb_oid(&b, v->name, v->name_length);
        switch (v->type) {
        case ASN_INTEGER:
            sb_printf(&b, "=i:%ld", *v->val.integer);
            break;
        case ASN_GAUGE:
            sb_printf(&b, "=u:%lu", (unsigned long)*v->val.integer & 0xffffffffUL);
            break;
        case ASN_COUNTER:
            sb_printf(&b, "=c:%lu", (unsigned long)*v->val.integer & 0xffffffffUL);
            break;
        case ASN_TIMETICKS:
            sb_printf(&b, "=t:%lu", (unsigned long)*v->val.integer & 0xffffffffUL);
            break;
        case ASN_OCTET_STR:
        case ASN_IPADDRESS:
            sb_add(&b, v->type == ASN_OCTET_STR ? "=x:" : "=a:", 3);
            sb_hex(&b, v->val.string, v->val_len);
            break;
        case ASN_OBJECT_ID:
            sb_add(&b, "=o:", 3);
            sb_oid(&b, v->val.objid, v->val_len / sizeof(oid));
            break;
        default:
            b.oom = 1;          /* a type this format does not keep */
            break;
        }
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* A numeric OID "1.3.6..." of s[0..n): its length, or 0 when malformed. */
static size_t parse_oid(const char *s, size_t n, oid *out, size_t max)
{
    size_t len = 0, i = 0;

    while (i < n) {
        unsigned long long v = 0;
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (unsigned)(s[i] - '0');
            if (v > 0xffffffffULL)
                return 0;
            i++;
        }
        if (i == start || len == max)
            return 0;
        out[len++] = (oid)v;
        if (i < n && s[i] != '.')
            return 0;
        if (i < n && ++i == n)
            return 0;           /* a trailing dot */
    }
    return len;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One OID=T:VALUE token, appended to *vars. */
static int parse_varbind(char *tok, netsnmp_variable_list **vars, char *why, size_t whylen)
{
    char *eq = strchr(tok, '=');
    oid name[MAX_OID_LEN], objid[MAX_OID_LEN];
    size_t name_len;

    if (!eq || eq[1] == '\0' || eq[2] != ':') {
        snprintf(why, whylen, "'%.40s' is not OID=TYPE:VALUE", tok);
        return -1;
    }
    if (!(name_len = parse_oid(tok, (size_t)(eq - tok), name, MAX_OID_LEN)) || name_len < 2) {
        snprintf(why, whylen, "'%.*s' is not a numeric OID", (int)(eq - tok < 40 ? eq - tok : 40), tok);
        return -1;
    }
    char type = eq[1], *val = eq + 3, *end;
    size_t vlen = strlen(val);
    netsnmp_variable_list *vb = NULL;

    errno = 0;
    switch (type) {
    case 'i': {
        long v = strtol(val, &end, 10);
        if (!*val || *end || errno || v < INT32_MIN || v > INT32_MAX)
            goto bad_value;
        vb = snmp_varlist_add_variable(vars, name, name_len, ASN_INTEGER, &v, sizeof(v));
        break;
    }
    case 'u':
    case 'c':
    case 't': {
        if (*val == '-')
            goto bad_value;
        unsigned long v = strtoul(val, &end, 10);
        if (!*val || *end || errno || v > 0xffffffffUL)
            goto bad_value;
        u_char t = type == 'u' ? ASN_GAUGE : type == 'c' ? ASN_COUNTER : ASN_TIMETICKS;
        vb = snmp_varlist_add_variable(vars, name, name_len, t, &v, sizeof(v));
        break;
    }
    case 'x':
    case 'a': {
        if (vlen % 2 || (type == 'a' && vlen != 8))
            goto bad_value;
        for (size_t i = 0; i < vlen / 2; i++) {
            int hi = hexval(val[2 * i]), lo = hexval(val[2 * i + 1]);
            if (hi < 0 || lo < 0)
                goto bad_value;
            val[i] = (char)(hi << 4 | lo);          /* in place: the output is shorter */
        }
        vb = snmp_varlist_add_variable(vars, name, name_len,
                                       type == 'x' ? ASN_OCTET_STR : ASN_IPADDRESS,
                                       (const u_char *)val, vlen / 2);
        break;
    }
    case 'o': {
        size_t n = parse_oid(val, vlen, objid, MAX_OID_LEN);
        if (!n)
            goto bad_value;
        vb = snmp_varlist_add_variable(vars, name, name_len, ASN_OBJECT_ID,
                                       (const u_char *)objid, n * sizeof(oid));
        break;
    }
    default:
        snprintf(why, whylen, "unknown value type '%c'", type);
        return -1;
    }
    if (!vb) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    return 0;

bad_value:
    snprintf(why, whylen, "bad value for type '%c' in '%.40s'", type, tok);
    return -1;
}

int sd_nstate_parse(char *line, char **table, struct variable_list **vars, char *why,
                    size_t whylen)
{
    char *save = NULL, *tok = strtok_r(line, " ", &save);
    unsigned n = 0;

    *vars = NULL;
    *table = tok;
    if (!tok) {
        snprintf(why, whylen, "empty entry");
        return -1;
    }
    for (const char *p = tok; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
            snprintf(why, whylen, "'%.40s' is not a table name", tok);
            return -1;
        }
    }
    while ((tok = strtok_r(NULL, " ", &save))) {
        if (++n > SD_NSTATE_MAX_VARS) {
            snprintf(why, whylen, "more than %d varbinds", SD_NSTATE_MAX_VARS);
            goto bad;
        }
        if (parse_varbind(tok, vars, why, whylen) < 0)
            goto bad;
    }
    if (!*vars) {
        snprintf(why, whylen, "no varbinds");
        return -1;
    }
    return 0;

bad:
    snmp_free_varbind(*vars);
    *vars = NULL;
    return -1;
}

/* --- the file --------------------------------------------------------------- */

enum sd_nstate_read sd_nstate_read(const char *path,
                                   int (*take)(void *ctx, char *line, char *why, size_t whylen),
                                   void *ctx, unsigned *bad_line, char *err, size_t errlen)
{
    struct sd_buf buf = { 0 };
    struct stat st;
    char why[256], header[64];
    unsigned no = 0;
    enum sd_nstate_read rc = SD_NSTATE_OK;

    *bad_line = 0;
    if (lstat(path, &st) < 0 && errno == ENOENT)
        return SD_NSTATE_MISSING;
    /* source.c's reader: a regular file only, a FIFO never waited for */
    if (sd_source_fetch(path, 64u << 20, NULL, &buf, err, errlen) != 0)
        return SD_NSTATE_UNREADABLE;
    snprintf(header, sizeof(header), "%s %d", SD_NSTATE_MAGIC, SD_NSTATE_VERSION);
    for (char *line = buf.data, *next; line && line < buf.data + buf.len; line = next) {
        char *nl = memchr(line, '\n', (size_t)(buf.data + buf.len - line));
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        no++;
        size_t len = strlen(line);
        if (len != (size_t)((nl ? nl : buf.data + buf.len) - line)) {
            snprintf(why, sizeof(why), "a NUL byte");
            goto bad;
        }
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (no == 1) {
            if (strcmp(line, header) != 0) {
                snprintf(err, errlen, "%s: line 1: not a notify state file of format %d "
                         "(expected '%s', found '%.40s')", path, SD_NSTATE_VERSION, header, line);
                *bad_line = 1;
                rc = SD_NSTATE_UNREADABLE;
                goto out;
            }
            continue;
        }
        if (!nl) {
            snprintf(why, sizeof(why), "cut short (no newline at the end)");
            goto bad;
        }
        if (len == 0 || line[0] == '#')
            continue;
        if (len > SD_NSTATE_MAX_LINE) {
            snprintf(why, sizeof(why), "longer than %d characters", SD_NSTATE_MAX_LINE);
            goto bad;
        }
        if (take(ctx, line, why, sizeof(why)) < 0)
            goto bad;
    }
    if (no == 0) {
        snprintf(err, errlen, "%s: line 1: empty file", path);
        *bad_line = 1;
        rc = SD_NSTATE_UNREADABLE;
    }
    goto out;

bad:
    *bad_line = no;
    snprintf(err, errlen, "%s: line %u: %s", path, no, why);
    rc = SD_NSTATE_BAD;
out:
    sd_buf_free(&buf);
    return rc;
}

/* The folder of path ("." when none), in buf. */
static const char *folder_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == path)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "%.*s", (int)(slash - path), path);
    return buf;
}

static int tmp_name(const char *path, char *tmp, size_t len, char *err, size_t errlen)
{
    if ((size_t)snprintf(tmp, len, "%s.tmp", path) >= len) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    return 0;
}

/* A new PATH.tmp (a stale one, from a process killed while writing, is
 * replaced). */
static int open_tmp(const char *tmp)
{
    if (unlink(tmp) < 0 && errno != ENOENT)
        return -1;
    return open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
}

int sd_nstate_probe(const char *path, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 8], dir[PATH_MAX];
    int fd;

    if (tmp_name(path, tmp, sizeof(tmp), err, errlen) < 0)
        return -1;
    if ((fd = open_tmp(tmp)) < 0) {
        snprintf(err, errlen, "cannot create files in %s (%s)", folder_of(path, dir, sizeof(dir)),
                 strerror(errno));
        return -1;
    }
    close(fd);
    unlink(tmp);
    return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int sd_nstate_write(const char *path, const char *const *lines, size_t n, char *err,
                    size_t errlen)
{
    char tmp[PATH_MAX + 8], dir[PATH_MAX], header[64];
    const char *what = "write";
    int fd, dfd, e;

    if (tmp_name(path, tmp, sizeof(tmp), err, errlen) < 0)
        return -1;
    if ((fd = open_tmp(tmp)) < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
        return -1;
    }
    int hl = snprintf(header, sizeof(header), "%s %d\n", SD_NSTATE_MAGIC, SD_NSTATE_VERSION);
    if (write_all(fd, header, (size_t)hl) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (write_all(fd, lines[i], strlen(lines[i])) < 0 || write_all(fd, "\n", 1) < 0)
            goto fail;
    what = "fsync";
    if (fsync(fd) < 0)
        goto fail;
    what = "close";
    e = close(fd);
    fd = -1;
    if (e < 0)
        goto fail;
    if (rename(tmp, path) < 0) {
        snprintf(err, errlen, "%s: cannot replace it: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    /* the rename itself is on disk only once the folder is */
    dfd = open(folder_of(path, dir, sizeof(dir)), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) < 0 && errno != EINVAL) {
            snprintf(err, errlen, "%s: fsync: %s", dir, strerror(errno));
            close(dfd);
            return -1;
        }
        close(dfd);
    }
    return 0;

fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    snprintf(err, errlen, "%s: %s: %s", tmp, what, strerror(e));
    return -1;
}
