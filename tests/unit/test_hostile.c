/*
 * test_hostile: the hostile input corpus (tests/data/hostile, see its
 * README.md), one test per file.
 *
 * Each file goes through sd_decode_document() (the buffer as read) and
 * through sd_load_run() (the file as the agent reads it), and the outcome is
 * asserted exactly: the document refused with this message, or this row
 * rejected with this message and the other rows kept, field by field. Every
 * message must also be printable ASCII: refusals reach the log and
 * smsDistSourceLastError, a DisplayString. The size and row caps are tested
 * on files written here at test time, too big to commit.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "decode.h"
#include "fixture.h"
#include "loader.h"
#include "snapshot.h"

#define HOSTILE_DIR TEST_DATA_DIR "/hostile"

enum outcome {
    DOC,        /* the document is refused: msg is the reason */
    ROW,        /* row `bad` is rejected with msg, the other two are kept */
    LOAD,       /* every row rejected: the decoder keeps none, the load refuses (msg) */
    ACCEPT,     /* every row is served */
};

struct hcase {
    const char *file;
    enum outcome outcome;
    uint32_t bad;               /* ROW: the rejected row (1-based) */
    const char *msg;            /* after "<origin>: " */
};

/* The two good rows every row-level case carries (good.json, good.csv). */
static const struct want G1 = { "PS100095", 10, 250, 2, 1, "PS100095",
                                DT(2024, 8, 30, 20, 55, 6, 0), 0 };
static const struct want G2 = { "PS1000A2", 60, 2, 2, 4, "PS1000A2",
                                DT(2024, 8, 30, 21, 2, 44, 0), 0 };

#define EMPTY_DOC "empty document"
#define NUL_OID "row 2: ObjectID: byte 0x00 at offset 3 is not printable ASCII " \
                "(\"PS1\\x000095\"); row skipped"
#define ESC_PKG "row 2: PackageID: byte 0x1b at offset 3 is not printable ASCII " \
                "(\"PS1\\x1b[2J\"); row skipped"

