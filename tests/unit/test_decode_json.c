/*
 * test_decode_json: JSON documents to rows (src/decode_json.c) through the
 * validation path (src/decode.c).
 *
 * The shapes real exports have (AdminService envelope with paging, plain
 * arrays from ConvertTo-Json, a lone unwrapped object, numbers as strings,
 * keys in any case, extra keys), every kind of bad row with its exact
 * message, documents that must be refused, and the row cap.
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

static int setup(void **state)
{
    return fx_setup(state, "export.json");
}

static int teardown(void **state)
{
    return fx_teardown(state);
}

static void test_adminservice_envelope(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "adminservice.json"), 0);
    assert_int_equal(fx->d.rows_seen, 4);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->msgs.n, 0);
    assert_null(fx->d.next_link);
    assert_int_equal(fx->rows.n, 4);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2024, 8, 30, 20, 55, 6, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ MODEL_NAME, 2, 3, 31, 2, "PS1000A2",
                                     DT(2024, 8, 30, 21, 2, 41, 5), 2 });
    fx_check_row(fx, 2, &(struct want){ "P01000F6", 3, 1, 23, 3, "P01000F6",
                                     DT(2024, 8, 30, 23, 30, 0, 0), 3 });
    fx_check_row(fx, 3, &(struct want){ "PS10012C", 3, 2, 24, 4, "", NULL, 4 });
}

static void test_adminservice_next_link(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "adminservice-page1.json"), 0);
    assert_int_equal(fx->rows.n, 2);
    assert_string_equal(fx->d.next_link,
                        "https://cm01.corp.contoso.com/AdminService/wmi/"
                        "SMS_DistributionStatus?$skiptoken=2");
    /* a second page replaces the link (the first copy must not leak) */
    fx->d.row_base = 2;
    assert_int_equal(fx_decode_str(fx, "{\"value\":[{\"ObjectID\":\"PS100097\",\"MessageCategory\":1,"
                                    "\"Assets\":1,\"ObjectTypeID\":2,\"Type\":1}],"
                                    "\"@odata.nextLink\":\"https://cm01/next3\"}"), 0);
    assert_string_equal(fx->d.next_link, "https://cm01/next3");
    fx_check_row(fx, 2, &(struct want){ "PS100097", 1, 1, 2, 1, "", NULL, 3 });
    /* the last page has no link: none may be left over from the one before */
    assert_int_equal(fx_decode_str(fx, "{\"value\":[]}"), 0);
    assert_null(fx->d.next_link);
}

static void test_next_link_null_ignored_and_non_string_refused(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_str(fx, "{\"value\":[],\"@odata.nextLink\":null}"), 0);
    assert_null(fx->d.next_link);
    assert_int_equal(fx_decode_str(fx, "{\"value\":[],\"@odata.nextLink\":5}"), -1);
    assert_string_equal(fx->d.error, "export.json: JSON \"@odata.nextLink\" is not a string");
}

static void test_plain_array_ps51(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "ps51-array.json"), 0);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->rows.n, 3);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2019, 11, 19, 22, 33, 39, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ MODEL_NAME, 4294967295u, 0, 31, 2, "PS1000A2",
                                     DT(2026, 11, 20, 8, 15, 0, 7), 2 });
    fx_check_row(fx, 2, &(struct want){ "P01000F6", 0, 7, 19, 3, "",
                                     DT(1969, 12, 31, 23, 59, 59, 9), 3 });
}

static void test_single_object(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "ps51-single.json"), 0);
    assert_int_equal(fx->d.rows_seen, 1);
    assert_int_equal(fx->rows.n, 1);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 16777216, 250, 2, 4, "PS100095",
                                     DT(2024, 2, 29, 23, 59, 59, 9), 1 });
}

