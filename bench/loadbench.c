/*
 * loadbench: one source load (fetch, decode, build) timed in-process, the
 * same code the loader thread runs; for profiling the reload path.
 *
 *   loadbench FILE [RUNS [TABLE]]
 *
 * TABLE: status (default), dp, content or all: which table's rows to read (a
 * per-DP table from a combined export). Prints per run: rows,
 * fetch/decode/build milliseconds, the bytes the kept rows take (records and
 * strings); and peak RSS.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "loader.h"

int main(int argc, char **argv)
{
    struct sd_load_params p = { 0 };
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    const char *table = argc > 3 ? argv[3] : "status";
    struct rusage ru;

    if (argc < 2) {
        fprintf(stderr, "usage: loadbench FILE [RUNS [status|dp|content|all]]\n");
        return 2;
    }
    sd_policy_default(&p.policy);
    if (strcmp(table, "dp") == 0) {
        p.table = &sd_table_dp;
    } else if (strcmp(table, "content") == 0) {
        p.table = &sd_table_content;
        p.policy.error_types[0] = 3;
        p.policy.error_types[1] = 6;
    } else if (strcmp(table, "all") == 0) {
        /* a combined export as smsdistd reads one: the main table, then
         * the other two from the same bytes */
        p.also[0] = (struct sd_load_also){ &sd_table_dp, p.policy, NULL };
        p.also[1] = (struct sd_load_also){ &sd_table_content, { { 3, 6 }, 2 }, NULL };
        p.n_also = 2;
    } else if (strcmp(table, "status") != 0) {
        fprintf(stderr, "loadbench: no table %s (status, dp or content)\n", table);
        return 2;
    }
    p.uri = argv[1];
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
        const struct sd_rows *rows = &r->snap->rows;
        printf("rows %zu fetch_ms %.1f decode_ms %.1f build_ms %.1f total_ms %.1f "
               "kept_bytes_per_row %.1f\n",
               sd_snapshot_count(r->snap), r->fetch_s * 1e3, r->decode_s * 1e3, r->build_s * 1e3,
               (r->fetch_s + r->decode_s + r->build_s) * 1e3,
               rows->n ? (double)(rows->n * rows->t->row_size + rows->arena_len) / rows->n : 0);
        for (size_t k = 0; k < r->n_also; k++) {
            const struct sd_load_result *a = r->also[k];

            if (!a->snap) {
                fprintf(stderr, "loadbench: %s: %s\n", a->table->name, a->error);
                continue;
            }
            printf("  and %s: rows %zu decode_ms %.1f build_ms %.1f kept_bytes_per_row %.1f\n",
                   a->table->name, sd_snapshot_count(a->snap), a->decode_s * 1e3,
                   a->build_s * 1e3,
                   a->snap->rows.n ? (double)(a->snap->rows.n * a->table->row_size +
                                              a->snap->rows.arena_len) / a->snap->rows.n : 0);
        }
        sd_load_result_free(r);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss_kB %ld\n", ru.ru_maxrss);
    return 0;
}