static const struct hcase cases[] = {
    { "good.json", ACCEPT, 0, NULL },
    { "good.csv", ACCEPT, 0, NULL },
    /* JSON: the whole document refused */
    { "truncated.json", DOC, 0,
      "JSON error at line 3, column 105: premature end of input" },
    { "bare-nan.json", DOC, 0, "JSON error at line 3, column 61: invalid char in json text" },
    { "huge-integer.json", DOC, 0, "JSON error at line 3, column 90: too big integer" },
    { "invalid-utf8.json", DOC, 0,
      "JSON error at line 3, column 21: unable to decode byte 0xff" },
    { "control-raw.json", DOC, 0,
      "JSON error at line 3, column 141: invalid character inside string" },
    { "control-token.json", DOC, 0,
      "JSON error at line 3, column 3: invalid char in json text" },
    { "non-ascii-token.json", DOC, 0,
      "JSON error at line 3, column 3: invalid char in json text" },
    { "nul-in-key.json", DOC, 0,
      "JSON error at line 3, column 20: NUL byte in object key not supported" },
    { "nextlink-nul.json", DOC, 0, "JSON \"@odata.nextLink\" contains a NUL character" },
    { "deep-nesting.json", DOC, 0,
      "JSON error at line 1, column 2049: maximum parsing depth reached" },
    { "all-rows-bad.json", LOAD, 0,
      "none of the 2 rows could be used (first: row 1: Assets: negative (-1)); "
      "document refused" },
    /* JSON: one row rejected */
    { "type-object-number.json", ROW, 2,
      "row 2: Assets: object or array, not a number; row skipped" },
    { "type-array-objectid.json", ROW, 2, "row 2: ObjectID: not a string; row skipped" },
    { "type-bool.json", ROW, 2,
      "row 2: MessageCategory: boolean, not a number (true); row skipped" },
    { "uint32-overflow.json", ROW, 2,
      "row 2: Assets: out of range 0..4294967295 (4294967296); row skipped" },
    { "negative.json", ROW, 2, "row 2: MessageCategory: negative (-1); row skipped" },
    { "fractional.json", ROW, 2,
      "row 2: Assets: real number, not an integer (1.5); row skipped" },
    { "exponent.json", ROW, 2,
      "row 2: Assets: real number, not an integer (1000); row skipped" },
    { "nan-string.json", ROW, 2, "row 2: Assets: not a number (\"NaN\"); row skipped" },
    { "nul-escape.json", ROW, 2, NUL_OID },
    { "control-escaped.json", ROW, 2, ESC_PKG },
    { "objectid-113.json", ROW, 2,
      "row 2: ObjectID: 113 characters, an index holds at most 112 "
      "(\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\"); row skipped" },
    { "objectid-112.json", ACCEPT, 0, NULL },
    /* CSV: the whole document refused */
    { "truncated-quoted.csv", DOC, 0, "CSV error: unterminated quoted field at end of document" },
    { "unbalanced-quote.csv", DOC, 0, "CSV error at line 3: malformed quoted field" },
    { "header-missing-column.csv", DOC, 0, "CSV header has no column Type" },
    /* CSV: one row rejected */
    { "truncated-row.csv", ROW, 3, "row 3: has 4 fields, the header has 7; row skipped" },
    { "missing-columns.csv", ROW, 2, "row 2: has 5 fields, the header has 7; row skipped" },
    { "extra-columns.csv", ROW, 2, "row 2: has 9 fields, the header has 7; row skipped" },
    { "nul-raw.csv", ROW, 2, NUL_OID },
    { "invalid-utf8.csv", ROW, 2,
      "row 2: ObjectID: byte 0xff at offset 4 is not printable ASCII "
      "(\"PS10\\xff0095\"); row skipped" },
    { "control.csv", ROW, 2, ESC_PKG },
    { "huge-integer.csv", ROW, 2,
      "row 2: Assets: out of range 0..4294967295 (\"123456789012345678901234567890\"); "
      "row skipped" },
    { "nan.csv", ROW, 2, "row 2: Assets: not a number (\"NaN\"); row skipped" },
    { "empty-first-row.csv", ROW, 1, "row 1: ObjectID: null or empty; row skipped" },
    /* no text at all */
    { "empty.txt", DOC, 0, EMPTY_DOC },
    { "bom-utf8.txt", DOC, 0, EMPTY_DOC },
    { "bom-utf16le.txt", DOC, 0, EMPTY_DOC },
    { "bom-utf16be.txt", DOC, 0, EMPTY_DOC },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ---- helpers ------------------------------------------------------------- */

struct hx {
    struct fx *fx;
    const struct hcase *c;
};

static int setup(void **state)
{
    const struct hcase *c = *state;
    struct hx *h = calloc(1, sizeof(*h));
    void *fx;

    if (!h || fx_setup(&fx, c ? c->file : "hostile") < 0)
        return -1;
    h->fx = fx;
    h->c = c;
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    struct hx *h = *state;
    void *fx = h->fx;

    fx_teardown(&fx);
    free(h);
    return 0;
}

static void assert_printable(const char *s)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            fail_msg("byte 0x%02x at offset %td is not printable ASCII in \"%s\"",
                     (unsigned char)*p, p - s, s);
}

static void assert_joined(const char *got, const char *origin, const char *msg)
{
    char want[1024];

    snprintf(want, sizeof(want), "%s: %s", origin, msg);
    assert_string_equal(got, want);
    assert_printable(got);
}

static void load_params(struct sd_load_params *p, const char *uri)
{
    memset(p, 0, sizeof(*p));
    p->uri = uri;
    sd_policy_default(&p->policy);
    p->max_rows = 1000000;
    p->max_bytes = 268435456;
    p->log_rows = 100;
    sd_http_defaults(&p->http);
}

/* The rows a ROW or ACCEPT case keeps, in document order. */
static void check_kept(const struct fx *fx, const struct hcase *c)
{
    struct want w1 = G1, w2 = G2;

    if (c->outcome == ROW) {
        assert_int_equal(fx->rows.n, 2);
        w1.seq = c->bad == 1 ? 2 : 1;
        w2.seq = c->bad == 3 ? 2 : 3;
        fx_check_row(fx, 0, &w1);
        fx_check_row(fx, 1, &w2);
    } else if (strcmp(c->file, "objectid-112.json") == 0) {
        static char oid[SD_OBJECTID_MAX + 1];

        memset(oid, 'A', SD_OBJECTID_MAX);
        assert_int_equal(fx->rows.n, 3);
        w1.seq = 1;
        w2.seq = 3;
        fx_check_row(fx, 0, &w1);
        fx_check_row(fx, 1, &(struct want){ oid, 10, 5, 2, 1, "PS1000C1",
                                         DT(2024, 8, 30, 22, 0, 0, 0), 2 });
        fx_check_row(fx, 2, &w2);
    } else {
        assert_int_equal(fx->rows.n, 2);
        w1.seq = 1;
        w2.seq = 2;
        fx_check_row(fx, 0, &w1);
        fx_check_row(fx, 1, &w2);
    }
}