static void test_numbers_as_strings_and_key_case(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_file(fx, "ps7-strings.json"), 0);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->rows.n, 2);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2021, 5, 18, 17, 12, 29, 4), 1 });
    fx_check_row(fx, 1, &(struct want){ "PS100096", 3, 4294967295u, 2147483647, 2147483647,
                                     "PS100096", DT(2019, 11, 19, 22, 32, 50, 0), 2 });
}

static void test_leading_zeros_and_empty_array(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_str(fx, "[]"), 0);
    assert_int_equal(fx_decode_str(fx, "{\"@odata.context\":\"x\",\"value\":[]}"), 0);
    assert_int_equal(fx->d.rows_seen, 0);
    assert_int_equal(fx_decode_str(fx, " \r\n[{\"ObjectID\":\" PS100095 \","
                                    "\"MessageCategory\":\"007\","
                                    "\"Assets\":\"0000000000004294967295\",\"ObjectTypeID\":-0,"
                                    "\"Type\":0,\"PackageID\":\"\",\"LastUpdateDate\":\"\"}]"),
                     0);
    assert_int_equal(fx->d.rejected, 0);
    /* ObjectID is taken as written: spaces are printable ASCII */
    fx_check_row(fx, 0, &(struct want){ " PS100095 ", 7, 4294967295u, 0, 0, "", NULL, 1 });
}

/* bad-rows.json: rows 1 and 29 are good, every other row is bad in one way. */
static void test_bad_rows(void **state)
{
    static const char *const want[] = {
        "row 2: not an object",
        "row 3: ObjectID: missing",
        "row 4: ObjectID: null or empty",
        "row 5: ObjectID: empty",
        "row 6: ObjectID: not a string (12345)",
        "row 7: ObjectID: 113 characters, an index holds at most 112 "
            "(\"ScopeId_B3FF3CC4-0319-4434-9D24-77689C53...\")",
        "row 8: ObjectID: byte 0xc3 at offset 7 is not printable ASCII (\"PS10009\\xc3\\xa9\")",
        "row 9: ObjectID: byte 0x00 at offset 3 is not printable ASCII (\"PS1\\x000095\")",
        "row 10: MessageCategory: negative (-1)",
        "row 11: MessageCategory: real number, not an integer (1.5)",
        "row 12: MessageCategory: real number, not an integer (1000)",
        "row 13: Assets: boolean, not a number (true)",
        "row 14: Assets: out of range 0..4294967295 (4294967296)",
        "row 15: Assets: not a number (\"NaN\")",
        "row 16: Assets: spaces not allowed (\" 5\")",
        "row 17: Assets: sign not allowed (\"+5\")",
        "row 18: Assets: negative (\"-5\")",
        "row 19: Assets: object or array, not a number",
        "row 20: ObjectTypeID: out of range 0..2147483647 (2147483648)",
        "row 21: Type: out of range 0..2147483647 (\"2147483648\")",
        "row 22: Type: missing",
        "row 23: Type: null or empty",
        "row 24: LastUpdateDate: looks like a culture-dependent local date: set "
            "sourceDateFormat (e.g. en-US) and sourceTimeZone (\"11/20/2026 8:15 AM\")",
        "row 25: LastUpdateDate: no UTC offset (local time): set sourceTimeZone "
            "(\"2026-11-20T08:15:00\")",
        "row 26: LastUpdateDate: not a string (1574202819000)",
        "row 27: PackageID: not a string (95)",
        "row 28: PackageID: 256 characters, at most 255 "
            "(\"PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP...\")",
        "row 30: Type: given twice (keys differ in case)",
        "row 31: MessageCategory: null or empty",
        "row 32: LastUpdateDate: not a string",
    };
    struct fx *fx = *state;
    const size_t nwant = sizeof(want) / sizeof(want[0]);
    char line[512];

    assert_int_equal(fx_decode_file(fx, "bad-rows.json"), 0);
    assert_int_equal(fx->d.rows_seen, 32);
    assert_int_equal(fx->d.rejected, 30);
    assert_int_equal(fx->msgs.n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        snprintf(line, sizeof(line), "export.json: %s; row skipped", want[i]);
        assert_int_equal(fx->msgs.v[i].level, SD_MSG_WARN);
        assert_string_equal(fx->msgs.v[i].text, line);
    }
    assert_int_equal(fx->rows.n, 2);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 12, 2, 1, "PS100095",
                                     DT(2024, 8, 30, 20, 55, 6, 0), 1 });
    fx_check_row(fx, 1, &(struct want){ "PS10002C", 1, 12, 2, 1, "", NULL, 29 });
}

