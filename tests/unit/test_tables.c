/*
 * test_tables: the per-DP tables (doc/per-dp-tables.md), smsDistDPTable
 * (SMS_DPStatusInfo, src/tab_dp.c) and smsDistContentDPTable
 * (SMS_PackageStatusDistPointsSummarizer, src/tab_content.c), through the
 * table-generic core: decoding (JSON, CSV, the combined export, class_only),
 * the validation path's new column kinds (the NAL path's server, truth
 * values) and limits with their exact messages, shared-string storage with
 * its rollback rule, duplicates, the descriptions' consistency, and index
 * search (round trip, and a walk under one PackageID). Hostile per-DP input
 * is here too: tests/data/hostile and test_hostile.c are built around the
 * main table's two good rows and its load, which these tables do not share.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "fixture.h"
#include "oids.h"
#include "snapshot.h"

#define TABLES_DIR TEST_DATA_DIR "/tables"

/* A DP's NAL path, raw (as WMI gives it), and as the JSON and CSV text of an export. */
#define NAL_RAW(fqdn) "[\"Display=\\\\" fqdn "\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\" fqdn "\\"
#define NAL_JSON(fqdn) \
    "\"[\\\"Display=\\\\\\\\" fqdn "\\\\\\\"]MSWNET:[\\\"SMS_SITE=PS1\\\"]\\\\\\\\" fqdn "\\\\\""
#define NAL_CSV(fqdn) \
    "\"[\"\"Display=\\\\" fqdn "\\\"\"]MSWNET:[\"\"SMS_SITE=PS1\"\"]\\\\" fqdn "\\\""

#define DP_NUMBERS "\"MessageState\": 1, \"NumberErrors\": 0, \"NumberInProgress\": 0, " \
                   "\"NumberInstalled\": 0, \"NumberUnknown\": 0"

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* ---- a growing text buffer, for documents built here ----------------------- */

struct sb {
    char *s;
    size_t len, cap;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;

        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = realloc(b->s, cap);
        assert_non_null(b->s);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* A string literal, without its terminator. */
#define SB(b, lit) sb_put(b, "" lit, sizeof(lit) - 1)

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    sb_put(b, s, (size_t)n);
    free(s);
}

/* raw as a JSON string literal: what ConvertTo-Json writes for it. */
static void sb_json_str(struct sb *b, const char *raw, size_t n)
{
    SB(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];

        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            sb_put(b, e, 2);
        } else if (c < 0x20) {
            sb_printf(b, "\\u%04x", c);
        } else {
            sb_put(b, raw + i, 1);
        }
    }
    SB(b, "\"");
}

static void sb_free(struct sb *b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}

/* One SMS_DPStatusInfo element: its NALPath (raw), good numbers, then more
 * members (a key given again in the same case: the last value counts). */
static void dp_elem(struct sb *b, const char *nal_raw, const char *more)
{
    SB(b, "{\"NALPath\": ");
    sb_json_str(b, nal_raw, strlen(nal_raw));
    sb_printf(b, ", " DP_NUMBERS "%s%s}", *more ? ", " : "", more);
}

/* One SMS_PackageStatusDistPointsSummarizer element. */
static void content_elem(struct sb *b, const char *pkg, const char *nal_raw, const char *more)
{
    sb_printf(b, "{\"PackageID\": \"%s\", \"ServerNALPath\": ", pkg);
    sb_json_str(b, nal_raw, strlen(nal_raw));
    sb_printf(b, ", \"State\": 0, \"PackageType\": 0, \"SourceVersion\": 1%s%s}",
              *more ? ", " : "", more);
}

/* ---- a decode context over one table ---------------------------------------- */

struct tx {
    struct sd_rows rows;
    struct sd_msgs msgs;
    struct sd_decode d;
};

static void tx_init(struct tx *x, const struct sd_table *t, const char *origin)
{
    sd_rows_init_table(&x->rows, t);
    sd_msgs_init(&x->msgs, 1000);
    sd_decode_init(&x->d, origin, &x->rows, &x->msgs);
}

static void tx_fini(struct tx *x)
{
    sd_decode_fini(&x->d);
    sd_msgs_fini(&x->msgs);
    sd_rows_fini(&x->rows);
}

static int tx_decode(struct tx *x, const char *buf, size_t len)
{
    return sd_decode_document(&x->d, buf, len);
}

static int tx_str(struct tx *x, const char *s)
{
    return tx_decode(x, s, strlen(s));
}

static int tx_file(struct tx *x, const char *name)
{
    char path[1024];
    size_t len;
    char *buf;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", TABLES_DIR, name);
    buf = fx_load_path(path, &len);
    rc = tx_decode(x, buf, len);
    free(buf);
    return rc;
}

static void assert_printable(const char *s)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            fail_msg("byte 0x%02x at offset %td is not printable ASCII in \"%s\"",
                     (unsigned char)*p, p - s, s);
}

/* The messages, exactly: each is "<origin>: " then want[i]. */
static void assert_msgs(const struct tx *x, const char *const *want, size_t n)
{
    char line[1024];

    for (size_t i = 0; i < x->msgs.n && i < n; i++) {
        snprintf(line, sizeof(line), "%s: %s", x->d.origin, want[i]);
        assert_int_equal(x->msgs.v[i].level, SD_MSG_WARN);
        assert_string_equal(x->msgs.v[i].text, line);
        assert_printable(x->msgs.v[i].text);
    }
    assert_int_equal(x->msgs.n, n);
}

static void assert_error(const struct tx *x, const char *want)
{
    char line[1024];

    snprintf(line, sizeof(line), "%s: %s", x->d.origin, want);
    assert_string_equal(x->d.error, line);
    assert_printable(x->d.error);
}

/* ---- reading a stored row, column by column, through its description -------- */

static const struct sd_coldef *col_of(const struct sd_table *t, unsigned mib, enum sd_kind kind)
{
    const struct sd_coldef *c = sd_table_column(t, mib);

    assert_non_null(c);
    assert_int_equal(c->kind, kind);
    return c;
}

static const void *row_of(const struct sd_rows *r, size_t i)
{
    if (i >= r->n)
        fail_msg("row %zu asked for, %zu rows", i, r->n);
    return sd_rows_at(r, i);
}

static void want_text(const struct sd_rows *r, size_t i, const struct sd_coldef *c,
                      const char *want)
{
    size_t len;
    const char *s = sd_row_str(r, row_of(r, i), c, &len);

    if (len != strlen(want) || memcmp(s, want, len) != 0)
        fail_msg("row %zu, %s (column %u): \"%.*s\", want \"%s\"", i, c->name, c->mib,
                 (int)len, s, want);
}

static void want_str(const struct sd_rows *r, size_t i, unsigned mib, const char *want)
{
    want_text(r, i, col_of(r->t, mib, SD_K_STRING), want);
}

static void want_server(const struct sd_rows *r, size_t i, unsigned mib, const char *want)
{
    want_text(r, i, col_of(r->t, mib, SD_K_NALSERVER), want);
}

static void want_u32(const struct sd_rows *r, size_t i, unsigned mib, uint32_t want)
{
    const struct sd_coldef *c = col_of(r->t, mib, SD_K_UINT);
    uint32_t got = sd_row_u32(row_of(r, i), c->off);

    if (got != want)
        fail_msg("row %zu, %s: %u, want %u", i, c->name, got, want);
}

static void want_bool(const struct sd_rows *r, size_t i, unsigned mib, uint8_t want)
{
    const struct sd_coldef *c = col_of(r->t, mib, SD_K_BOOL);
    uint8_t got = ((const uint8_t *)row_of(r, i))[c->off];

    if (got != want)
        fail_msg("row %zu, %s: %u, want %u", i, c->name, got, want);
}

/* want NULL: the "unknown" DateAndTime, 8 zero octets */
static void want_date(const struct sd_rows *r, size_t i, unsigned mib, const uint8_t *want)
{
    static const uint8_t zero[SD_DATEANDTIME_LEN];
    const struct sd_coldef *c = col_of(r->t, mib, SD_K_DATE);
    const uint8_t *row = row_of(r, i);

    if (want) {
        assert_int_equal(row[c->aux], SD_DATEANDTIME_LEN);
        assert_memory_equal(row + c->off, want, SD_DATEANDTIME_LEN);
    } else {
        assert_int_equal(row[c->aux], 8);
        assert_memory_equal(row + c->off, zero, SD_DATEANDTIME_LEN);
    }
}

static void want_seq(const struct sd_rows *r, size_t i, uint32_t want)
{
    assert_int_equal(sd_row_u32(row_of(r, i), r->t->seq_off), want);
}

struct dpw {
    const char *server, *name, *nal;
    uint32_t state, errors, inprogress, installed, unknown;
    const uint8_t *date;
    uint8_t pull, pxe;
    const char *version;
    uint32_t seq;
};

/* Every column of smsDistDPTable, by its MIB sub-identifier. */
static void check_dp(const struct sd_rows *r, size_t i, const struct dpw *w)
{
    assert_ptr_equal(r->t, &sd_table_dp);
    assert_int_equal(r->t->ncols, SD_DPCOL_VERSION);    /* one column per sub-identifier */
    want_server(r, i, SD_DPCOL_SERVER, w->server);
    want_str(r, i, SD_DPCOL_NAME, w->name);
    want_str(r, i, SD_DPCOL_NALPATH, w->nal);
    want_u32(r, i, SD_DPCOL_MESSAGESTATE, w->state);
    want_u32(r, i, SD_DPCOL_ERRORS, w->errors);
    want_u32(r, i, SD_DPCOL_INPROGRESS, w->inprogress);
    want_u32(r, i, SD_DPCOL_INSTALLED, w->installed);
    want_u32(r, i, SD_DPCOL_UNKNOWN, w->unknown);
    want_date(r, i, SD_DPCOL_LASTSTATUSTIME, w->date);
    want_bool(r, i, SD_DPCOL_ISPULLDP, w->pull);
    want_bool(r, i, SD_DPCOL_ISPXE, w->pxe);
    want_str(r, i, SD_DPCOL_VERSION, w->version);
    want_seq(r, i, w->seq);
}

struct cw {
    const char *pkg, *server, *site;
    uint32_t state, type, version;
    const uint8_t *copied, *summary;
    const char *secure;
    uint32_t seq;
};

/* Every column of smsDistContentDPTable. */
static void check_content(const struct sd_rows *r, size_t i, const struct cw *w)
{
    assert_ptr_equal(r->t, &sd_table_content);
    assert_int_equal(r->t->ncols, SD_CCOL_SECUREOBJECTID);
    want_str(r, i, SD_CCOL_PACKAGEID, w->pkg);
    want_server(r, i, SD_CCOL_SERVER, w->server);
    want_str(r, i, SD_CCOL_SITECODE, w->site);
    want_u32(r, i, SD_CCOL_STATE, w->state);
    want_u32(r, i, SD_CCOL_PACKAGETYPE, w->type);
    want_u32(r, i, SD_CCOL_SOURCEVERSION, w->version);
    want_date(r, i, SD_CCOL_LASTCOPIED, w->copied);
    want_date(r, i, SD_CCOL_SUMMARYDATE, w->summary);
    want_str(r, i, SD_CCOL_SECUREOBJECTID, w->secure);
    want_seq(r, i, w->seq);
}

/* ---- good rows, every column ------------------------------------------------- */

/* JSON as exports write it: the real NAL path, numbers as integers and as
 * strings, keys in other cases, unknown keys, dates with offsets, optional
 * columns absent or null. */