/* ---- one test per corpus file -------------------------------------------- */

static void test_decode(struct fx *fx, const struct hcase *c, const char *path)
{
    size_t len;
    char *buf = fx_load_path(path, &len);
    int rc = sd_decode_document(&fx->d, buf, len);

    free(buf);
    for (size_t i = 0; i < fx->msgs.n; i++)
        assert_printable(fx->msgs.v[i].text);
    switch (c->outcome) {
    case DOC:
        assert_int_equal(rc, -1);
        assert_joined(fx->d.error, c->file, c->msg);
        assert_int_equal(fx->msgs.n, 0);
        break;
    case ROW:
        assert_int_equal(rc, 0);
        assert_int_equal(fx->d.rows_seen, 3);
        assert_int_equal(fx->d.rejected, 1);
        assert_int_equal(fx->msgs.n, 1);
        assert_int_equal(fx->msgs.v[0].level, SD_MSG_WARN);
        assert_joined(fx->msgs.v[0].text, c->file, c->msg);
        check_kept(fx, c);
        break;
    case LOAD:
        /* the decoder accepts the document and rejects each row... */
        assert_int_equal(rc, 0);
        assert_int_equal(fx->d.rows_seen, 2);
        assert_int_equal(fx->d.rejected, 2);
        assert_int_equal(fx->rows.n, 0);
        assert_int_equal(fx->msgs.n, 2);
        assert_joined(fx->msgs.v[0].text, c->file, "row 1: Assets: negative (-1); row skipped");
        assert_joined(fx->msgs.v[1].text, c->file,
                      "row 2: Type: boolean, not a number (true); row skipped");
        break;
    case ACCEPT:
        assert_int_equal(rc, 0);
        assert_int_equal(fx->d.rejected, 0);
        assert_int_equal(fx->msgs.n, 0);
        check_kept(fx, c);
        break;
    }
}

/* The same file as the agent loads it: a refused document leaves no
 * snapshot (the served one stays), a good one becomes one. */
static void test_load(const struct hcase *c, const char *path)
{
    char uri[1100];
    struct sd_load_params p;
    struct sd_load_result *r;

    snprintf(uri, sizeof(uri), "file:%s", path);
    load_params(&p, uri);
    r = sd_load_run(&p);
    assert_non_null(r);
    assert_string_equal(r->origin, path);
    if (c->outcome == DOC || c->outcome == LOAD) {
        assert_null(r->snap);
        assert_joined(r->error, path, c->msg);
    } else {
        if (!r->snap)
            fail_msg("%s: load failed: %s", c->file, r->error);
        assert_int_equal(sd_snapshot_count(r->snap),
                         c->outcome == ROW ? 2 : strcmp(c->file, "objectid-112.json") == 0 ? 3 : 2);
        assert_int_equal(r->snap->rejected, c->outcome == ROW ? 1 : 0);
        assert_int_equal(r->snap->duplicates, 0);
        if (c->outcome == ROW) {
            assert_int_equal(r->msgs.n, 1);
            assert_joined(r->msgs.v[0].text, path, c->msg);
        }
    }
    sd_load_result_free(r);
}

static void test_case(void **state)
{
    struct hx *h = *state;
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", HOSTILE_DIR, h->c->file);
    test_decode(h->fx, h->c, path);
    test_load(h->c, path);
}

/* ---- the caps, on files written here --------------------------------------- */

static char tmpdir[] = "/tmp/test_hostile.XXXXXX";