static void check_refused(struct fx *fx, int rc, const char *error_prefix)
{
    assert_int_equal(rc, -1);
    if (strncmp(fx->d.error, error_prefix, strlen(error_prefix)) != 0)
        fail_msg("error \"%s\" does not start with \"%s\"", fx->d.error, error_prefix);
}

static void test_truncated_document(void **state)
{
    struct fx *fx = *state;

    check_refused(fx, fx_decode_file(fx, "truncated.json"),
                  "export.json: JSON error at line 5, column 119: ");
    assert_string_equal(fx->d.error, "export.json: JSON error at line 5, column 119: "
                                     "premature end of input");
}

static void test_nested_garbage(void **state)
{
    struct fx *fx = *state;

    check_refused(fx, fx_decode_file(fx, "nested-garbage.json"),
                  "export.json: JSON error at line 5, column ");
    /* the DOM is parsed whole before any row is looked at */
    assert_int_equal(fx->rows.n, 0);
}

static void test_deep_nesting(void **state)
{
    struct fx *fx = *state;

    check_refused(fx, fx_decode_file(fx, "deep.json"), "export.json: JSON error at line 1, ");
    assert_non_null(strstr(fx->d.error, "maximum parsing depth reached"));
}

static void test_wrong_top_level(void **state)
{
    struct fx *fx = *state;

    check_refused(fx, fx_decode_file(fx, "value-not-array.json"),
                  "export.json: JSON \"value\" is not an array");
    check_refused(fx, fx_decode_file(fx, "adminservice-error.json"),
                  "export.json: JSON object has neither a \"value\" array nor an ObjectID");
    check_refused(fx, sd_decode_json(&fx->d, "42", 2),
                  "export.json: JSON error at line 1, column 2: '[' or '{' expected");
    /* sniffed as CSV: not JSON at all, and not a CSV export either */
    check_refused(fx, fx_decode_str(fx, "42"), "export.json: CSV header has no column ObjectID");
    check_refused(fx, fx_decode_str(fx, "{\"value\":[]} trailing"),
                  "export.json: JSON error at line 1, column 15: "
                  "end of file expected");
    check_refused(fx, fx_decode_str(fx, "[\"\xff\"]"), "export.json: JSON error at line 1, ");
    assert_int_equal(fx->rows.n, 0);
    assert_int_equal(fx->d.rows_seen, 0);
}

/* Numbers jansson itself cannot hold refuse the document, with its words. */
static void test_numbers_beyond_jansson(void **state)
{
    struct fx *fx = *state;

    check_refused(fx, fx_decode_str(fx, "[{\"Assets\": 99999999999999999999}]"),
                  "export.json: JSON error at line 1, column 32: too big integer");
    check_refused(fx, fx_decode_str(fx, "[{\"Assets\": 1E400}]"),
                  "export.json: JSON error at line 1, column 17: real number overflow");
}

static void test_elements_not_objects(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_str(fx, "[1, null, [], \"PS100095\"]"), 0);
    assert_int_equal(fx->d.rows_seen, 4);
    assert_int_equal(fx->d.rejected, 4);
    assert_int_equal(fx->rows.n, 0);
    assert_string_equal(fx->msgs.v[0].text, "export.json: row 1: not an object; row skipped");
    assert_string_equal(fx->msgs.v[3].text, "export.json: row 4: not an object; row skipped");
}