static void test_dp_json_rows(void **state)
{
    static const char doc[] =
        "[\n"
        " {\"Name\": \"DP01.corp.example\", \"NALPath\": " NAL_JSON("DP01.corp.example") ",\n"
        "  \"MessageState\": 3, \"NumberErrors\": 2, \"NumberInProgress\": \"1\",\n"
        "  \"NumberInstalled\": 40, \"NumberUnknown\": 0, \"MessageCount\": 7,\n"
        "  \"LastStatusTime\": \"2024-08-30T22:00:00+02:00\", \"IsPullDP\": true,\n"
        "  \"IsPXE\": \"FALSE\", \"IsMulticast\": false, \"Version\": \"5.00.9106.1000\"},\n"
        " {\"name\": null, \"nalpath\": \"\\\\\\\\DP02\\\\\", \"MESSAGESTATE\": \"2147483647\",\n"
        "  \"NumberErrors\": 4294967295, \"NumberInProgress\": 0, \"NumberInstalled\": \"007\",\n"
        "  \"NumberUnknown\": \"4294967295\", \"LastStatusTime\": \"\\/Date(1574202819000)\\/\",\n"
        "  \"IsPullDP\": null, \"Version\": null},\n"
        " {\"NALPath\": \"\\\\\\\\\\\\DP03\\\\\", \"MessageState\": 0, \"NumberErrors\": 0,\n"
        "  \"NumberInProgress\": 0, \"NumberInstalled\": 0, \"NumberUnknown\": 0,\n"
        "  \"LastStatusTime\": null, \"IsPXE\": true}\n"
        "]\n";
    struct tx x;

    (void)state;
    tx_init(&x, &sd_table_dp, "dp.json");
    assert_int_equal(tx_str(&x, doc), 0);
    assert_int_equal(x.d.rows_seen, 3);
    assert_int_equal(x.d.rejected, 0);
    assert_msgs(&x, NULL, 0);
    assert_int_equal(x.rows.n, 3);
    check_dp(&x.rows, 0, &(struct dpw){ "DP01.corp.example", "DP01.corp.example",
                                        NAL_RAW("DP01.corp.example"), 3, 2, 1, 40, 0,
                                        DT(2024, 8, 30, 20, 0, 0, 0), 1, 2, "5.00.9106.1000",
                                        1 });
    check_dp(&x.rows, 1, &(struct dpw){ "DP02", "", "\\\\DP02\\", 2147483647, 4294967295u, 0,
                                        7, 4294967295u, DT(2019, 11, 19, 22, 33, 39, 0), 2, 2,
                                        "", 2 });
    /* \\\DP03\: the name follows the last \\ */
    check_dp(&x.rows, 2, &(struct dpw){ "DP03", "", "\\\\\\DP03\\", 0, 0, 0, 0, 0, NULL, 2, 1,
                                        "", 3 });
    tx_fini(&x);
}

static void test_content_json_rows(void **state)
{
    static const char doc[] =
        "{\"@odata.context\": \"https://cm01/AdminService/wmi/$metadata#"
        "SMS_PackageStatusDistPointsSummarizer\", \"value\": [\n"
        " {\"PackageID\": \"PS100095\", \"ServerNALPath\": " NAL_JSON("DP01.corp.example") ",\n"
        "  \"SiteCode\": \"PS1\", \"State\": 3, \"PackageType\": 0, \"SourceVersion\": 7,\n"
        "  \"LastCopied\": \"2024-08-30T20:55:06Z\",\n"
        "  \"SummaryDate\": \"2024-08-30T21:02:41.512Z\",\n"
        "  \"SecureObjectID\": \"PS100095\", \"@odata.etag\": \"1\"},\n"
        " {\"packageid\": \"P\", \"servernalpath\": " NAL_JSON("dp02.corp.example") ",\n"
        "  \"State\": \"8\", \"PackageType\": 258, \"SourceVersion\": \"4294967295\",\n"
        "  \"LastCopied\": \"\", \"SummaryDate\": \"20261120081500.000000+060\",\n"
        "  \"SecureObjectID\": \"" MODEL_NAME "\"},\n"
        " {\"PackageID\": \"PS1000A2\", \"ServerNALPath\": \"\\\\\\\\DP03\\\\\",\n"
        "  \"SiteCode\": \"\",\n"
        "  \"State\": 2147483647, \"PackageType\": 2147483647, \"SourceVersion\": 0,\n"
        "  \"SiteCode\": null, \"LastCopied\": null, \"SecureObjectID\": null}\n"
        "]}";
    struct tx x;

    (void)state;
    tx_init(&x, &sd_table_content, "content.json");
    assert_int_equal(tx_str(&x, doc), 0);
    assert_int_equal(x.d.rows_seen, 3);
    assert_int_equal(x.d.rejected, 0);
    assert_msgs(&x, NULL, 0);
    assert_null(x.d.next_link);
    assert_int_equal(x.rows.n, 3);
    check_content(&x.rows, 0, &(struct cw){ "PS100095", "DP01.corp.example", "PS1", 3, 0, 7,
                                            DT(2024, 8, 30, 20, 55, 6, 0),
                                            DT(2024, 8, 30, 21, 2, 41, 5), "PS100095", 1 });
    check_content(&x.rows, 1, &(struct cw){ "P", "dp02.corp.example", "", 8, 258, 4294967295u,
                                            NULL, DT(2026, 11, 20, 7, 15, 0, 0), MODEL_NAME,
                                            2 });
    check_content(&x.rows, 2, &(struct cw){ "PS1000A2", "DP03", "", 2147483647, 2147483647, 0,
                                            NULL, NULL, "", 3 });
    tx_fini(&x);
}

/* Export-Csv: #TYPE line, every cell quoted, system columns, True/False,
 * DMTF dates; content.csv is -UseCulture with ';'. */
static void test_csv_rows(void **state)
{
    static const char *const dp_bad[] = {
        "row 4: NALPath: not a NAL path (no \\\\SERVER\\ at its end) (\"DP04.corp.example\"); "
        "row skipped",
        "row 5: IsPullDP: not true or false (\"yes\"); row skipped",
    };
    static const char *const content_bad[] = {
        "row 4: PackageID: 9 characters, an index holds at most 8 (\"PS1000951\"); row skipped",
        "row 5: State: null or empty; row skipped",
    };
    struct tx x;

    (void)state;
    tx_init(&x, &sd_table_dp, "dp.csv");
    assert_int_equal(tx_file(&x, "dp.csv"), 0);
    assert_int_equal(x.d.rows_seen, 5);
    assert_int_equal(x.d.rejected, 2);
    assert_msgs(&x, dp_bad, 2);
    assert_int_equal(x.rows.n, 3);
    check_dp(&x.rows, 0, &(struct dpw){ "DP01.corp.example", "DP01.corp.example",
                                        NAL_RAW("DP01.corp.example"), 3, 2, 1, 40, 0,
                                        DT(2026, 11, 20, 8, 15, 0, 0), 2, 1, "5.00.9122.1000",
                                        1 });
    check_dp(&x.rows, 1, &(struct dpw){ "DP02.corp.example", "DP02.corp.example",
                                        NAL_RAW("DP02.corp.example"), 1, 0, 0, 42, 4294967295u,
                                        DT(2026, 11, 20, 8, 15, 0, 0), 1, 2, "", 2 });
    check_dp(&x.rows, 2, &(struct dpw){ "DP03", "", "\\\\DP03\\", 2, 0, 7, 0, 0, NULL, 2, 2,
                                        "5.00.9106.1000", 3 });
    tx_fini(&x);

    tx_init(&x, &sd_table_content, "content.csv");
    assert_int_equal(tx_file(&x, "content.csv"), 0);
    assert_int_equal(x.d.rows_seen, 5);
    assert_int_equal(x.d.rejected, 2);
    assert_msgs(&x, content_bad, 2);
    assert_int_equal(x.rows.n, 3);
    check_content(&x.rows, 0, &(struct cw){ "PS100095", "DP01.corp.example", "PS1", 3, 0, 7,
                                            DT(2026, 11, 19, 23, 0, 0, 0),
                                            DT(2026, 11, 20, 8, 15, 0, 0), "PS100095", 1 });
    check_content(&x.rows, 1, &(struct cw){ "PS100095", "DP02.corp.example", "PS1", 0, 0, 7,
                                            NULL, DT(2026, 11, 20, 8, 15, 0, 0), "PS100095",
                                            2 });
    check_content(&x.rows, 2, &(struct cw){ "PS1000A2", "DP01.corp.example", "", 2, 8,
                                            4294967295u, NULL, NULL, MODEL_NAME, 3 });
    tx_fini(&x);

    /* a required column missing from the header refuses the document */
    tx_init(&x, &sd_table_dp, "dp.csv");
    assert_int_equal(tx_str(&x, "\"Name\",\"NALPath\",\"MessageState\",\"NumberErrors\","
                                "\"NumberInProgress\",\"NumberInstalled\"\r\n"
                                "\"a\"," NAL_CSV("DP01") ",\"1\",\"0\",\"0\",\"0\"\r\n"), -1);
    assert_error(&x, "CSV header has no column NumberUnknown");
    tx_fini(&x);
    tx_init(&x, &sd_table_content, "content.csv");
    assert_int_equal(tx_str(&x, "PackageID,ServerNALPath,State,PackageType\r\n"
                                "PS1,\\\\DP\\,1,1\r\n"), -1);
    assert_error(&x, "CSV header has no column SourceVersion");
    tx_fini(&x);
}

/* ---- the NAL path's server ----------------------------------------------------- */

static void test_nal_server(void **state)
{
    static const char *const dp_bad[] = {
        /* no trailing \ (the real form, cut) */
        "row 3: NALPath: not a NAL path (no \\\\SERVER\\ at its end) "
        "(\"[\\\"Display=\\\\\\\\DP01.corp.example\\\\\\\"]MSWNET:[...\"); row skipped",
        "row 4: NALPath: not a NAL path (no \\\\SERVER\\ at its end) "
        "(\"\\\\\\\\DP01.corp.example\"); row skipped",
        /* no \\ */
        "row 5: NALPath: not a NAL path (no \\\\SERVER\\ at its end) "
        "(\"DP01.corp.example\\\\\"); row skipped",
        /* a name with \ inside */
        "row 6: NALPath: not a NAL path (no \\\\SERVER\\ at its end) "
        "(\"\\\\\\\\DP01\\\\corp\\\\\"); row skipped",
        /* an empty name */
        "row 7: NALPath: not a NAL path (no \\\\SERVER\\ at its end) "
        "(\"MSWNET:\\\\\\\\\\\\\"); row skipped",
        "row 8: NALPath: not a NAL path (no \\\\SERVER\\ at its end) (\"\\\\\\\\\\\\\"); "
        "row skipped",
        /* a name of 101 characters */
        "row 9: NALPath: server name of 101 characters, an index holds at most 100 "
        "(\"[\\\"Display=\\\\\\\\DP01\\\\\\\"]MSWNET:[\\\"SMS_SITE=PS1...\"); row skipped",
        "row 11: NALPath: empty; row skipped",
        "row 12: NALPath: null or empty; row skipped",
        "row 13: NALPath: missing; row skipped",
        "row 14: NALPath: not a string (5); row skipped",
    };
    static const char *const content_bad[] = {
        "row 2: ServerNALPath: not a NAL path (no \\\\SERVER\\ at its end) "
        "(\"DP01.corp.example\\\\\"); row skipped",
        "row 3: ServerNALPath: server name of 101 characters, an index holds at most 100 "
        "(\"\\\\\\\\aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"); row skipped",
        "row 4: ServerNALPath: not a NAL path (no \\\\SERVER\\ at its end) "
        "(\"\\\\\\\\DP01\\\\corp\\\\\"); row skipped",
        "row 5: ServerNALPath: missing; row skipped",
    };
    char name100[101], name101[102], path[300];
    struct sb b = { 0 };
    struct tx x;

    (void)state;
    memset(name100, 'n', 100);
    name100[100] = '\0';
    memset(name101, 'a', 101);
    name101[101] = '\0';

    /* the real form, as JSON-escaped text, written out by hand */
    sb_printf(&b, "[{\"NALPath\": " NAL_JSON("DP01.corp.example") ", " DP_NUMBERS "},\n");
    snprintf(path, sizeof(path), "[\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\%s\\",
             name100, name100);
    dp_elem(&b, path, "");                                          /* 2: 100 characters */
    SB(&b, ",\n");
    dp_elem(&b, "[\"Display=\\\\DP01.corp.example\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\"
                "DP01.corp.example", "");
    SB(&b, ",\n");
    dp_elem(&b, "\\\\DP01.corp.example", "");
    SB(&b, ",\n");
    dp_elem(&b, "DP01.corp.example\\", "");
    SB(&b, ",\n");
    dp_elem(&b, "\\\\DP01\\corp\\", "");
    SB(&b, ",\n");
    dp_elem(&b, "MSWNET:\\\\\\", "");
    SB(&b, ",\n");
    dp_elem(&b, "\\\\\\", "");
    SB(&b, ",\n");
    snprintf(path, sizeof(path), "[\"Display=\\\\DP01\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\%s\\",
             name101);
    dp_elem(&b, path, "");
    SB(&b, ",\n");
    dp_elem(&b, "\\\\DP 10\\", "");                                /* 10: spaces are printable */
    SB(&b, ",\n");
    dp_elem(&b, "", "");
    sb_printf(&b, ",\n{\"NALPath\": null, " DP_NUMBERS "},\n{" DP_NUMBERS "},\n"
                  "{\"NALPath\": 5, " DP_NUMBERS "}]");
    tx_init(&x, &sd_table_dp, "dp.json");
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.d.rows_seen, 14);
    assert_int_equal(x.d.rejected, 11);
    assert_msgs(&x, dp_bad, sizeof(dp_bad) / sizeof(dp_bad[0]));
    assert_int_equal(x.rows.n, 3);
    want_server(&x.rows, 0, SD_DPCOL_SERVER, "DP01.corp.example");
    want_str(&x.rows, 0, SD_DPCOL_NALPATH, NAL_RAW("DP01.corp.example"));
    snprintf(path, sizeof(path), "[\"Display=\\\\%s\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\%s\\",
             name100, name100);
    want_server(&x.rows, 1, SD_DPCOL_SERVER, name100);
    want_str(&x.rows, 1, SD_DPCOL_NALPATH, path);
    want_seq(&x.rows, 1, 2);
    want_server(&x.rows, 2, SD_DPCOL_SERVER, "DP 10");
    want_seq(&x.rows, 2, 10);
    tx_fini(&x);
    sb_free(&b);

    /* the content table's ServerNALPath: the same rule, its own field name */
    SB(&b, "[");
    content_elem(&b, "PS100095", NAL_RAW("DP01.corp.example"), "");
    SB(&b, ",\n");
    content_elem(&b, "PS100095", "DP01.corp.example\\", "");
    SB(&b, ",\n");
    snprintf(path, sizeof(path), "\\\\%s\\", name101);
    content_elem(&b, "PS100095", path, "");
    SB(&b, ",\n");
    content_elem(&b, "PS100095", "\\\\DP01\\corp\\", "");
    sb_printf(&b, ",\n{\"PackageID\": \"PS100095\", \"State\": 0, \"PackageType\": 0, "
                  "\"SourceVersion\": 1}]");
    tx_init(&x, &sd_table_content, "content.json");
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.d.rows_seen, 5);
    assert_int_equal(x.d.rejected, 4);
    assert_msgs(&x, content_bad, sizeof(content_bad) / sizeof(content_bad[0]));
    assert_int_equal(x.rows.n, 1);
    want_server(&x.rows, 0, SD_CCOL_SERVER, "DP01.corp.example");
    tx_fini(&x);
    sb_free(&b);
}

