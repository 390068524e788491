/*
 * tz: zone tables computed by glibc in a child process, see tz.h.
 *
 * Why a child: glibc converts with the zone named by TZ, and TZ is process
 * state. Setting it in the daemon would race with every thread that reads
 * the environment or the zone (net-snmp's syslog and localtime on the main
 * thread, libcurl and Kerberos on the loader thread), and a reload could
 * change it under them. The child has its own copy of everything: it
 * points its environment at the zone's file, asks localtime_r() for the
 * offset once per day from 1970 to 2101 and bisects each change to the
 * second, writes the table into a pipe and exits. The parent reads it with
 * a deadline, so a child that hangs (fork copies no other thread, so a
 * libc lock another thread held at that instant stays locked in the child)
 * is killed and the work tried once more, never waited on for ever.
 *
 * glibc takes an unknown name for UTC without a word; so the name is
 * checked first (an IANA name, no "..", no leading '/') and its file must
 * exist under $TZDIR or /usr/share/zoneinfo and start with "TZif". The
 * child is given that file's absolute path, so the zone converted is the
 * file checked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tz.h"

extern char **environ;

#define ZONEINFO "/usr/share/zoneinfo"
#define NAME_LEN_MAX 128        /* the longest IANA name is about 30 */
#define SEG_MAX 4096            /* Europe/Berlin needs 263; no zone comes near */
#define OFFSET_MAX (26 * 3600)  /* wider than any offset there ever was */
#define SCAN_STEP 86400         /* no zone changes twice and back within a day */
#define HELPER_MS 10000         /* per attempt; the child needs ~20 ms (1.5 s under valgrind) */
#define ATTEMPTS 2
#define WIRE_MAGIC 0x5a54445au  /* "ZTDZ" */
#define REC_LEN 12              /* int64 at, int32 offset */

struct seg {
    int64_t at;                 /* first UTC second of this offset; seg[0]: INT64_MIN */
    int32_t off;                /* seconds east of UTC */
};

struct sd_tz {
    atomic_uint refs;
    char *name;
    size_t n;                   /* >= 1 */
    struct seg *seg;            /* ascending by at */
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- the table ------------------------------------------------------------ */

static struct sd_tz *tz_new(const char *name, struct seg *seg, size_t n)
{
    struct sd_tz *tz = calloc(1, sizeof(*tz));

