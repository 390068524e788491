/*
 * test_decode_csv: CSV documents to rows (src/decode_csv.c) through the
 * validation path (src/decode.c).
 *
 * Export-Csv as Windows PowerShell and PowerShell 7 write it (#TYPE line,
 * CRLF, WMI system columns, reordered and re-cased headers, ';' from
 * -UseCulture), quoting (delimiters, quotes and newlines inside cells),
 * documents that must be refused (missing column, unterminated or misplaced
 * quotes, no header), rows of the wrong shape, and the row cap.
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

#define HEADER "\"ObjectID\",\"MessageCategory\",\"Assets\",\"LastUpdateDate\"," \
               "\"ObjectTypeID\",\"PackageID\",\"Type\"\r\n"

static int setup(void **state)
{
    return fx_setup(state, "export.csv");
}

static int teardown(void **state)
{
    return fx_teardown(state);
}

/* Get-WmiObject | Export-Csv in Windows PowerShell 5.1: #TYPE line, CRLF,
 * 20 system and .NET columns, quoted commas and quotes, DMTF dates, blank
 * lines at the end. */
static void test_export_wmi(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "export-wmi.csv"), 0);
    assert_int_equal(fx->d.rows_seen, 4);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->msgs.n, 0);
    assert_int_equal(fx->rows.n, 4);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ MODEL_NAME, 2, 3, 31, 2, "PS1000A2",
                                     DT(2026, 11, 20, 8, 15, 0, 1), 2 });
    fx_check_row(fx, 2, &(struct want){ "P01000F6", 3, 1, 23, 4, "P01000F6",
                                     DT(2027, 1, 1, 0, 30, 0, 0), 3 });
    fx_check_row(fx, 3, &(struct want){ "PS10012C", 3, 0, 24, 3, "", NULL, 4 });
}

static void test_reordered_columns_any_case(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "export-cim-reordered.csv"), 0);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->rows.n, 2);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ MODEL_NAME, 2, 3, 31, 2, "PS1000A2",
                                     DT(2026, 11, 20, 8, 15, 0, 5), 2 });
}

/* Export-Csv -UseCulture in a ';' locale, with a culture date in row 2. */
static void test_semicolons(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "export-semicolon.csv"), 0);
    assert_int_equal(fx->d.rows_seen, 3);
    assert_int_equal(fx->d.rejected, 1);
    assert_int_equal(fx->msgs.n, 1);
    assert_string_equal(fx->msgs.v[0].text,
                        "export.csv: row 2: LastUpdateDate: looks like a culture-dependent "
                        "local date: set sourceDateFormat (e.g. de-DE) and sourceTimeZone "
                        "(\"20.11.2026 08:15:00\"); row skipped");
    assert_int_equal(fx->rows.n, 2);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ "PS100097", 3, 1, 2, 2, "PS100097", NULL, 3 });
}

static void test_quoted_delimiters_and_newlines(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "quoted.csv"), 0);
    assert_int_equal(fx->d.rows_seen, 3);
    assert_int_equal(fx->rows.n, 2);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ "PS1,0096", 2, 3, 2, 2, "PS100096",
                                     DT(2026, 11, 20, 8, 16, 0, 0), 2 });
    assert_int_equal(fx->d.rejected, 1);
    assert_string_equal(fx->msgs.v[0].text,
                        "export.csv: row 3: ObjectID: byte 0x0d at offset 4 is not printable "
                        "ASCII (\"PS10\\x0d\\x0a0097\"); row skipped");
}

static void test_delimiter_sniffing(void **state)
{
    struct fx *fx = *state;

    /* ';' inside a quoted header name does not make the file ';'-separated */
    assert_int_equal(fx_decode_str(fx, "\"ObjectID\",\"MessageCategory\",\"Assets\",\"ObjectTypeID\","
                                    "\"Type\",\"Note;1\"\nPS100095,1,2,3,4,a;b\n"), 0);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 2, 3, 4, "", NULL, 1 });
    /* both outside quotes: ',' wins, so the header has one odd column */
    assert_int_equal(fx_decode_str(fx, "ObjectID,MessageCategory,Assets,ObjectTypeID,Type;Note\n"
                                    "PS100096,1,2,3,4\n"), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV header has no column Type");
    /* unquoted ';' file */
    assert_int_equal(fx_decode_str(fx, "ObjectID;MessageCategory;Assets;ObjectTypeID;Type\n"
                                    "PS100097;1;2;3;4\n"), 0);
    fx_check_row(fx, 1, &(struct want){ "PS100097", 1, 2, 3, 4, "", NULL, 1 });
}

/* Cells as written: unquoted, no newline at the end, blank and
 * white-space lines, empty cells, spaces kept (and so rejected). */
static void test_unquoted_cells_and_blank_lines(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_str(fx, "\r\n\r\n" HEADER "\r\n"
                                    "PS100095,1,12,,2,,1\r\n"
                                    "   \r\n"
                                    "\r\n"
                                    "PS100096, 5,12,,2,,1\r\n"
                                    "PS100097,,12,,2,,1\r\n"
                                    "PS100098,4294967295,0,2026-11-20T08:15:00Z,2,PS100098,3"), 0);
    assert_int_equal(fx->d.rows_seen, 4);
    assert_int_equal(fx->d.rejected, 2);
    assert_int_equal(fx->rows.n, 2);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "", NULL, 1 });
    fx_check_row(fx, 1, &(struct want){ "PS100098", 4294967295u, 0, 2, 3, "PS100098",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 4 });
    assert_string_equal(fx->msgs.v[0].text,
                        "export.csv: row 2: MessageCategory: spaces not allowed (\" 5\"); "
                        "row skipped");
    assert_string_equal(fx->msgs.v[1].text,
                        "export.csv: row 3: MessageCategory: null or empty; row skipped");
}