/* ---- truth values ----------------------------------------------------------------- */

static void test_truth_values(void **state)
{
    static const struct {
        const char *json;           /* the member, or "" for absent */
        uint8_t want;               /* 0: rejected */
    } cases[] = {
        { "\"IsPXE\": true", 1 },
        { "\"IsPXE\": false", 2 },
        { "\"IsPXE\": \"True\"", 1 },
        { "\"IsPXE\": \"FALSE\"", 2 },
        { "\"IsPXE\": \"tRuE\"", 1 },
        { "", 2 },
        { "\"IsPXE\": null", 2 },
        { "\"IsPXE\": 7", 0 },
        { "\"IsPXE\": \"yes\"", 0 },
        { "\"IsPXE\": 1", 0 },
        { "\"IsPXE\": \"\"", 0 },
        { "\"IsPXE\": \"true \"", 0 },
        { "\"IsPXE\": [true]", 0 },
        { "\"IsPullDP\": true", 2 },        /* the other column: IsPXE stays false */
    };
    static const char *const bad[] = {
        "row 8: IsPXE: not true or false (7); row skipped",
        "row 9: IsPXE: not true or false (\"yes\"); row skipped",
        "row 10: IsPXE: not true or false (1); row skipped",
        "row 11: IsPXE: not true or false (\"\"); row skipped",
        "row 12: IsPXE: not true or false (\"true \"); row skipped",
        "row 13: IsPXE: not true or false; row skipped",
    };
    const size_t n = sizeof(cases) / sizeof(cases[0]);
    struct sb b = { 0 };
    struct tx x;
    size_t k = 0;

    (void)state;
    SB(&b, "[");
    for (size_t i = 0; i < n; i++) {
        char nal[32];

        snprintf(nal, sizeof(nal), "\\\\DP%02zu\\", i + 1);
        if (i)
            SB(&b, ",\n");
        dp_elem(&b, nal, cases[i].json);
    }
    SB(&b, "]");
    tx_init(&x, &sd_table_dp, "dp.json");
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_msgs(&x, bad, sizeof(bad) / sizeof(bad[0]));
    for (size_t i = 0; i < n; i++) {
        if (!cases[i].want)
            continue;
        want_seq(&x.rows, k, (uint32_t)(i + 1));
        want_bool(&x.rows, k, SD_DPCOL_ISPXE, cases[i].want);
        want_bool(&x.rows, k, SD_DPCOL_ISPULLDP, i + 1 == n ? 1 : 2);
        k++;
    }
    assert_int_equal(x.rows.n, k);
    tx_fini(&x);
    sb_free(&b);

    /* CSV: Export-Csv writes True and False; an empty cell is false */
    tx_init(&x, &sd_table_dp, "dp.csv");
    assert_int_equal(tx_str(&x, "NALPath,MessageState,NumberErrors,NumberInProgress,"
                                "NumberInstalled,NumberUnknown,IsPullDP,IsPXE\r\n"
                                "\\\\A\\,1,0,0,0,0,True,FALSE\r\n"
                                "\\\\B\\,1,0,0,0,0,,true\r\n"
                                "\\\\C\\,1,0,0,0,0,1,\r\n"
                                "\\\\D\\,1,0,0,0,0,False,Yes\r\n"), 0);
    assert_msgs(&x, (const char *const[]){
                        "row 3: IsPullDP: not true or false (\"1\"); row skipped",
                        "row 4: IsPXE: not true or false (\"Yes\"); row skipped" }, 2);
    assert_int_equal(x.rows.n, 2);
    want_bool(&x.rows, 0, SD_DPCOL_ISPULLDP, 1);
    want_bool(&x.rows, 0, SD_DPCOL_ISPXE, 2);
    want_bool(&x.rows, 1, SD_DPCOL_ISPULLDP, 2);
    want_bool(&x.rows, 1, SD_DPCOL_ISPXE, 1);
    tx_fini(&x);
}

/* ---- limits and required columns ---------------------------------------------------- */

static void test_content_limits(void **state)
{
    static const char *const bad[] = {
        "row 2: PackageID: 9 characters, an index holds at most 8 (\"PS1000951\"); row skipped",
        "row 3: PackageID: empty; row skipped",
        "row 4: PackageID: missing; row skipped",
        "row 5: SiteCode: 4 characters, at most 3 (\"PS12\"); row skipped",
        "row 7: SecureObjectID: 113 characters, at most 112 "
            "(\"SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS...\"); row skipped",
        "row 8: State: out of range 0..2147483647 (2147483648); row skipped",
        "row 9: PackageType: negative (-1); row skipped",
        "row 10: SourceVersion: out of range 0..4294967295 (\"4294967296\"); row skipped",
        "row 11: State: missing; row skipped",
        "row 12: PackageType: null or empty; row skipped",
        "row 13: SourceVersion: missing; row skipped",
        "row 14: SummaryDate: no UTC offset (local time): set sourceTimeZone "
            "(\"2026-11-20T08:15:00\"); row skipped",
        "row 15: LastCopied: not a string (5); row skipped",
        "row 16: PackageID: byte 0xc3 at offset 3 is not printable ASCII "
            "(\"PS1\\xc3\\xa9\"); row skipped",
    };
    char s112[113], s113[114], more[200];
    struct sb b = { 0 };
    struct tx x;

    (void)state;
    memset(s112, 'S', 112);
    s112[112] = '\0';
    memset(s113, 'S', 113);
    s113[113] = '\0';
    SB(&b, "[");
    content_elem(&b, "PS100095", "\\\\DP\\", "\"SiteCode\": \"PS1\"");             /* 1 */
    SB(&b, ",");
    content_elem(&b, "PS1000951", "\\\\DP\\", "");                                 /* 2 */
    SB(&b, ",");
    content_elem(&b, "", "\\\\DP\\", "");                                          /* 3 */
    sb_printf(&b, ",{\"ServerNALPath\": \"\\\\\\\\DP\\\\\", \"State\": 0, "
                  "\"PackageType\": 0, \"SourceVersion\": 1}");                     /* 4 */
    SB(&b, ",");
    content_elem(&b, "PS100096", "\\\\DP\\", "\"SiteCode\": \"PS12\"");            /* 5 */
    SB(&b, ",");
    snprintf(more, sizeof(more), "\"SecureObjectID\": \"%s\"", s112);
    content_elem(&b, "PS100097", "\\\\DP\\", more);                                /* 6 */
    SB(&b, ",");
    snprintf(more, sizeof(more), "\"SecureObjectID\": \"%s\"", s113);
    content_elem(&b, "PS100098", "\\\\DP\\", more);                                /* 7 */
    SB(&b, ",");
    content_elem(&b, "PS100099", "\\\\DP\\", "\"State\": 2147483648");             /* 8 */
    SB(&b, ",");
    content_elem(&b, "PS10009A", "\\\\DP\\", "\"PackageType\": -1");               /* 9 */
    SB(&b, ",");
    content_elem(&b, "PS10009B", "\\\\DP\\", "\"SourceVersion\": \"4294967296\""); /* 10 */
    sb_printf(&b, ",{\"PackageID\": \"A\", \"ServerNALPath\": \"\\\\\\\\DP\\\\\", "
                  "\"PackageType\": 0, \"SourceVersion\": 1}");                     /* 11 */
    SB(&b, ",");
    content_elem(&b, "PS10009C", "\\\\DP\\", "\"PackageType\": null");             /* 12 */
    sb_printf(&b, ",{\"PackageID\": \"B\", \"ServerNALPath\": \"\\\\\\\\DP\\\\\", "
                  "\"State\": 0, \"PackageType\": 0}");                             /* 13 */
    SB(&b, ",");
    content_elem(&b, "PS10009D", "\\\\DP\\", "\"SummaryDate\": \"2026-11-20T08:15:00\"");
    SB(&b, ",");
    content_elem(&b, "PS10009E", "\\\\DP\\", "\"LastCopied\": 5");                 /* 15 */
    SB(&b, ",");
    content_elem(&b, "PS1\xc3\xa9", "\\\\DP\\", "");                               /* 16 */
    SB(&b, "]");
    tx_init(&x, &sd_table_content, "content.json");
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.d.rows_seen, 16);
    assert_int_equal(x.d.rejected, 14);
    assert_msgs(&x, bad, sizeof(bad) / sizeof(bad[0]));
    assert_int_equal(x.rows.n, 2);
    check_content(&x.rows, 0, &(struct cw){ "PS100095", "DP", "PS1", 0, 0, 1, NULL, NULL, "",
                                            1 });
    check_content(&x.rows, 1, &(struct cw){ "PS100097", "DP", "", 0, 0, 1, NULL, NULL, s112,
                                            6 });
    tx_fini(&x);
    sb_free(&b);
}

