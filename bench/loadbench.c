/*
 * loadbench: one source load (fetch, decode, build) timed in-process, the
 * same code the loader thread runs; for profiling the reload path.
 *
 *   loadbench FILE [RUNS]
 *
 * Prints per run: rows, fetch/decode/build milliseconds; and peak RSS.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "loader.h"

int main(int argc, char **argv)
{
    struct sd_load_params p = { 0 };
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    struct rusage ru;

    if (argc < 2) {
        fprintf(stderr, "usage: loadbench FILE [RUNS]\n");
        return 2;
    }
    p.uri = argv[1];
    sd_policy_default(&p.policy);
    p.max_rows = 10000000;
    p.max_bytes = 1u << 30;
    p.log_rows = 5;
    for (int i = 0; i < runs; i++) {
        struct sd_load_result *r = sd_load_run(&p);
        if (!r || !r->snap) {
            fprintf(stderr, "loadbench: %s\n", r ? r->error : "out of memory");
            sd_load_result_free(r);
            return 1;
        }
        printf("rows %zu fetch_ms %.1f decode_ms %.1f build_ms %.1f total_ms %.1f\n",
               sd_snapshot_count(r->snap), r->fetch_s * 1e3, r->decode_s * 1e3, r->build_s * 1e3,
               (r->fetch_s + r->decode_s + r->build_s) * 1e3);
        sd_load_result_free(r);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss_kB %ld\n", ru.ru_maxrss);
    return 0;
}