    if (!tz || !(tz->name = strdup(name))) {
        free(tz);
        free(seg);
        return NULL;
    }
    atomic_init(&tz->refs, 1);
    tz->seg = seg;
    tz->n = n;
    return tz;
}

struct sd_tz *sd_tz_ref(struct sd_tz *tz)
{
    if (tz)
        atomic_fetch_add_explicit(&tz->refs, 1, memory_order_relaxed);
    return tz;
}

void sd_tz_free(struct sd_tz *tz)
{
    if (!tz || atomic_fetch_sub_explicit(&tz->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(tz->seg);
    free(tz->name);
    free(tz);
}

const char *sd_tz_name(const struct sd_tz *tz)
{
    return tz->name;
}

size_t sd_tz_transitions(const struct sd_tz *tz)
{
    return tz->n - 1;
}

/* The last segment that starts at or before t (seg[0] starts at -inf). */
static size_t seg_at(const struct sd_tz *tz, int64_t t)
{
    size_t lo = 0, hi = tz->n;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (tz->seg[mid].at <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int32_t sd_tz_offset_at(const struct sd_tz *tz, int64_t t)
{
    return tz->seg[seg_at(tz, t)].off;
}

/* Every segment whose offset could map `local` into it lies within
 * OFFSET_MAX of local; each one that does is an instant with that wall
 * clock. None: the clocks skipped it; two: they showed it twice. */
enum sd_tz_match sd_tz_to_utc(const struct sd_tz *tz, int64_t local, int64_t *utc)
{
    unsigned found = 0;
    int64_t best = 0;

    for (size_t i = seg_at(tz, local - OFFSET_MAX);
         i < tz->n && tz->seg[i].at <= local + OFFSET_MAX; i++) {
        int64_t t = local - tz->seg[i].off;

        if (t >= tz->seg[i].at && (i + 1 == tz->n || t < tz->seg[i + 1].at)) {
            if (!found || t > best)
                best = t;
            found++;
        }
    }
    if (!found)
        return SD_TZ_NONEXISTENT;
    *utc = best;
    return found > 1 ? SD_TZ_AMBIGUOUS : SD_TZ_UNIQUE;
}

/* ---- the child: glibc computes the offsets -------------------------------- */

struct out {
    int fd;
    size_t n;
    unsigned char buf[REC_LEN * 256];
};

static int out_flush(struct out *o)
{
    size_t done = 0;

    while (done < o->n) {
        ssize_t w = write(o->fd, o->buf + done, o->n - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    o->n = 0;
    return 0;
}

static int out_bytes(struct out *o, const void *p, size_t len)
{
    if (o->n + len > sizeof(o->buf) && out_flush(o) < 0)
        return -1;
    memcpy(o->buf + o->n, p, len);
    o->n += len;
    return 0;
}

static int out_seg(struct out *o, int64_t at, int32_t off)
{
    unsigned char rec[REC_LEN];

    memcpy(rec, &at, 8);
    memcpy(rec + 8, &off, 4);
    return out_bytes(o, rec, sizeof(rec));
}

static int32_t child_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!localtime_r(&tt, &tm))
        return INT32_MIN;       /* the parent refuses it: out of range */
    return (int32_t)tm.tm_gmtoff;
}

/* Writes magic, the segments, a count and magic again. */
static int child_scan(struct out *o)
{
    const uint32_t magic = WIRE_MAGIC;
    int64_t prev_t = SD_TZ_EXACT_FROM;
    int32_t prev = child_offset(prev_t);
    uint32_t n = 1;

    if (out_bytes(o, &magic, 4) < 0 || out_seg(o, INT64_MIN, prev) < 0)
        return -1;
    for (int64_t t = prev_t; t < SD_TZ_EXACT_UNTIL;) {
        int64_t lo = prev_t;
        int32_t lo_off = prev, cur;

        t = t + SCAN_STEP < SD_TZ_EXACT_UNTIL ? t + SCAN_STEP : SD_TZ_EXACT_UNTIL;
        cur = child_offset(t);
        /* Each round finds the first second in (lo, t] whose offset is
         * not lo_off, until the offset at t is reached. */
        while (cur != lo_off) {
            int64_t hi = t;

            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;

                if (child_offset(mid) == lo_off)
                    lo = mid;
                else
                    hi = mid;
            }
            lo = hi;
            lo_off = child_offset(hi);
            if (++n > SEG_MAX || out_seg(o, hi, lo_off) < 0)
                return -1;
        }
        prev_t = t;
        prev = cur;
    }
    if (out_bytes(o, &n, 4) < 0 || out_bytes(o, &magic, 4) < 0)
        return -1;
    return out_flush(o);
}

static void child(const char *tzenv, int fd) __attribute__((noreturn));

static void child(const char *tzenv, int fd)
{
    /* environ is replaced, not setenv()'d: no lock another thread of the
     * parent may have held at fork is needed for it. */
    char *envp[] = { (char *)tzenv, NULL };
    struct out o = { .fd = fd };

    environ = envp;
    tzset();
    if (child_scan(&o) == 0)
        close(fd);              /* EOF: the parent has it all */
    _exit(0);
}

/* ---- the parent: run the child, read the table ---------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads fd to EOF into buf[0..cap] (cap bytes at most: one more is an
 * error), giving up at the deadline. 0, -1 error, -2 timeout. */
static int read_all(int fd, unsigned char *buf, size_t cap, size_t *len, int64_t deadline)
{
    *len = 0;
    for (;;) {
        int64_t left = deadline - now_ms();
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t r;
        int pr;

        if (left <= 0)
            return -2;
        pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            return -1;
        if (pr == 0)
            continue;           /* the deadline is checked above */
        r = read(fd, buf + *len, cap + 1 - *len);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        *len += (size_t)r;
        if (*len > cap)
            return -1;          /* more than any table: not our child's */
    }
}

/* Checks the child's bytes and turns them into segments. */
static int decode_table(const unsigned char *buf, size_t len, struct seg **out, size_t *nout)
{
    uint32_t magic, n;
    struct seg *seg;

    if (len < 4 + REC_LEN + 8 || (len - 12) % REC_LEN != 0)
        return -1;
    memcpy(&magic, buf, 4);
    memcpy(&n, buf + len - 8, 4);
    if (magic != WIRE_MAGIC || memcmp(buf + len - 4, &magic, 4) != 0 ||
        n != (len - 12) / REC_LEN || n < 1 || n > SEG_MAX)
        return -1;
    seg = calloc(n, sizeof(*seg));
    if (!seg)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        memcpy(&seg[i].at, buf + 4 + (size_t)i * REC_LEN, 8);
        memcpy(&seg[i].off, buf + 4 + (size_t)i * REC_LEN + 8, 4);
        if (seg[i].off < -OFFSET_MAX || seg[i].off > OFFSET_MAX ||
            (i == 0 ? seg[i].at != INT64_MIN : seg[i].at <= seg[i - 1].at)) {
            free(seg);
            return -1;
        }
    }
    *out = seg;
    *nout = n;
    return 0;
}

/* One run of the child. 0; -1 with err set; -2 timed out (err set). */
static int run_child(const char *tzenv, const char *name, struct seg **seg, size_t *n,
                     char *err, size_t errlen)
{
    static const size_t cap = 12 + (size_t)SEG_MAX * REC_LEN;
    unsigned char *buf = malloc(cap + 1);
    sigset_t all, old;
    int fds[2], rc, status = 0, e;
    size_t len = 0;
    pid_t pid;

    if (!buf)
        return fail(err, errlen, "out of memory");
    if (pipe2(fds, O_CLOEXEC) < 0) {
        e = errno;
        free(buf);
        return fail(err, errlen, "cannot compute the zone's offsets: pipe: %s", strerror(e));
    }
    /* No signal handler of the daemon's runs in the child. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(tzenv, fds[1]);
    }
    e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        free(buf);
        return fail(err, errlen, "cannot compute the zone's offsets: fork: %s", strerror(e));
    }
    rc = read_all(fds[0], buf, cap, &len, now_ms() + HELPER_MS);
    e = errno;
    close(fds[0]);
    /* The bytes decide, not the exit status: the table ends with its count
     * and a trailer, which the child writes only when the scan is complete.
     * So the child is killed as soon as it has closed the pipe (or is too
     * slow), which also spares waiting for whatever a debugger or memory
     * checker does at its exit; the pid stays ours until waitpid. */
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == -2)
        fail(err, errlen, "computing the offsets of %s took over %d ms", name, HELPER_MS);
    else if (rc < 0)
        rc = fail(err, errlen, "computing the offsets of %s failed: %s", name,
                  len > cap ? "too much data from the helper process" : strerror(e));
    else if (decode_table(buf, len, seg, n) < 0)
        rc = fail(err, errlen, "computing the offsets of %s failed: the helper process "
                  "returned %zu bytes, not a whole table", name, len);
    free(buf);
    return rc;
}

/* ---- names ---------------------------------------------------------------- */

/* An IANA name: letters, digits, '/', '_', '-', '+', '.'; no leading '/',
 * no empty or "." or ".." component. */
static bool good_name(const char *name)
{
    size_t len = strlen(name), comp = 0;

    if (len == 0 || len > NAME_LEN_MAX || name[0] == '/' || name[len - 1] == '/')
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = name[i];

        if (c == '/' || c == '\0') {
            if (comp == 0 || (comp == 1 && name[i - 1] == '.') ||
                (comp == 2 && name[i - 1] == '.' && name[i - 2] == '.'))
                return false;
            comp = 0;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '+' || c == '.'))
            return false;
        comp++;
    }
    return true;
}