static void test_dp_limits(void **state)
{
    static const char *const bad[] = {
        "row 2: Name: 256 characters, at most 255 "
            "(\"NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN...\"); row skipped",
        "row 3: NALPath: 256 characters, at most 255 "
            "(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"); row skipped",
        "row 5: Version: not a string (5); row skipped",
        "row 6: MessageState: out of range 0..2147483647 (\"2147483648\"); row skipped",
        "row 7: NumberErrors: out of range 0..4294967295 (4294967296); row skipped",
        "row 8: NumberInProgress: missing; row skipped",
        "row 9: NumberInstalled: real number, not an integer (1.5); row skipped",
        "row 10: NumberUnknown: null or empty; row skipped",
        "row 11: MessageState: missing; row skipped",
        "row 12: LastStatusTime: not a string (true); row skipped",
    };
    char name255[256], more[600], nal[300];
    struct sb b = { 0 };
    struct tx x;

    (void)state;
    memset(name255, 'N', 255);
    name255[255] = '\0';
    SB(&b, "[");
    snprintf(more, sizeof(more), "\"Name\": \"%s\", \"Version\": \"%.255s\"", name255, name255);
    dp_elem(&b, "\\\\DP01\\", more);                                                /* 1 */
    SB(&b, ",");
    snprintf(more, sizeof(more), "\"Name\": \"%sN\"", name255);
    dp_elem(&b, "\\\\DP02\\", more);                                                /* 2 */
    SB(&b, ",");
    memset(nal, 'x', 250);
    snprintf(nal + 250, sizeof(nal) - 250, "\\\\DP3\\");
    assert_int_equal(strlen(nal), 256);
    dp_elem(&b, nal, "");                                                           /* 3 */
    SB(&b, ",");
    memmove(nal, nal + 1, strlen(nal));                                             /* 255 */
    dp_elem(&b, nal, "");                                                           /* 4 */
    SB(&b, ",");
    dp_elem(&b, "\\\\DP05\\", "\"Version\": 5");
    SB(&b, ",");
    dp_elem(&b, "\\\\DP06\\", "\"MessageState\": \"2147483648\"");
    SB(&b, ",");
    dp_elem(&b, "\\\\DP07\\", "\"NumberErrors\": 4294967296");
    sb_printf(&b, ",{\"NALPath\": \"\\\\\\\\DP08\\\\\", \"MessageState\": 1, "
                  "\"NumberErrors\": 0, \"NumberInstalled\": 0, \"NumberUnknown\": 0}");
    SB(&b, ",");
    dp_elem(&b, "\\\\DP09\\", "\"NumberInstalled\": 1.5");
    SB(&b, ",");
    dp_elem(&b, "\\\\DP10\\", "\"NumberUnknown\": null");
    sb_printf(&b, ",{\"NALPath\": \"\\\\\\\\DP11\\\\\", \"NumberErrors\": 0, "
                  "\"NumberInProgress\": 0, \"NumberInstalled\": 0, \"NumberUnknown\": 0}");
    SB(&b, ",");
    dp_elem(&b, "\\\\DP12\\", "\"LastStatusTime\": true");
    SB(&b, "]");
    tx_init(&x, &sd_table_dp, "dp.json");
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.d.rows_seen, 12);
    assert_msgs(&x, bad, sizeof(bad) / sizeof(bad[0]));
    assert_int_equal(x.rows.n, 2);
    check_dp(&x.rows, 0, &(struct dpw){ "DP01", name255, "\\\\DP01\\", 1, 0, 0, 0, 0, NULL, 2,
                                        2, name255, 1 });
    want_server(&x.rows, 1, SD_DPCOL_SERVER, "DP3");
    want_str(&x.rows, 1, SD_DPCOL_NALPATH, nal);
    want_seq(&x.rows, 1, 4);
    tx_fini(&x);
    sb_free(&b);
}

/*
 * A NALPath over 255 characters cannot be served (its column is a
 * DisplayString, "NALPath served as given (<= 255)"), and a 300-character
 * one is told "at most 255". A longer one must be told the same limit: a
 * message naming a larger one says that a path of that size would do.
 */
static void test_dp_nalpath_limit_message(void **state)
{
    static char nal[10240 + 8];
    char want[256];
    struct sb b = { 0 };
    struct tx x;

    (void)state;
    memset(nal, 'x', 10240);
    strcpy(nal + 10240, "\\\\DP03\\");
    SB(&b, "{\"SMS_DPStatusInfo\": [");
    dp_elem(&b, nal, "");
    SB(&b, "]}");
    tx_init(&x, &sd_table_dp, "combined.json");
    x.d.class_only = true;
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.rows.n, 0);
    assert_int_equal(x.d.rejected, 1);
    snprintf(want, sizeof(want), "row 1: NALPath: %zu characters, at most 255 "
             "(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"); row skipped", strlen(nal));
    assert_msgs(&x, (const char *const[]){ want }, 1);
    tx_fini(&x);
    sb_free(&b);
}

/* ---- duplicates -------------------------------------------------------------------- */

static struct sd_snapshot *build(struct sd_rows *rows, struct sd_msgs *m, unsigned long rejected,
                                 const char *origin)
{
    struct sd_policy p;
    struct sd_snapshot *s;

    memset(&p, 0, sizeof(p));
    p.error_types[0] = 3;               /* contentErrorStates' default */
    p.error_types[1] = 6;
    p.n_error_types = 2;
    s = sd_snapshot_build(rows, &p, rejected, origin, m);
    assert_non_null(s);
    return s;
}

static void test_duplicates(void **state)
{
    static const char dp_doc[] =
        "[{\"NALPath\": \"\\\\\\\\DP01\\\\\", " DP_NUMBERS ", \"NumberErrors\": 1, "
        "\"LastStatusTime\": \"2024-08-30T20:00:00Z\"},\n"
        /* 20:30 UTC: the latest, though its text sorts before row 1's */
        " {\"NALPath\": \"x\\\\\\\\DP01\\\\\", " DP_NUMBERS ", \"NumberErrors\": 2, "
        "\"LastStatusTime\": \"2024-08-30T22:30:00+02:00\"},\n"
        " {\"NALPath\": \"\\\\\\\\DP01\\\\\", " DP_NUMBERS ", \"NumberErrors\": 3, "
        "\"LastStatusTime\": \"2024-08-30T20:15:00Z\"},\n"
        /* any date beats none */
        " {\"NALPath\": \"\\\\\\\\DP02\\\\\", " DP_NUMBERS ", \"NumberErrors\": 4},\n"
        " {\"NALPath\": \"\\\\\\\\DP02\\\\\", " DP_NUMBERS ", \"NumberErrors\": 5, "
        "\"LastStatusTime\": \"1990-01-01T00:00:00Z\"},\n"
        " {\"NALPath\": \"\\\\\\\\DP02\\\\\", " DP_NUMBERS ", \"NumberErrors\": 6, "
        "\"LastStatusTime\": \"\"},\n"
        /* the same instant: the later row */
        " {\"NALPath\": \"\\\\\\\\DP03\\\\\", " DP_NUMBERS ", \"NumberErrors\": 7, "
        "\"LastStatusTime\": \"2024-08-30T20:00:00Z\"},\n"
        " {\"NALPath\": \"\\\\\\\\DP03\\\\\", " DP_NUMBERS ", \"NumberErrors\": 8, "
        "\"LastStatusTime\": \"2024-08-30T21:00:00+01:00\"},\n"
        /* no date on either: the later row */
        " {\"NALPath\": \"\\\\\\\\DP04\\\\\", " DP_NUMBERS ", \"NumberErrors\": 9},\n"
        " {\"NALPath\": \"\\\\\\\\DP04\\\\\", " DP_NUMBERS ", \"NumberErrors\": 10, "
        "\"LastStatusTime\": null},\n"
        /* not a duplicate: the name differs in case */
        " {\"NALPath\": \"\\\\\\\\dp04\\\\\", " DP_NUMBERS ", \"NumberErrors\": 11}]";
    static const char *const dp_dups[] = {
        "row 1: duplicate of row 2 (server DP01); row 2 kept",
        "row 3: duplicate of row 2 (server DP01); row 2 kept",
        "row 4: duplicate of row 5 (server DP02); row 5 kept",
        "row 6: duplicate of row 5 (server DP02); row 5 kept",
        "row 7: duplicate of row 8 (server DP03); row 8 kept",
        "row 9: duplicate of row 10 (server DP04); row 10 kept",
    };
    static const char content_doc[] =
        "[{\"PackageID\": \"PS100095\", \"ServerNALPath\": \"\\\\\\\\DP01\\\\\", \"State\": 3, "
        "\"PackageType\": 0, \"SourceVersion\": 1, \"SummaryDate\": \"2024-08-30T21:00:00Z\", "
        "\"LastCopied\": \"2024-08-30T10:00:00Z\"},\n"
        /* a later LastCopied does not count: SummaryDate does */
        " {\"PackageID\": \"PS100095\", \"ServerNALPath\": \"\\\\\\\\DP01\\\\\", \"State\": 1, "
        "\"PackageType\": 0, \"SourceVersion\": 2, \"SummaryDate\": \"2024-08-30T20:59:59.9Z\", "
        "\"LastCopied\": \"2025-01-01T00:00:00Z\"},\n"
        /* same package, other DP; same DP, other package: not duplicates */
        " {\"PackageID\": \"PS100095\", \"ServerNALPath\": \"\\\\\\\\DP02\\\\\", \"State\": 0, "
        "\"PackageType\": 0, \"SourceVersion\": 3},\n"
        " {\"PackageID\": \"PS100096\", \"ServerNALPath\": \"\\\\\\\\DP01\\\\\", \"State\": 0, "
        "\"PackageType\": 0, \"SourceVersion\": 4},\n"
        " {\"PackageID\": \"PS100096\", \"ServerNALPath\": " NAL_JSON("DP01") ", \"State\": 6, "
        "\"PackageType\": 0, \"SourceVersion\": 5},\n"
        " {\"PackageID\": \"PS100095\", \"ServerNALPath\": \"\\\\\\\\DP02\\\\\", \"State\": 2, "
        "\"PackageType\": 0, \"SourceVersion\": 6, \"SummaryDate\": \"\"}]";
    static const char *const content_dups[] = {
        "row 2: duplicate of row 1 (PackageID PS100095, server DP01); row 1 kept",
        "row 3: duplicate of row 6 (PackageID PS100095, server DP02); row 6 kept",
        "row 4: duplicate of row 5 (PackageID PS100096, server DP01); row 5 kept",
    };
    static const uint32_t dp_kept[] = { 2, 5, 8, 10, 11 };
    struct tx x;
    struct sd_snapshot *s;

    (void)state;
    tx_init(&x, &sd_table_dp, "dup.json");
    assert_int_equal(tx_str(&x, dp_doc), 0);
    assert_int_equal(x.rows.n, 11);
    s = build(&x.rows, &x.msgs, x.d.rejected, "dup.json");
    assert_int_equal(x.rows.n, 0);
    assert_int_equal(sd_snapshot_count(s), 5);
    assert_int_equal(s->duplicates, 6);
    assert_msgs(&x, dp_dups, sizeof(dp_dups) / sizeof(dp_dups[0]));
    for (size_t i = 0; i < 5; i++) {
        want_seq(&s->rows, i, dp_kept[i]);
        want_u32(&s->rows, i, SD_DPCOL_ERRORS, dp_kept[i]);
    }
    want_server(&s->rows, 3, SD_DPCOL_SERVER, "DP04");
    want_server(&s->rows, 4, SD_DPCOL_SERVER, "dp04");
    want_date(&s->rows, 0, SD_DPCOL_LASTSTATUSTIME, DT(2024, 8, 30, 20, 30, 0, 0));
    want_str(&s->rows, 0, SD_DPCOL_NALPATH, "x\\\\DP01\\");
    /* DPs and DPs with NumberErrors > 0 (every kept row has some) */
    assert_int_equal(s->sum.fig[SD_FIG_DPS], 5);
    assert_int_equal(s->sum.fig[SD_FIG_DPS_IN_ERROR], 5);
    sd_snapshot_free(s);
    tx_fini(&x);

    tx_init(&x, &sd_table_content, "dup.json");
    assert_int_equal(tx_str(&x, content_doc), 0);
    s = build(&x.rows, &x.msgs, x.d.rejected, "dup.json");
    assert_int_equal(sd_snapshot_count(s), 3);
    assert_int_equal(s->duplicates, 3);
    assert_msgs(&x, content_dups, sizeof(content_dups) / sizeof(content_dups[0]));
    check_content(&s->rows, 0, &(struct cw){ "PS100095", "DP01", "", 3, 0, 1,
                                             DT(2024, 8, 30, 10, 0, 0, 0),
                                             DT(2024, 8, 30, 21, 0, 0, 0), "", 1 });
    check_content(&s->rows, 1, &(struct cw){ "PS100095", "DP02", "", 2, 0, 6, NULL, NULL, "",
                                             6 });
    check_content(&s->rows, 2, &(struct cw){ "PS100096", "DP01", "", 6, 0, 5, NULL, NULL, "",
                                             5 });
    /* rows, failed (State 3 or 6), pending (1 2 4 5 7) */
    assert_int_equal(s->sum.fig[SD_FIG_CONTENT_ROWS], 3);
    assert_int_equal(s->sum.fig[SD_FIG_CONTENT_FAILED], 2);
    assert_int_equal(s->sum.fig[SD_FIG_CONTENT_PENDING], 1);
    sd_snapshot_free(s);
    tx_fini(&x);
}

/* ---- the combined export and class_only --------------------------------------------- */