static void test_header_only(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "header-only.csv"), 0);
    assert_int_equal(fx->d.rows_seen, 0);
    assert_int_equal(fx->rows.n, 0);
}

static void test_missing_column(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "missing-column.csv"), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV header has no column MessageCategory");
    assert_int_equal(fx->rows.n, 0);
    /* the first missing one is named */
    assert_int_equal(fx_decode_str(fx, "\"Assets\",\"Type\"\r\n\"1\",\"1\"\r\n"), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV header has no column ObjectID");
    /* optional columns may be missing */
    assert_int_equal(fx_decode_str(fx, "Type,ObjectTypeID,Assets,MessageCategory,ObjectID\n"
                                    "1,2,3,4,PS100095\n"), 0);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 4, 3, 2, 1, "", NULL, 1 });
}

static void test_duplicate_column(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "duplicate-column.csv"), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV header has column ObjectID twice");
}

static void test_no_header(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "type-line-only.csv"), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV has no header");
    assert_int_equal(sd_decode_csv(&fx->d, "", 0), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV has no header");
}

static void test_field_count_mismatch(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "field-count.csv"), 0);
    assert_int_equal(fx->d.rows_seen, 4);
    assert_int_equal(fx->d.rejected, 2);
    assert_int_equal(fx->msgs.n, 2);
    assert_string_equal(fx->msgs.v[0].text,
                        "export.csv: row 2: has 5 fields, the header has 7; row skipped");
    assert_string_equal(fx->msgs.v[1].text,
                        "export.csv: row 3: has 8 fields, the header has 7; row skipped");
    assert_int_equal(fx->rows.n, 2);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ "PS100098", 2, 5, 2, 2, "PS100098",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 4 });
}

static void test_unterminated_quote(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "unterminated.csv"), -1);
    assert_string_equal(fx->d.error,
                        "export.csv: CSV error: unterminated quoted field at end of document");
}

static void test_misplaced_quote(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "misquoted.csv"), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV error at line 3: malformed quoted field");
    /* a quote inside an unquoted cell */
    assert_int_equal(fx_decode_str(fx, HEADER "PS10\"0095,1,2,,3,,4\r\n"), -1);
    assert_string_equal(fx->d.error, "export.csv: CSV error at line 2: malformed quoted field");
}

static void test_row_cap(void **state)
{
    struct fx *fx = *state;

    fx->d.max_rows = 3;
    assert_int_equal(fx_decode_file(fx, "export-wmi.csv"), -1);
    assert_string_equal(fx->d.error, "export.csv: more than 3 rows (maxRows 3)");
    sd_rows_fini(&fx->rows);
    fx->d.max_rows = 4;
    assert_int_equal(fx_decode_file(fx, "export-wmi.csv"), 0);
    assert_int_equal(fx->rows.n, 4);
}

/* Rows of the wrong shape count against the cap like any other. */
static void test_row_cap_counts_bad_shapes(void **state)
{
    struct fx *fx = *state;

    fx->d.max_rows = 2;
    assert_int_equal(fx_decode_file(fx, "field-count.csv"), -1);
    assert_string_equal(fx->d.error, "export.csv: more than 2 rows (maxRows 2)");
    assert_int_equal(fx->d.rows_seen, 2);
}

/* A document larger than the parser's chunk, with quoted newlines and
 * delimiters that straddle chunk boundaries somewhere. */
static void test_large_document(void **state)
{
    struct fx *fx = *state;
    const size_t nrows = 3000;
    size_t cap = 128 * nrows + 256, len;
    char *buf = malloc(cap);
    char oid[16];

    assert_non_null(buf);
    len = (size_t)snprintf(buf, cap, "%s", "\"ObjectID\",\"Note\",\"MessageCategory\",\"Assets\","
                                           "\"ObjectTypeID\",\"Type\"\r\n");
    for (size_t i = 1; i <= nrows; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "\"PS1%05zX\",\"line one, \"\"quoted\"\"\r\nline two\",\"%zu\","
                                "\"%zu\",\"2\",\"%zu\"\r\n", i, i, i * 7, i % 4 + 1);
    assert_true(len > 2 * 65536);
    assert_int_equal(sd_decode_document(&fx->d, buf, len), 0);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->rows.n, nrows);
    snprintf(oid, sizeof(oid), "PS1%05zX", nrows);
    fx_check_row(fx, nrows - 1, &(struct want){ oid, 3000, 21000, 2, 1, "", NULL, 3000 });
    /* the cap stops the parse early */
    sd_rows_fini(&fx->rows);
    fx->d.max_rows = 10;
    fx->d.rows_seen = 0;
    assert_int_equal(sd_decode_document(&fx->d, buf, len), -1);
    assert_string_equal(fx->d.error, "export.csv: more than 10 rows (maxRows 10)");
    assert_int_equal(fx->d.rows_seen, 10);
    free(buf);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_export_wmi),
        T(test_reordered_columns_any_case),
        T(test_semicolons),
        T(test_quoted_delimiters_and_newlines),
        T(test_delimiter_sniffing),
        T(test_unquoted_cells_and_blank_lines),
        T(test_header_only),
        T(test_missing_column),
        T(test_duplicate_column),
        T(test_no_header),
        T(test_field_count_mismatch),
        T(test_unterminated_quote),
        T(test_misplaced_quote),
        T(test_row_cap),
        T(test_row_cap_counts_bad_shapes),
        T(test_large_document),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