static void test_row_base_numbering(void **state)
{
    struct fx *fx = *state;

    fx->d.row_base = 100;
    assert_int_equal(fx_decode_str(fx, "[{\"ObjectID\":\"PS100095\",\"MessageCategory\":1,"
                                    "\"Assets\":1,\"ObjectTypeID\":2,\"Type\":1},"
                                    "{\"ObjectID\":\"PS100096\"}]"), 0);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 1, 1, 2, 1, "", NULL, 101 });
    assert_string_equal(fx->msgs.v[0].text,
                        "export.json: row 102: MessageCategory: missing; row skipped");
}

static void test_row_cap(void **state)
{
    struct fx *fx = *state;

    fx->d.max_rows = 3;
    check_refused(fx, fx_decode_file(fx, "adminservice.json"),
                  "export.json: more than 3 rows (maxRows 3)");
    assert_int_equal(fx->rows.n, 0);    /* refused before any work */
    fx->d.max_rows = 4;
    assert_int_equal(fx_decode_file(fx, "adminservice.json"), 0);
    assert_int_equal(fx->rows.n, 4);
}

static void test_row_cap_counts_pages_and_single_objects(void **state)
{
    struct fx *fx = *state;

    fx->d.max_rows = 5;
    fx->d.row_base = 4;
    check_refused(fx, fx_decode_file(fx, "adminservice-page1.json"),
                  "export.json: more than 5 rows (maxRows 5)");
    fx->d.row_base = 5;
    check_refused(fx, fx_decode_file(fx, "ps51-single.json"),
                  "export.json: more than 5 rows (maxRows 5)");
    fx->d.row_base = 4;
    assert_int_equal(fx_decode_file(fx, "ps51-single.json"), 0);
    assert_int_equal(fx->rows.n, 1);
}

/* The validation path on its own, with fields as a format decoder gives them. */
static void test_record_direct(void **state)
{
    struct fx *fx = *state;
    struct sd_field f[SD_NCOLS];

    memset(f, 0, sizeof(f));
    f[SD_COL_OBJECTID] = (struct sd_field){ .kind = SD_F_STRING, .str = "PS100095xyz", .len = 8 };
    f[SD_COL_MESSAGECATEGORY] = (struct sd_field){ .kind = SD_F_STRING, .str = "42abc", .len = 2 };
    f[SD_COL_ASSETS] = (struct sd_field){ .kind = SD_F_INT, .i = 4294967295LL };
    f[SD_COL_OBJECTTYPEID] = (struct sd_field){ .kind = SD_F_INT, .i = 2147483647 };
    f[SD_COL_TYPE] = (struct sd_field){ .kind = SD_F_STRING, .str = "3", .len = 1 };
    f[SD_COL_LASTUPDATEDATE] = (struct sd_field){ .kind = SD_F_STRING,
                                                  .str = "20261120081500.000000+000", .len = 25 };
    assert_int_equal(sd_decode_record(&fx->d, 7, f), 0);
    fx_check_row(fx, 0, &(struct want){ "PS100095", 42, 4294967295u, 2147483647, 3, "",
                                     DT(2026, 11, 20, 8, 15, 0, 0), 7 });
    f[SD_COL_ASSETS] = (struct sd_field){ .kind = SD_F_REAL, .r = 2.5 };
    assert_int_equal(sd_decode_record(&fx->d, 8, f), 0);
    assert_string_equal(fx->msgs.v[0].text, "export.json: row 8: Assets: real number, "
                                            "not an integer (2.5); row skipped");
    f[SD_COL_ASSETS] = (struct sd_field){ .kind = SD_F_BOOL, .i = 0 };
    assert_int_equal(sd_decode_record(&fx->d, 9, f), 0);
    assert_string_equal(fx->msgs.v[1].text, "export.json: row 9: Assets: boolean, "
                                            "not a number (false); row skipped");
    f[SD_COL_ASSETS] = (struct sd_field){ .kind = SD_F_STRING, .str = "1e3", .len = 3 };
    assert_int_equal(sd_decode_record(&fx->d, 10, f), 0);
    assert_string_equal(fx->msgs.v[2].text, "export.json: row 10: Assets: real number, "
                                            "not an integer (\"1e3\"); row skipped");
    f[SD_COL_ASSETS] = (struct sd_field){ .kind = SD_F_STRING, .str = "12\t", .len = 3 };
    assert_int_equal(sd_decode_record(&fx->d, 11, f), 0);
    assert_string_equal(fx->msgs.v[3].text, "export.json: row 11: Assets: spaces not allowed "
                                            "(\"12\\x09\"); row skipped");
    f[SD_COL_ASSETS] = (struct sd_field){ .kind = SD_F_STRING, .str = "99999999999999999999",
                                          .len = 20 };
    assert_int_equal(sd_decode_record(&fx->d, 12, f), 0);
    assert_string_equal(fx->msgs.v[4].text,
                        "export.json: row 12: Assets: out of range "
                        "0..4294967295 (\"99999999999999999999\"); row skipped");
    assert_int_equal(fx->d.rows_seen, 6);
    assert_int_equal(fx->d.rejected, 5);
    fx->d.max_rows = 12;
    assert_int_equal(sd_decode_record(&fx->d, 13, f), -1);
    assert_string_equal(fx->d.error, "export.json: more than 12 rows (maxRows 12)");
}