static const char combined_doc[] =
    "{\"SMS_DistributionStatus\": [{\"ObjectID\": \"PS100095\", \"MessageCategory\": 10, "
    "\"Assets\": 2, \"ObjectTypeID\": 2, \"Type\": 3, \"PackageID\": \"PS100095\"}],\n"
    /* an array no table reads, with rows any of them could take */
    " \"SMS_Other\": [{\"NALPath\": \"\\\\\\\\OTHER\\\\\", " DP_NUMBERS "},\n"
    "   {\"PackageID\": \"OTHER\", \"ServerNALPath\": \"\\\\\\\\OTHER\\\\\", \"State\": 0, "
    "\"PackageType\": 0, \"SourceVersion\": 1},\n"
    "   {\"ObjectID\": \"OTHER\", \"MessageCategory\": 1, \"Assets\": 1, \"ObjectTypeID\": 2, "
    "\"Type\": 1}],\n"
    " \"sms_dpstatusinfo\": [{\"NALPath\": " NAL_JSON("DP01.corp.example") ", " DP_NUMBERS
    "}, {\"NALPath\": \"\\\\\\\\DP02\\\\\", " DP_NUMBERS "}, 42],\n"
    " \"SMS_PackageStatusDistPointsSummarizer\": [{\"PackageID\": \"PS100095\", "
    "\"ServerNALPath\": " NAL_JSON("DP01.corp.example") ", \"State\": 3, \"PackageType\": 0, "
    "\"SourceVersion\": 7}]}";

static void test_combined_each_table_its_array(void **state)
{
    const struct {
        const struct sd_table *t;
        size_t rows, seen;
    } want[] = {
        { &sd_table_status, 1, 1 },
        { &sd_table_dp, 2, 3 },
        { &sd_table_content, 1, 1 },
    };
    struct tx x;

    (void)state;
    for (size_t k = 0; k < 3; k++) {
        for (int only = 0; only <= 1; only++) {
            tx_init(&x, want[k].t, "combined.json");
            x.d.class_only = only;
            assert_int_equal(tx_str(&x, combined_doc), 0);
            assert_false(x.d.class_absent);
            assert_int_equal(x.rows.n, want[k].rows);
            assert_int_equal(x.d.rows_seen, want[k].seen);
            if (want[k].t == &sd_table_dp) {
                assert_msgs(&x, (const char *const[]){ "row 3: not an object; row skipped" },
                            1);
                want_server(&x.rows, 0, SD_DPCOL_SERVER, "DP01.corp.example");
                want_server(&x.rows, 1, SD_DPCOL_SERVER, "DP02");
            } else if (want[k].t == &sd_table_content) {
                assert_msgs(&x, NULL, 0);
                check_content(&x.rows, 0, &(struct cw){ "PS100095", "DP01.corp.example", "",
                                                        3, 0, 7, NULL, NULL, "", 1 });
            } else {
                assert_msgs(&x, NULL, 0);
                assert_int_equal(x.rows.v[0].type, 3);
            }
            tx_fini(&x);
        }
    }
}

/* bench/gen.py's combined export (5 DPs, 20 content rows); and the tables
 * agree with each other: every content row's DP is a DP row, whose counts
 * are its content rows' States. */
static void test_combined_generated(void **state)
{
    struct tx st, dp, ct;
    uint32_t errors[5] = { 0 }, installed[5] = { 0 };

    (void)state;
    tx_init(&st, &sd_table_status, "combined.json");
    tx_init(&dp, &sd_table_dp, "combined.json");
    tx_init(&ct, &sd_table_content, "combined.json");
    dp.d.class_only = ct.d.class_only = true;
    assert_int_equal(tx_file(&st, "combined.json"), 0);
    assert_int_equal(tx_file(&dp, "combined.json"), 0);
    assert_int_equal(tx_file(&ct, "combined.json"), 0);
    assert_int_equal(st.rows.n, 15);
    assert_int_equal(dp.rows.n, 5);
    assert_int_equal(ct.rows.n, 20);
    assert_int_equal(st.d.rejected + dp.d.rejected + ct.d.rejected, 0);
    check_dp(&dp.rows, 0, &(struct dpw){ "dp0001.site1.corp.example", "dp0001.site1.corp.example",
                                         NAL_RAW("dp0001.site1.corp.example"), 1, 0, 0, 4, 0,
                                         DT(2026, 11, 26, 0, 47, 6, 0), 2, 2, "5.00.9106.1000",
                                         1 });
    want_bool(&dp.rows, 2, SD_DPCOL_ISPXE, 1);
    want_bool(&dp.rows, 4, SD_DPCOL_ISPULLDP, 1);
    for (size_t i = 0; i < ct.rows.n; i++) {
        const struct sd_coldef *sc = sd_table_column(&sd_table_content, SD_CCOL_SERVER);
        const struct sd_coldef *dc = sd_table_column(&sd_table_dp, SD_DPCOL_SERVER);
        uint32_t st_ = sd_row_u32(sd_rows_at(&ct.rows, i),
                                  sd_table_column(&sd_table_content, SD_CCOL_STATE)->off);
        size_t len, k;
        const char *s = sd_row_str(&ct.rows, sd_rows_at(&ct.rows, i), sc, &len);

        for (k = 0; k < dp.rows.n; k++) {
            size_t dlen;
            const char *d = sd_row_str(&dp.rows, sd_rows_at(&dp.rows, k), dc, &dlen);

            if (dlen == len && memcmp(d, s, len) == 0)
                break;
        }
        if (k == dp.rows.n)
            fail_msg("content row %zu: DP %.*s is not a DP row", i, (int)len, s);
        errors[k] += st_ == 3 || st_ == 6;
        installed[k] += st_ == 0;
    }
    for (size_t k = 0; k < 5; k++) {
        want_u32(&dp.rows, k, SD_DPCOL_ERRORS, errors[k]);
        want_u32(&dp.rows, k, SD_DPCOL_INSTALLED, installed[k]);
    }
    tx_fini(&st);
    tx_fini(&dp);
    tx_fini(&ct);
}

static void test_class_only(void **state)
{
    static const char plain[] = "[{\"NALPath\": \"\\\\\\\\DP01\\\\\", " DP_NUMBERS "}]";
    static const char envelope[] = "{\"value\": [{\"NALPath\": \"\\\\\\\\DP01\\\\\", "
                                   DP_NUMBERS "}]}";
    static const char lone[] = "{\"NALPath\": \"\\\\\\\\DP01\\\\\", " DP_NUMBERS "}";
    static const char csv[] = "NALPath,MessageState,NumberErrors,NumberInProgress,"
                              "NumberInstalled,NumberUnknown\r\n\\\\DP01\\,1,0,0,0,0\r\n";
    static const char without[] = "{\"SMS_DistributionStatus\": [], "
                                  "\"SMS_PackageStatusDistPointsSummarizer\": []}";
    static const char with[] = "{\"SMS_DistributionStatus\": [], \"SMS_DPStatusInfo\": "
                               "[{\"NALPath\": \"\\\\\\\\DP01\\\\\", " DP_NUMBERS "}]}";
    static const char empty_array[] = "{\"SMS_DPStatusInfo\": []}";
    const char *absent[] = { plain, envelope, lone, csv, without };
    struct tx x;

    (void)state;
    /* without class_only, each of the one-class shapes is a DP document */
    for (size_t i = 0; i < 4; i++) {
        tx_init(&x, &sd_table_dp, "dp.json");
        assert_int_equal(tx_str(&x, absent[i]), 0);
        assert_int_equal(x.rows.n, 1);
        want_server(&x.rows, 0, SD_DPCOL_SERVER, "DP01");
        assert_false(x.d.class_absent);
        tx_fini(&x);
    }
    /* with it, none carries the class: no rows, not an error */
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
        tx_init(&x, &sd_table_dp, "export.json");
        x.d.class_only = true;
        assert_int_equal(tx_str(&x, absent[i]), 0);
        assert_true(x.d.class_absent);
        assert_int_equal(x.rows.n, 0);
        assert_int_equal(x.d.rows_seen, 0);
        assert_int_equal(x.d.rejected, 0);
        assert_int_equal(x.msgs.n, 0);
        assert_null(x.d.next_link);
        /* the same context, then a document that has it: present again */
        assert_int_equal(tx_str(&x, with), 0);
        assert_false(x.d.class_absent);
        assert_int_equal(x.rows.n, 1);
        assert_int_equal(tx_str(&x, empty_array), 0);
        assert_false(x.d.class_absent);                 /* present, and empty */
        assert_int_equal(x.rows.n, 1);
        tx_fini(&x);
    }
    /* without class_only, a combined object without the array is refused */
    tx_init(&x, &sd_table_dp, "export.json");
    assert_int_equal(tx_str(&x, without), -1);
    assert_error(&x, "JSON object has no \"SMS_DPStatusInfo\" array, no \"value\" array and "
                     "no NALPath");
    tx_fini(&x);
    /* the class's value must be an array, class_only or not */
    for (int only = 0; only <= 1; only++) {
        tx_init(&x, &sd_table_content, "export.json");
        x.d.class_only = only;
        assert_int_equal(tx_str(&x, "{\"SMS_PackageStatusDistPointsSummarizer\": {}}"), -1);
        assert_error(&x, "JSON \"SMS_PackageStatusDistPointsSummarizer\" is not an array");
        tx_fini(&x);
    }
}

static void test_class_key_twice(void **state)
{
    static const char twice[] =
        "{\"SMS_DPStatusInfo\": [{\"NALPath\": \"\\\\\\\\DP01\\\\\", " DP_NUMBERS "}],\n"
        " \"SMS_DPSTATUSINFO\": [{\"NALPath\": \"\\\\\\\\DP02\\\\\", " DP_NUMBERS "}],\n"
        " \"SMS_PackageStatusDistPointsSummarizer\": [{\"PackageID\": \"PS100095\", "
        "\"ServerNALPath\": \"\\\\\\\\DP01\\\\\", \"State\": 0, \"PackageType\": 0, "
        "\"SourceVersion\": 1}]}";
    static const char same_case[] =
        "{\"SMS_DPStatusInfo\": [{\"NALPath\": \"\\\\\\\\DP01\\\\\", " DP_NUMBERS "}],\n"
        " \"SMS_DPStatusInfo\": [{\"NALPath\": \"\\\\\\\\DP02\\\\\", " DP_NUMBERS "}, 1]}";
    struct tx x;

    (void)state;
    for (int only = 0; only <= 1; only++) {
        tx_init(&x, &sd_table_dp, "combined.json");
        x.d.class_only = only;
        assert_int_equal(tx_str(&x, twice), -1);
        assert_error(&x, "JSON object has \"SMS_DPStatusInfo\" twice (keys differ in case)");
        assert_int_equal(x.rows.n, 0);
        assert_int_equal(x.rows.arena_len, 0);
        assert_int_equal(x.d.rows_seen, 0);
        assert_int_equal(x.msgs.n, 0);
        tx_fini(&x);
        /* the same key again, same case: the last array is the table */
        tx_init(&x, &sd_table_dp, "combined.json");
        x.d.class_only = only;
        assert_int_equal(tx_str(&x, same_case), 0);
        assert_int_equal(x.rows.n, 1);
        want_server(&x.rows, 0, SD_DPCOL_SERVER, "DP02");
        assert_int_equal(x.d.rows_seen, 2);
        assert_msgs(&x, (const char *const[]){ "row 2: not an object; row skipped" }, 1);
        tx_fini(&x);
    }
    /* the other tables of that document are not concerned */
    tx_init(&x, &sd_table_content, "combined.json");
    x.d.class_only = true;
    assert_int_equal(tx_str(&x, twice), 0);
    assert_int_equal(x.rows.n, 1);
    tx_fini(&x);
}

