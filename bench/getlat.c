/*
 * getlat: GET latency through an SNMP agent, measured in-process (a loop
 * of snmpget processes would measure process start-up instead).
 *
 *   getlat HOST:PORT COMMUNITY OIDFILE COUNT [SECONDS]
 *
 * Sends COUNT single-varbind GETs (or stops after SECONDS), one at a time,
 * for the numeric OIDs of OIDFILE taken in a fixed pseudo-random order, and
 * prints one line: "gets N ok N failed N p50_us N p99_us N max_us N".
 * A failure is a timeout or any answer that is not a value (noSuchInstance,
 * an error status). Only for loopback agents: the benchmark's own.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct target {
    oid name[MAX_OID_LEN];
    size_t len;
};

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static size_t read_oids(const char *path, struct target **out)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    size_t n = 0, alloc = 0;
    struct target *v = NULL;

    if (!f) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            v = realloc(v, alloc * sizeof(*v));
            if (!v)
                exit(2);
        }
        v[n].len = MAX_OID_LEN;
        if (!read_objid(line, v[n].name, &v[n].len)) {
            fprintf(stderr, "getlat: bad OID '%s'\n", line);
            exit(2);
        }
        n++;
    }
    fclose(f);
    *out = v;
    return n;
}

int main(int argc, char **argv)
{
    netsnmp_session s, *ss;
    struct target *oids;
    size_t noids, count, ok = 0, failed = 0;
    double limit_us, *lat, t_end;
    unsigned long long pick = 12345;

    if (argc < 5) {
        fprintf(stderr, "usage: getlat HOST:PORT COMMUNITY OIDFILE COUNT [SECONDS]\n");
        return 2;
    }
    count = strtoul(argv[4], NULL, 10);
    limit_us = (argc > 5 ? atof(argv[5]) : 600) * 1e6;
    setenv("MIBS", "", 1);
    init_snmp("getlat");
    noids = read_oids(argv[3], &oids);
    if (!noids || !count)
        return 2;
    snmp_sess_init(&s);
    s.peername = argv[1];
    s.version = SNMP_VERSION_2c;
    s.community = (u_char *)argv[2];
    s.community_len = strlen(argv[2]);
    s.timeout = 2000000;
    s.retries = 0;
    ss = snmp_open(&s);
    if (!ss) {
        snmp_sess_perror("getlat", &s);
        return 2;
    }
    lat = calloc(count, sizeof(*lat));
    t_end = now_us() + limit_us;
    for (size_t i = 0; i < count && now_us() < t_end; i++) {
        netsnmp_pdu *req = snmp_pdu_create(SNMP_MSG_GET), *resp = NULL;
        pick = pick * 6364136223846793005ULL + 1442695040888963407ULL;
        const struct target *t = &oids[(pick >> 33) % noids];
        snmp_add_null_var(req, t->name, t->len);
        double t0 = now_us();
        int st = snmp_synch_response(ss, req, &resp);
        double dt = now_us() - t0;
        if (st == STAT_SUCCESS && resp && resp->errstat == SNMP_ERR_NOERROR && resp->variables &&
            resp->variables->type != SNMP_NOSUCHINSTANCE &&
            resp->variables->type != SNMP_NOSUCHOBJECT)
            lat[ok++] = dt;
        else
            failed++;
        if (resp)
            snmp_free_pdu(resp);
    }
    qsort(lat, ok, sizeof(*lat), cmp_double);
    printf("gets %zu ok %zu failed %zu p50_us %.0f p99_us %.0f max_us %.0f\n", ok + failed, ok,
           failed, ok ? lat[ok / 2] : 0, ok ? lat[(size_t)((double)ok * 0.99)] : 0,
           ok ? lat[ok - 1] : 0);
    free(lat);
    free(oids);
    snmp_close(ss);
    snmp_shutdown("getlat");
    return failed ? 1 : 0;
}