static void test_col_lookup(void **state)
{
    (void)state;
    assert_int_equal(sd_col_lookup("ObjectID", 8), SD_COL_OBJECTID);
    assert_int_equal(sd_col_lookup("objectid", 8), SD_COL_OBJECTID);
    assert_int_equal(sd_col_lookup("MESSAGECATEGORY", 15), SD_COL_MESSAGECATEGORY);
    assert_int_equal(sd_col_lookup("TypeX", 4), SD_COL_TYPE);
    assert_int_equal(sd_col_lookup("Type", 3), -1);
    assert_int_equal(sd_col_lookup("Typ\0", 4), -1);
    assert_int_equal(sd_col_lookup("__GENUS", 7), -1);
    assert_string_equal(sd_col_names[SD_COL_LASTUPDATEDATE], "LastUpdateDate");
    assert_string_equal(sd_col_names[SD_COL_OBJECTTYPEID], "ObjectTypeID");
}

/* Two spellings of an envelope key: one table or next page would be dropped
 * silently (a paged source serving half the table), so the document is refused. */
static void test_envelope_key_twice_in_other_case(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fx_decode_str(fx, "{\"value\": [], \"@odata.nextLink\": null, "
                                       "\"@ODATA.NEXTLINK\": \"https://cm01/next\"}"), -1);
    assert_string_equal(fx->d.error,
                        "export.json: JSON envelope has \"@odata.nextLink\" twice (keys differ in case)");
    assert_null(fx->d.next_link);
    assert_int_equal(fx_decode_str(fx, "{\"Value\": [], \"value\": []}"), -1);
    assert_string_equal(fx->d.error,
                        "export.json: JSON envelope has \"value\" twice (keys differ in case)");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_adminservice_envelope),
        T(test_adminservice_next_link),
        T(test_next_link_null_ignored_and_non_string_refused),
        T(test_envelope_key_twice_in_other_case),
        T(test_plain_array_ps51),
        T(test_single_object),
        T(test_numbers_as_strings_and_key_case),
        T(test_leading_zeros_and_empty_array),
        T(test_bad_rows),
        T(test_truncated_document),
        T(test_nested_garbage),
        T(test_deep_nesting),
        T(test_wrong_top_level),
        T(test_numbers_beyond_jansson),
        T(test_elements_not_objects),
        T(test_row_base_numbering),
        T(test_row_cap),
        T(test_row_cap_counts_pages_and_single_objects),
        T(test_record_direct),
        T(test_col_lookup),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