/* The row cap counts the table's own rows, not the other arrays'. */
static void test_row_cap(void **state)
{
    struct sb b = { 0 };
    struct tx x;

    (void)state;
    SB(&b, "{\"SMS_DPStatusInfo\": [");
    for (int i = 0; i < 10; i++) {
        char nal[16];

        snprintf(nal, sizeof(nal), "\\\\DP%02d\\", i);
        if (i)
            SB(&b, ",");
        dp_elem(&b, nal, "");
    }
    SB(&b, "], \"SMS_PackageStatusDistPointsSummarizer\": [");
    for (int i = 0; i < 3; i++) {
        if (i)
            SB(&b, ",");
        content_elem(&b, "PS100095", i == 0 ? "\\\\A\\" : i == 1 ? "\\\\B\\" : "\\\\C\\", "");
    }
    SB(&b, "]}");
    for (int only = 0; only <= 1; only++) {
        tx_init(&x, &sd_table_content, "combined.json");
        x.d.class_only = only;
        x.d.max_rows = 3;
        assert_int_equal(tx_str(&x, b.s), 0);
        assert_int_equal(x.rows.n, 3);
        tx_fini(&x);
        tx_init(&x, &sd_table_dp, "combined.json");
        x.d.class_only = only;
        x.d.max_rows = 9;
        assert_int_equal(tx_str(&x, b.s), -1);
        assert_error(&x, "more than 9 rows (maxRows 9)");
        assert_int_equal(x.rows.n, 0);
        x.d.max_rows = 10;
        assert_int_equal(tx_str(&x, b.s), 0);
        assert_int_equal(x.rows.n, 10);
        tx_fini(&x);
    }
    sb_free(&b);
}

/* ---- shared strings ----------------------------------------------------------------- */

#define NPKG 200
#define NDP 50

static void pkg_name(char *buf, size_t n, unsigned p)
{
    snprintf(buf, n, "PS1%05X", p);
}

static void dp_name(char *buf, size_t n, unsigned d)
{
    snprintf(buf, n, "dp%04u.site%u.corp.example", d, d % 3);
}

/* 10,000 rows over 50 DPs and 200 contents: each distinct string is stored
 * once, so the arena holds a few KB where the strings of the rows take
 * hundreds; and every row reads back its own. */
static void test_shared_strings(void **state)
{
    char pkg[16], dp[64], nal[200];
    size_t distinct = 3, plain = 0;     /* "PS1" */
    struct sb b = { 0 };
    struct tx x;
    struct sd_snapshot *s;

    (void)state;
    SB(&b, "{\"SMS_PackageStatusDistPointsSummarizer\": [\n");
    for (unsigned p = 0; p < NPKG; p++) {
        pkg_name(pkg, sizeof(pkg), p);
        distinct += strlen(pkg);        /* PackageID and SecureObjectID: one string */
        for (unsigned d = 0; d < NDP; d++) {
            dp_name(dp, sizeof(dp), d);
            snprintf(nal, sizeof(nal), NAL_RAW("%s"), dp, dp);
            if (p || d)
                SB(&b, ",\n");
            sb_printf(&b, "{\"PackageID\": \"%s\", \"ServerNALPath\": ", pkg);
            sb_json_str(&b, nal, strlen(nal));
            sb_printf(&b, ", \"SiteCode\": \"PS1\", \"State\": %u, \"PackageType\": 0, "
                          "\"SourceVersion\": %u, \"SecureObjectID\": \"%s\"}",
                      (p + d) % 9, p * NDP + d, pkg);
            plain += 2 * strlen(pkg) + strlen(dp) + 3;
        }
    }
    for (unsigned d = 0; d < NDP; d++) {
        dp_name(dp, sizeof(dp), d);
        distinct += strlen(dp);
    }
    SB(&b, "]}");
    tx_init(&x, &sd_table_content, "big.json");
    x.d.class_only = true;
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.rows.n, NPKG * NDP);
    assert_int_equal(x.d.rejected, 0);
    /* each distinct string once: 2,853 bytes, where the rows' strings take 440,000 */
    assert_int_equal(distinct, 2853);
    assert_int_equal(plain, 440000);
    if (x.rows.arena_len != distinct)
        fail_msg("arena %zu bytes for %zu bytes of distinct strings (%zu unshared)",
                 x.rows.arena_len, distinct, plain);
    for (unsigned p = 0; p < NPKG; p++) {
        pkg_name(pkg, sizeof(pkg), p);
        for (unsigned d = 0; d < NDP; d++) {
            size_t i = p * NDP + d;

            dp_name(dp, sizeof(dp), d);
            check_content(&x.rows, i, &(struct cw){ pkg, dp, "PS1", (p + d) % 9, 0, (uint32_t)i,
                                                    NULL, NULL, pkg, (uint32_t)i + 1 });
        }
    }
    /* and as served: sorted, unique, a walk under one PackageID lists its 50 DPs */
    s = build(&x.rows, &x.msgs, 0, "big.json");
    assert_int_equal(sd_snapshot_count(s), NPKG * NDP);
    assert_int_equal(s->duplicates, 0);
    {
        unsigned long idx[16];
        size_t i;

        pkg_name(pkg, sizeof(pkg), 77);
        idx[0] = 8;
        for (size_t k = 0; k < 8; k++)
            idx[1 + k] = (unsigned char)pkg[k];
        i = sd_snapshot_next(s, idx, 9);
        for (unsigned d = 0; d < NDP; d++, i++)
            want_str(&s->rows, i, SD_CCOL_PACKAGEID, pkg);
        pkg_name(pkg, sizeof(pkg), 78);
        want_str(&s->rows, i, SD_CCOL_PACKAGEID, pkg);
    }
    sd_snapshot_free(s);
    tx_fini(&x);
    sb_free(&b);
}

struct crow {
    const char *pkg, *server, *site, *secure;
};

static void content_doc(struct sb *b, const struct crow *rows, size_t n)
{
    SB(b, "[");
    for (size_t i = 0; i < n; i++) {
        char nal[300];
        char more[300];

        snprintf(nal, sizeof(nal), "\\\\%s\\", rows[i].server);
        snprintf(more, sizeof(more), "\"SiteCode\": \"%s\", \"SecureObjectID\": \"%s\"",
                 rows[i].site, rows[i].secure);
        if (i)
            SB(b, ",\n");
        content_elem(b, rows[i].pkg, nal, more);
    }
    SB(b, "]");
}

static void check_crows(const struct sd_rows *r, size_t first, const struct crow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        want_str(r, first + i, SD_CCOL_PACKAGEID, rows[i].pkg);
        want_server(r, first + i, SD_CCOL_SERVER, rows[i].server);
        want_str(r, first + i, SD_CCOL_SITECODE, rows[i].site);
        want_str(r, first + i, SD_CCOL_SECUREOBJECTID, rows[i].secure);
    }
}

/*
 * Shared strings and the rollback rule: a refused document sets arena_len
 * back, and the strings it added are gone; what it found already stored
 * must stay right, and what comes next (with strings of the same lengths,
 * landing where the refused ones were) must not be taken for them.
 */
static void test_shared_strings_rollback(void **state)
{
    static const struct crow doc1[] = {
        { "PS100001", "DP01", "PS1", "PS100001" },
        { "PS100002", "DP01", "PS1", "PS100002" },
        { "PS100001", "DP02", "PS1", "PS100001" },
    };
    /* new strings (X...), and doc1's */
    static const struct crow doc2[] = {
        { "PSX00001", "DPX1", "XX1", "SECX0001" },
        { "PS100001", "DPX2", "PS1", "PS100002" },
        { "PSX00002", "DP01", "XX2", "PSX00001" },
    };
    /* first strings of the same lengths as doc2's (Y...), where doc2's were;
     * then doc2's strings again, and doc1's */
    static const struct crow doc3[] = {
        { "PSY00001", "DPY1", "YY1", "SECY0001" },
        { "PSY00002", "DPY2", "YY2", "PSY00001" },
        { "PSX00001", "DPX1", "XX1", "SECX0001" },
        { "PSX00002", "DPX2", "XX2", "PSX00001" },
        { "PS100002", "DP02", "PS1", "PS100001" },
        { "PSY00001", "DPX1", "", "" },
    };
    struct sb b = { 0 };
    struct tx x;
    size_t n1, a1;

    (void)state;
    tx_init(&x, &sd_table_content, "content.json");
    content_doc(&b, doc1, 3);
    assert_int_equal(tx_str(&x, b.s), 0);
    n1 = x.rows.n;
    a1 = x.rows.arena_len;
    assert_int_equal(n1, 3);
    assert_int_equal(a1, 8 + 8 + 4 + 4 + 3);
    sb_free(&b);

    /* a JSON syntax error at the very end: refused, and taken back whole */
    content_doc(&b, doc2, 3);
    b.s[b.len - 1] = ',';               /* "[...}," and the end */
    assert_int_equal(tx_str(&x, b.s), -1);
    assert_error(&x, "JSON error at line 3, column 156: premature end of input");
    assert_int_equal(x.rows.n, n1);
    assert_int_equal(x.rows.arena_len, a1);
    assert_int_equal(x.d.rows_seen, 3);
    assert_int_equal(x.msgs.n, 0);
    check_crows(&x.rows, 0, doc1, 3);
    sb_free(&b);

    /* a good third one into the same rows */
    content_doc(&b, doc3, 6);
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.rows.n, n1 + 6);
    check_crows(&x.rows, 0, doc1, 3);
    check_crows(&x.rows, n1, doc3, 6);
    /* each new string once: PSY00001 PSY00002 PSX00001 PSX00002 SECY0001
     * SECX0001 (8), DPY1 DPY2 DPX1 DPX2 (4), YY1 YY2 XX1 XX2 (3) */
    assert_int_equal(x.rows.arena_len, a1 + 6 * 8 + 4 * 4 + 4 * 3);
    sb_free(&b);

    /* rows rejected half-way (their strings taken back one row at a time),
     * then the same strings in good rows */
    SB(&b, "[");
    content_elem(&b, "PSZ00001", "\\\\DPZ1\\", "\"SiteCode\": \"ZZ1\", \"State\": -1");
    SB(&b, ",");
    content_elem(&b, "PSW00001", "\\\\DPW1\\", "\"SiteCode\": \"WW1\"");
    SB(&b, ",");
    content_elem(&b, "PSZ00001", "\\\\DPZ1\\", "\"SiteCode\": \"ZZ12\"");
    SB(&b, ",");
    content_elem(&b, "PSZ00001", "\\\\DPZ1\\", "\"SiteCode\": \"ZZ1\"");
    SB(&b, "]");
    assert_int_equal(tx_str(&x, b.s), 0);
    assert_int_equal(x.d.rejected, 2);
    assert_int_equal(x.rows.n, n1 + 6 + 2);
    check_crows(&x.rows, 0, doc1, 3);
    check_crows(&x.rows, n1, doc3, 6);
    check_crows(&x.rows, n1 + 6, (const struct crow[]){ { "PSW00001", "DPW1", "WW1", "" },
                                                         { "PSZ00001", "DPZ1", "ZZ1", "" } }, 2);
    sb_free(&b);

    /* CSV does not take back a refused document: the caller does, by the
     * same rule (rows.n and arena_len set back) */
    {
        size_t n = x.rows.n, a = x.rows.arena_len;

        assert_int_equal(tx_str(&x, "PackageID,ServerNALPath,SiteCode,State,PackageType,"
                                    "SourceVersion\r\n"
                                    "PSV00001,\\\\DPV1\\,VV1,0,0,1\r\n"
                                    "PSV00002,\\\\DPV2\\,\"VV2,0,0,1\r\n"), -1);
        x.rows.n = n;
        x.rows.arena_len = a;
        assert_int_equal(tx_str(&x, "PackageID,ServerNALPath,SiteCode,State,PackageType,"
                                    "SourceVersion,SecureObjectID\r\n"
                                    "PSU00001,\\\\DPU1\\,UU1,0,0,1,PSV00001\r\n"
                                    "PSV00001,\\\\DPV1\\,VV1,0,0,1,PSU00001\r\n"), 0);
        check_crows(&x.rows, n, (const struct crow[]){ { "PSU00001", "DPU1", "UU1", "PSV00001" },
                                                      { "PSV00001", "DPV1", "VV1", "PSU00001" } },
                    2);
        check_crows(&x.rows, 0, doc1, 3);
        check_crows(&x.rows, n1, doc3, 6);
    }
    tx_fini(&x);
}

/* Enough distinct strings that the shared-string set grows, while a
 * refused document has left dead entries in it. */
static void many_rows(struct sb *b, char tag, unsigned from, unsigned n, bool close)
{
    SB(b, "{\"SMS_PackageStatusDistPointsSummarizer\": [\n");
    for (unsigned i = 0; i < n; i++) {
        unsigned k = from + i;

        sb_printf(b, "%s{\"PackageID\": \"P%c%06u\", \"ServerNALPath\": "
                     "\"\\\\\\\\dp%c%u\\\\\", \"State\": 0, \"PackageType\": 0, "
                     "\"SourceVersion\": %u, \"SecureObjectID\": \"S%c%06u\"}",
                  i ? ",\n" : "", tag, k, tag, k % 700, k, tag, k);
    }
    if (close)
        SB(b, "]}");
    else
        SB(b, "],");               /* and the end: refused */
}