static int make_tmpdir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Also after a failed test, which leaves its file behind. */
static int remove_tmpdir(void **state)
{
    static const char *const names[] = { "too-big.json", "too-many-rows.json",
                                         "too-many-rows.csv" };
    char path[1100];

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

/* n good rows, JSON or CSV, padded with spaces to at least `size` bytes. */
static void write_doc(const char *path, unsigned n, int csv, size_t size)
{
    FILE *f = fopen(path, "wb");
    long len;

    assert_non_null(f);
    if (csv)
        fprintf(f, "\"ObjectID\",\"MessageCategory\",\"Assets\",\"ObjectTypeID\",\"Type\"\r\n");
    else
        fprintf(f, "[\n");
    for (unsigned i = 0; i < n; i++) {
        if (csv)
            fprintf(f, "\"PS%06X\",\"10\",\"%u\",\"2\",\"1\"\r\n", i, i);
        else
            fprintf(f, "%s{\"ObjectID\": \"PS%06X\", \"MessageCategory\": 10, \"Assets\": %u, "
                    "\"ObjectTypeID\": 2, \"Type\": 1}\n", i ? "," : " ", i, i);
    }
    if (!csv)
        fprintf(f, "]");
    len = ftell(f);
    for (long i = len; i < (long)size; i++)
        fputc(i + 1 == (long)size ? '\n' : ' ', f);
    assert_int_equal(fclose(f), 0);
}

static struct sd_load_result *load_with(const char *path, size_t max_rows, size_t max_bytes)
{
    char uri[1100];
    struct sd_load_params p;
    struct sd_load_result *r;

    snprintf(uri, sizeof(uri), "file:%s", path);
    load_params(&p, uri);
    p.max_rows = max_rows;
    p.max_bytes = max_bytes;
    r = sd_load_run(&p);
    assert_non_null(r);
    return r;
}

/* too-big.json: one byte over maxSourceBytes is refused, before any decoding;
 * exactly maxSourceBytes is read. */
static void test_too_big(void **state)
{
    char path[1100], want[1300];
    struct sd_load_result *r;

    (void)state;
    snprintf(path, sizeof(path), "%s/too-big.json", tmpdir);
    write_doc(path, 2, 0, 4097);
    r = load_with(path, 1000000, 4096);
    assert_null(r->snap);
    snprintf(want, sizeof(want), "%s: 4097 bytes, larger than maxSourceBytes (4096 bytes)", path);
    assert_string_equal(r->error, want);
    assert_int_equal(r->rows_seen, 0);
    sd_load_result_free(r);

    write_doc(path, 2, 0, 4096);
    r = load_with(path, 1000000, 4096);
    assert_non_null(r->snap);
    assert_int_equal(sd_snapshot_count(r->snap), 2);
    sd_load_result_free(r);
    assert_int_equal(unlink(path), 0);
}

/* too-many-rows.json and .csv: one row over maxRows refuses the document,
 * whatever the format; exactly maxRows is served. */
static void test_too_many_rows(void **state)
{
    char path[1100], want[1300];
    struct sd_load_result *r;

    (void)state;
    for (int csv = 0; csv <= 1; csv++) {
        snprintf(path, sizeof(path), "%s/too-many-rows.%s", tmpdir, csv ? "csv" : "json");
        write_doc(path, 51, csv, 0);
        r = load_with(path, 50, 268435456);
        assert_null(r->snap);
        snprintf(want, sizeof(want), "%s: more than 50 rows (maxRows 50)", path);
        assert_string_equal(r->error, want);
        sd_load_result_free(r);

        write_doc(path, 50, csv, 0);
        r = load_with(path, 50, 268435456);
        assert_non_null(r->snap);
        assert_int_equal(sd_snapshot_count(r->snap), 50);
        sd_load_result_free(r);
        assert_int_equal(unlink(path), 0);
    }
}

int main(void)
{
    struct CMUnitTest tests[NCASES + 2];
    const struct CMUnitTest caps[] = {
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_too_many_rows),
    };
    int failed;

    for (size_t i = 0; i < NCASES; i++)
        tests[i] = (struct CMUnitTest){
            .name = cases[i].file,
            .test_func = test_case,
            .setup_func = setup,
            .teardown_func = teardown,
            .initial_state = (void *)&cases[i],
        };
    /* the corpus cases and the caps run as one group, named by file */
    tests[NCASES] = caps[0];
    tests[NCASES].name = "too-big.json";
    tests[NCASES + 1] = caps[1];
    tests[NCASES + 1].name = "too-many-rows.json";
    failed = _cmocka_run_group_tests("test_hostile", tests, NCASES + 2,
                                     make_tmpdir, remove_tmpdir);
    return failed;
}