/* The zone's file exists and is TZif; 0, or -1 with err set. */
static int check_file(const char *name, const char *path, char *err, size_t errlen)
{
    unsigned char head[4];
    struct stat st;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;

    if (fd < 0) {
        e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return fail(err, errlen, "unknown time zone '%s' (no %s)", name, path);
        return fail(err, errlen, "time zone '%s': %s: %s", name, path, strerror(e));
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, errlen, "'%s' is not a time zone (%s is not a file)", name, path);
    }
    do
        r = read(fd, head, sizeof(head));
    while (r < 0 && errno == EINTR);
    close(fd);
    if (r != (ssize_t)sizeof(head) || memcmp(head, "TZif", 4) != 0)
        return fail(err, errlen, "'%s' is not a time zone (%s is not a TZif file)", name, path);
    return 0;
}

int sd_tz_load(const char *name, struct sd_tz **out, char *err, size_t errlen)
{
    const char *dir = getenv("TZDIR");
    struct seg *seg = NULL;
    size_t n = 0, len;
    char *tzenv;
    int rc = -1;

    *out = NULL;
    if (!name || !good_name(name))
        return fail(err, errlen, "'%s' is not an IANA time zone name "
                    "(e.g. Europe/Berlin, America/New_York, UTC; Windows names such as "
                    "\"W. Europe Standard Time\" are not accepted)", name ? name : "");
    if (strcmp(name, "UTC") == 0) {
        /* no tzdata needed, no child */
        seg = calloc(1, sizeof(*seg));
        if (!seg)
            return fail(err, errlen, "out of memory");
        seg[0].at = INT64_MIN;
        *out = tz_new(name, seg, 1);
        return *out ? 0 : fail(err, errlen, "out of memory");
    }
    if (!dir || dir[0] != '/')
        dir = ZONEINFO;
    len = strlen("TZ=:") + strlen(dir) + 1 + strlen(name) + 1;
    tzenv = malloc(len);
    if (!tzenv)
        return fail(err, errlen, "out of memory");
    snprintf(tzenv, len, "TZ=:%s/%s", dir, name);
    if (check_file(name, tzenv + 4, err, errlen) == 0) {
        for (int i = 0; i < ATTEMPTS; i++) {
            rc = run_child(tzenv, name, &seg, &n, err, errlen);
            if (rc != -2)
                break;
        }
    }
    free(tzenv);
    if (rc != 0)
        return -1;
    *out = tz_new(name, seg, n);
    return *out ? 0 : fail(err, errlen, "out of memory");
}