static void check_many(const struct sd_rows *r, size_t first, char tag, unsigned from, unsigned n)
{
    char pkg[16], dp[16], sec[16];

    for (unsigned i = 0; i < n; i++) {
        unsigned k = from + i;

        snprintf(pkg, sizeof(pkg), "P%c%06u", tag, k);
        snprintf(dp, sizeof(dp), "dp%c%u", tag, k % 700);
        snprintf(sec, sizeof(sec), "S%c%06u", tag, k);
        want_str(r, first + i, SD_CCOL_PACKAGEID, pkg);
        want_server(r, first + i, SD_CCOL_SERVER, dp);
        want_str(r, first + i, SD_CCOL_SECUREOBJECTID, sec);
        want_u32(r, first + i, SD_CCOL_SOURCEVERSION, k);
    }
}

static void test_shared_strings_grow(void **state)
{
    struct sb b = { 0 };
    struct tx x;
    size_t a1;

    (void)state;
    tx_init(&x, &sd_table_content, "content.json");
    x.d.class_only = true;
    many_rows(&b, 'A', 0, 3000, true);
    assert_int_equal(tx_str(&x, b.s), 0);
    a1 = x.rows.arena_len;
    sb_free(&b);
    /* 5,700 new strings, then refused at the very end */
    many_rows(&b, 'B', 0, 5000, false);
    assert_int_equal(tx_str(&x, b.s), -1);
    assert_int_equal(x.rows.n, 3000);
    assert_int_equal(x.rows.arena_len, a1);
    sb_free(&b);
    /* C's strings land where B's were; then B's again, in another order */
    many_rows(&b, 'C', 0, 4000, true);
    assert_int_equal(tx_str(&x, b.s), 0);
    sb_free(&b);
    many_rows(&b, 'B', 2500, 2500, true);
    assert_int_equal(tx_str(&x, b.s), 0);
    sb_free(&b);
    many_rows(&b, 'B', 0, 2500, true);
    assert_int_equal(tx_str(&x, b.s), 0);
    sb_free(&b);
    many_rows(&b, 'A', 0, 3000, true);
    assert_int_equal(tx_str(&x, b.s), 0);
    sb_free(&b);
    assert_int_equal(x.rows.n, 3000 + 4000 + 5000 + 3000);
    check_many(&x.rows, 0, 'A', 0, 3000);
    check_many(&x.rows, 3000, 'C', 0, 4000);
    check_many(&x.rows, 7000, 'B', 2500, 2500);
    check_many(&x.rows, 9500, 'B', 0, 2500);
    check_many(&x.rows, 12000, 'A', 0, 3000);
    tx_fini(&x);
}

/* ---- the descriptions ---------------------------------------------------------------- */

/* What a row's bytes are for: no two columns (nor seq) share one. */
static void mark(uint8_t *owner, const struct sd_table *t, size_t off, size_t len, uint8_t who)
{
    assert_true(off + len <= t->row_size);
    for (size_t i = off; i < off + len; i++) {
        if (owner[i])
            fail_msg("%s: byte %zu of the row is column %u's and column %u's", t->name, i,
                     owner[i] - 1u, who - 1u);
        owner[i] = who;
    }
}

/* More than test_table.c's check_description (which covers these tables
 * too), for tables with strings in the index. */
static void check_description_more(const struct sd_table *t, unsigned arc, unsigned nindex_cols,
                                   unsigned newest_mib)
{
    uint8_t owner[256] = { 0 };
    char select[512] = "";
    bool used[SD_MAX_PROPS] = { false };

    assert_true(t->row_size <= sizeof(owner));
    assert_int_equal(t->arc, arc);
    assert_int_equal(t->nindex, nindex_cols);
    assert_null(t->key_cmp);
    assert_null(t->index_cmp);
    mark(owner, t, t->seq_off, 4, 0xff);
    for (size_t k = 0; k < t->ncols; k++) {
        const struct sd_coldef *c = &t->cols[k];
        uint8_t who = (uint8_t)(c->mib + 1);

        used[c->prop] = true;
        switch (c->kind) {
        case SD_K_STRING:
        case SD_K_NALSERVER:
            mark(owner, t, c->off, 4, who);
            mark(owner, t, c->aux, 1, who);
            assert_int_equal(c->smi, SD_SMI_OCTETS);
            assert_true(c->max >= 1 && c->max <= SD_DISPLAYSTRING_MAX);
            /* a shared string's length must not be the free-slot marker */
            if (c->flags & SD_C_SHARED)
                assert_true(c->max < 255);
            break;
        case SD_K_UINT:
            mark(owner, t, c->off, 4, who);
            assert_true(c->smi == SD_SMI_INTEGER ? c->max <= 2147483647u
                                                 : c->smi == SD_SMI_GAUGE);
            assert_false(c->flags & SD_C_SHARED);
            break;
        case SD_K_DATE:
            mark(owner, t, c->off, SD_DATEANDTIME_LEN, who);
            mark(owner, t, c->aux, 1, who);
            assert_int_equal(c->smi, SD_SMI_OCTETS);
            break;
        case SD_K_BOOL:
            mark(owner, t, c->off, 1, who);
            assert_int_equal(c->smi, SD_SMI_INTEGER);
            break;
        default:
            fail_msg("%s: column %u of an unknown kind", t->name, c->mib);
        }
        if (c->flags & SD_C_INDEX) {
            /* not-accessible, before the accessible ones; required, never empty */
            assert_true(c->mib < t->first_col);
            assert_true((c->flags & (SD_C_REQUIRED | SD_C_NONEMPTY)) ==
                        (SD_C_REQUIRED | SD_C_NONEMPTY));
        }
    }
    for (size_t k = 0; k < t->nindex; k++)
        assert_int_equal(t->cols[t->index[k]].mib, k + 1);
    for (size_t i = 0; i < t->nprops; i++) {
        assert_true(used[i]);
        assert_int_equal(sd_table_prop(t, t->props[i], strlen(t->props[i])), (int)i);
        if (i)
            strcat(select, ",");
        strcat(select, t->props[i]);
    }
    /* AdminService is asked for exactly the properties a decoder collects */
    assert_string_equal(t->select, select);
    /* a lone object is a record when it has the first index part's property */
    assert_int_equal(t->cols[t->index[0]].prop, t->key_prop);
    assert_int_equal(t->cols[t->newest].mib, newest_mib);
    for (size_t k = 0; k < t->n_notif_cols; k++) {
        const struct sd_coldef *c = sd_table_column(t, t->notif_cols[k]);

        assert_non_null(c);
        assert_true(c->mib >= t->first_col && c->mib <= t->last_col);
    }
    assert_true(t->notif_entered && t->notif_left && t->notif_entered != t->notif_left);
}

static void test_descriptions(void **state)
{
    (void)state;
    check_description_more(&sd_table_dp, SD_ARC_DP_TABLE, 1, SD_DPCOL_LASTSTATUSTIME);
    check_description_more(&sd_table_content, SD_ARC_CONTENT_TABLE, 2, SD_CCOL_SUMMARYDATE);
    /* the contract's numbers: index sizes and the WMI class names */
    assert_int_equal(sd_table_dp.max_index, 1 + 100);
    assert_int_equal(sd_table_content.max_index, 1 + 8 + 1 + 100);
    assert_int_equal(SD_OID_COLUMN_PREFIX_LEN + sd_table_content.max_index, 124);
    assert_string_equal(sd_table_dp.wmi_class, "SMS_DPStatusInfo");
    assert_string_equal(sd_table_content.wmi_class, "SMS_PackageStatusDistPointsSummarizer");
    assert_int_equal(sd_table_dp.first_col, SD_DPCOL_NAME);
    assert_int_equal(sd_table_dp.last_col, SD_DPCOL_VERSION);
    assert_int_equal(sd_table_content.first_col, SD_CCOL_SITECODE);
    assert_int_equal(sd_table_content.last_col, SD_CCOL_SECUREOBJECTID);
    assert_int_equal(sd_table_column(&sd_table_content, SD_CCOL_PACKAGEID)->max, 8);
    assert_int_equal(sd_table_column(&sd_table_content, SD_CCOL_SITECODE)->max, 3);
    assert_int_equal(sd_table_column(&sd_table_content, SD_CCOL_SECUREOBJECTID)->max, 112);
    assert_int_equal(sd_table_column(&sd_table_dp, SD_DPCOL_SERVER)->max, 100);
}

/* ---- index search -------------------------------------------------------------------- */

/* Content rows whose PackageIDs and DP names collide in length and prefix. */
static void index_rows(struct tx *x, const struct sd_table *t)
{
    static const char *const pkgs[] = { "PS100095", "PS10009", "PS100096", "A", "PS10009A",
                                        "PS100094", "~~~~~~~~", "PS100095" };
    static const char *const dps[] = { "DP01", "DP1", "dp01.corp.example", "Z", "DP01 ", "~",
                                       "DP02" };
    struct sb b = { 0 };
    bool first = true;

    SB(&b, "[");
    for (size_t p = 0; p < sizeof(pkgs) / sizeof(pkgs[0]); p++) {
        for (size_t d = 0; d < sizeof(dps) / sizeof(dps[0]); d++) {
            char nal[128];

            if ((p + d) % 3 == 0 && strcmp(pkgs[p], "PS100095") != 0)
                continue;               /* not every content on every DP */
            snprintf(nal, sizeof(nal), "\\\\%s\\", dps[d]);
            if (!first)
                SB(&b, ",");
            first = false;
            if (t == &sd_table_dp) {
                char name[80];

                snprintf(name, sizeof(name), "%s%s", pkgs[p], dps[d]);
                snprintf(nal, sizeof(nal), "\\\\%s\\", name);
                dp_elem(&b, nal, "");
            } else {
                content_elem(&b, pkgs[p], nal, "");
            }
        }
    }
    SB(&b, "]");
    tx_init(x, t, "index.json");
    assert_int_equal(tx_str(x, b.s), 0);
    assert_int_equal(x->d.rejected, 0);
    sb_free(&b);
}

static void index_round_trip(const struct sd_table *t)
{
    struct tx x;
    unsigned long idx[128 + 2];

    index_rows(&x, t);
    assert_true(x.rows.n > 20);
    for (size_t j = 0; j < x.rows.n; j++) {
        const void *rj = sd_rows_at(&x.rows, j);
        size_t n = sd_rows_index(&x.rows, rj, idx);

        assert_true(n <= t->max_index);
        /* the index is its parts, each string as {length, octets} */
        {
            size_t p = 0;

            for (size_t k = 0; k < t->nindex; k++) {
                size_t len;
                const char *s = sd_row_str(&x.rows, rj, &t->cols[t->index[k]], &len);

                assert_int_equal(idx[p++], len);
                for (size_t i = 0; i < len; i++)
                    assert_int_equal(idx[p++], (unsigned char)s[i]);
            }
            assert_int_equal(p, n);
        }
        assert_int_equal(sd_rows_index_cmp_any(&x.rows, rj, idx, n), 0);
        assert_int_equal(sd_rows_index_cmp(&x.rows, rj, idx, n), 0);
        idx[n] = 0;                     /* one sub-identifier past the index */
        assert_true(sd_rows_index_cmp_any(&x.rows, rj, idx, n + 1) < 0);
        for (size_t m = 0; m < n; m++)  /* every prefix sorts first */
            assert_true(sd_rows_index_cmp_any(&x.rows, rj, idx, m) > 0);
        /* against every row, the index order is the key order */
        for (size_t i = 0; i < x.rows.n; i++) {
            const void *ri = sd_rows_at(&x.rows, i);

            assert_int_equal(sign(sd_rows_index_cmp_any(&x.rows, ri, idx, n)),
                             sign(sd_rows_key_cmp_any(&x.rows, ri, &x.rows, rj)));
            assert_int_equal(sign(sd_rows_index_cmp(&x.rows, ri, idx, n)),
                             sign(sd_rows_key_cmp(&x.rows, ri, &x.rows, rj)));
        }
    }
    /* served: every row found by its index, and the next of each is the one after */
    {
        struct sd_snapshot *s = build(&x.rows, &x.msgs, 0, "index.json");
        size_t hint = 0;

        for (size_t i = 0; i < sd_snapshot_count(s); i++) {
            size_t n = sd_snapshot_index(s, i, idx);

            assert_int_equal(sd_snapshot_find(s, idx, n), (long)i);
            assert_int_equal(sd_snapshot_next(s, idx, n), i + 1);
            assert_int_equal(sd_snapshot_next_hint(s, idx, n, &hint), i + 1);
            if (i)
                assert_true(sd_rows_key_cmp_any(&s->rows, sd_rows_at(&s->rows, i - 1),
                                                &s->rows, sd_rows_at(&s->rows, i)) < 0);
        }
        sd_snapshot_free(s);
    }
    tx_fini(&x);
}

static void test_index_round_trip(void **state)
{
    (void)state;
    index_round_trip(&sd_table_dp);
    index_round_trip(&sd_table_content);
}

/* smsDistContentDPState.8.80.83.49.48.48.48.57.53: a walk under one
 * PackageID lists exactly its DPs. */
static void test_content_prefix_walk(void **state)
{
    static const unsigned long prefix[] = { 8, 'P', 'S', '1', '0', '0', '0', '9', '5' };
    static const char *const want[] = { "Z", "~", "DP1", "DP01", "DP02", "DP01 ",
                                        "dp01.corp.example" };
    struct tx x;
    struct sd_snapshot *s;
    size_t i, first, n = 0;

    (void)state;
    index_rows(&x, &sd_table_content);
    s = build(&x.rows, &x.msgs, 0, "index.json");
    /* PS100095 is in the document twice on each DP: one row each */
    assert_int_equal(s->duplicates, 7);
    for (i = 0; i < sd_snapshot_count(s); i++) {
        size_t len;
        const char *pkg = sd_row_str(&s->rows, sd_rows_at(&s->rows, i),
                                     sd_table_column(&sd_table_content, SD_CCOL_PACKAGEID),
                                     &len);
        int c = sd_snapshot_index_cmp(s, i, prefix, 9);

        if (len == 8 && memcmp(pkg, "PS100095", 8) == 0)
            assert_true(c > 0);         /* the prefix ends inside the row's index */
        else if (len < 8 || (len == 8 && memcmp(pkg, "PS100095", 8) < 0))
            assert_true(c < 0);
        else
            assert_true(c > 0);
    }
    first = sd_snapshot_next(s, prefix, 9);
    assert_true(first < sd_snapshot_count(s));
    assert_true(first == 0 || sd_snapshot_index_cmp(s, first - 1, prefix, 9) < 0);
    assert_int_equal(sd_snapshot_find(s, prefix, 9), -1);
    for (i = first; i < sd_snapshot_count(s); i++) {
        unsigned long idx[128];
        size_t len = sd_snapshot_index(s, i, idx);

        if (len < 9 || memcmp(idx, prefix, sizeof(prefix)) != 0)
            break;
        assert_true(n < sizeof(want) / sizeof(want[0]));
        want_str(&s->rows, i, SD_CCOL_PACKAGEID, "PS100095");
        want_server(&s->rows, i, SD_CCOL_SERVER, want[n]);
        n++;
    }
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    want_str(&s->rows, i, SD_CCOL_PACKAGEID, "PS100096");
    sd_snapshot_free(s);
    tx_fini(&x);
}

/* ---- hostile per-DP input ------------------------------------------------------------- */

/* combined-hostile.json: the status array is good, each per-DP row but the
 * first is bad in one way (tests/data/tables/README.md). */
static void test_hostile_combined(void **state)
{
    static const char *const dp_bad[] = {
        "row 2: NALPath: byte 0x00 at offset 4 is not printable ASCII "
            "(\"\\\\\\\\DP\\x0002\\\\\"); row skipped",
        NULL,   /* the 10 kB NALPath: test_dp_nalpath_limit_message */
        "row 4: NumberErrors: out of range 0..4294967295 (4294967296); row skipped",
        "row 5: NumberErrors: out of range 0..4294967295 "
            "(\"123456789012345678901234567890\"); row skipped",
        "row 6: IsPXE: not true or false (7); row skipped",
        "row 7: NALPath: server name of 101 characters, an index holds at most 100 "
            "(\"\\\\\\\\AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\"); row skipped",
        "row 8: LastStatusTime: no UTC offset (local time): set sourceTimeZone "
            "(\"2026-11-20T08:15:00\"); row skipped",
    };
    static const char *const content_bad[] = {
        "row 2: PackageID: byte 0x00 at offset 3 is not printable ASCII (\"PS1\\x00\"); "
            "row skipped",
        "row 3: SiteCode: byte 0x1b at offset 0 is not printable ASCII (\"\\x1b[2J\"); "
            "row skipped",
        "row 4: State: object or array, not a number; row skipped",
    };
    struct tx x;
    char line[1024];

    (void)state;
    for (int only = 0; only <= 1; only++) {
        tx_init(&x, &sd_table_dp, "combined-hostile.json");
        x.d.class_only = only;
        assert_int_equal(tx_file(&x, "combined-hostile.json"), 0);
        assert_int_equal(x.d.rows_seen, 8);
        assert_int_equal(x.d.rejected, 7);
        assert_int_equal(x.msgs.n, 7);
        for (size_t i = 0; i < 7; i++) {
            assert_printable(x.msgs.v[i].text);
            if (!dp_bad[i])
                continue;
            snprintf(line, sizeof(line), "combined-hostile.json: %s", dp_bad[i]);
            assert_string_equal(x.msgs.v[i].text, line);
        }
        assert_int_equal(x.rows.n, 1);
        want_server(&x.rows, 0, SD_DPCOL_SERVER, "DP01.corp.example");
        tx_fini(&x);

        tx_init(&x, &sd_table_content, "combined-hostile.json");
        x.d.class_only = only;
        assert_int_equal(tx_file(&x, "combined-hostile.json"), 0);
        assert_msgs(&x, content_bad, 3);
        assert_int_equal(x.rows.n, 1);
        tx_fini(&x);

        /* and the main table serves its array, whatever the others hold */
        tx_init(&x, &sd_table_status, "combined-hostile.json");
        x.d.class_only = only;
        assert_int_equal(tx_file(&x, "combined-hostile.json"), 0);
        assert_int_equal(x.rows.n, 1);
        assert_int_equal(x.msgs.n, 0);
        tx_fini(&x);
    }
}

/* Raw bytes a JSON string cannot hold, and numbers no decoder holds,
 * refuse the document; the reason is printable and nothing is kept. */
static void test_hostile_documents(void **state)
{
    static const char nul_raw[] = "{\"SMS_DPStatusInfo\": [{\"NALPath\": "
                                  "\"\\\\\\\\DP\0" "01\\\\\", " DP_NUMBERS "}]}";
    static const char huge[] = "{\"SMS_DPStatusInfo\": [{\"NALPath\": \"\\\\\\\\DP01\\\\\", "
                               "\"MessageState\": 1, \"NumberErrors\": 99999999999999999999, "
                               "\"NumberInProgress\": 0, \"NumberInstalled\": 0, "
                               "\"NumberUnknown\": 0}]}";
    struct tx x;

    (void)state;
    tx_init(&x, &sd_table_dp, "combined.json");
    x.d.class_only = true;
    assert_int_equal(tx_decode(&x, nul_raw, sizeof(nul_raw) - 1), -1);
    assert_error(&x, "JSON error at line 1, column 41: invalid character inside string");
    assert_int_equal(x.rows.n, 0);
    assert_int_equal(tx_str(&x, huge), -1);
    assert_error(&x, "JSON error at line 1, column 103: too big integer");
    assert_int_equal(x.rows.n, 0);
    assert_int_equal(x.rows.arena_len, 0);
    assert_int_equal(x.d.rows_seen, 0);
    tx_fini(&x);

    /* CSV has no encoding check: a raw NUL in a NAL path is a bad row */
    tx_init(&x, &sd_table_dp, "dp.csv");
    {
        static const char csv[] = "NALPath,MessageState,NumberErrors,NumberInProgress,"
                                  "NumberInstalled,NumberUnknown\r\n"
                                  "\"\\\\DP\0" "01\\\",1,0,0,0,0\r\n"
                                  "\"\\\\DP02\\\",1,0,0,0,0\r\n";

        assert_int_equal(tx_decode(&x, csv, sizeof(csv) - 1), 0);
        assert_msgs(&x, (const char *const[]){
                            "row 1: NALPath: byte 0x00 at offset 4 is not printable ASCII "
                            "(\"\\\\\\\\DP\\x0001\\\\\"); row skipped" }, 1);
        assert_int_equal(x.rows.n, 1);
        want_server(&x.rows, 0, SD_DPCOL_SERVER, "DP02");
    }
    tx_fini(&x);
}

/* A row's values as written, for comparing two decodes. */
static void assert_same_rows(const struct sd_rows *a, const struct sd_rows *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        if (!sd_rows_same(a, sd_rows_at(a, i), b, sd_rows_at(b, i)))
            fail_msg("%s: row %zu differs", a->t->name, i);
        assert_int_equal(sd_row_u32(sd_rows_at(a, i), a->t->seq_off),
                         sd_row_u32(sd_rows_at(b, i), b->t->seq_off));
    }
}

/* The combined export as Windows PowerShell 5.1 writes it (UTF-16LE with a
 * BOM), and in UTF-16BE: the same rows as the UTF-8 text, in each table. */
static void test_hostile_utf16(void **state)
{
    const struct sd_table *tables[] = { &sd_table_status, &sd_table_dp, &sd_table_content };
    char path[1024];
    size_t len, blen;
    char *utf8, *be;

    (void)state;
    snprintf(path, sizeof(path), "%s/combined-small.json", TABLES_DIR);
    utf8 = fx_load_path(path, &len);
    be = malloc(2 * len + 2);
    assert_non_null(be);
    be[0] = (char)0xfe;
    be[1] = (char)0xff;
    for (size_t i = 0; i < len; i++) {
        be[2 + 2 * i] = 0;
        be[3 + 2 * i] = utf8[i];
    }
    blen = 2 * len + 2;
    for (size_t k = 0; k < 3; k++) {
        for (int only = 0; only <= 1; only++) {
            struct tx a, le, b;

            tx_init(&a, tables[k], "combined.json");
            tx_init(&le, tables[k], "combined.json");
            tx_init(&b, tables[k], "combined.json");
            a.d.class_only = le.d.class_only = b.d.class_only = only;
            assert_int_equal(tx_decode(&a, utf8, len), 0);
            assert_int_equal(tx_file(&le, "combined-utf16le.json"), 0);
            assert_int_equal(tx_decode(&b, be, blen), 0);
            assert_int_equal(a.rows.n, k == 0 ? 1 : k == 1 ? 2 : 3);
            assert_int_equal(a.d.rejected, 0);
            assert_same_rows(&a.rows, &le.rows);
            assert_same_rows(&a.rows, &b.rows);
            tx_fini(&a);
            tx_fini(&le);
            tx_fini(&b);
        }
    }
    /* UTF-16 without a BOM is refused, not guessed */
    {
        struct tx x;

        tx_init(&x, &sd_table_dp, "combined.json");
        x.d.class_only = true;
        assert_int_equal(tx_decode(&x, be + 2, blen - 2), -1);
        assert_printable(x.d.error);
        assert_int_equal(x.rows.n, 0);
        tx_fini(&x);
    }
    free(be);
    free(utf8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dp_json_rows),
        cmocka_unit_test(test_content_json_rows),
        cmocka_unit_test(test_csv_rows),
        cmocka_unit_test(test_nal_server),
        cmocka_unit_test(test_truth_values),
        cmocka_unit_test(test_content_limits),
        cmocka_unit_test(test_dp_limits),
        cmocka_unit_test(test_dp_nalpath_limit_message),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_combined_each_table_its_array),
        cmocka_unit_test(test_combined_generated),
        cmocka_unit_test(test_class_only),
        cmocka_unit_test(test_class_key_twice),
        cmocka_unit_test(test_row_cap),
        cmocka_unit_test(test_shared_strings),
        cmocka_unit_test(test_shared_strings_rollback),
        cmocka_unit_test(test_shared_strings_grow),
        cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_index_round_trip),
        cmocka_unit_test(test_content_prefix_walk),
        cmocka_unit_test(test_hostile_combined),
        cmocka_unit_test(test_hostile_documents),
        cmocka_unit_test(test_hostile_utf16),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
