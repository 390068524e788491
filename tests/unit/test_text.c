/*
 * test_text: text encodings (src/text.c) and the document-level checks of
 * src/decode.c that come before any format: BOMs, UTF-16 in both byte
 * orders decoded end to end, UTF-16 without BOM, broken UTF-16, empty
 * documents.
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

static void test_utf8_bom_stripped(void **state)
{
    struct fx *fx = *state;
    const char buf[] = "\xEF\xBB\xBF[]";
    const char *out;
    size_t outlen;
    char *owned;

    assert_int_equal(sd_text_utf8(&fx->d, buf, 5, &out, &outlen, &owned), 0);
    assert_ptr_equal(out, buf + 3);
    assert_int_equal(outlen, 2);
    assert_null(owned);
}

static void test_plain_utf8_untouched(void **state)
{
    struct fx *fx = *state;
    const char buf[] = "[{\"ObjectID\":\"PS100095\"}]";
    const char *out;
    size_t outlen;
    char *owned;

    assert_int_equal(sd_text_utf8(&fx->d, buf, strlen(buf), &out, &outlen, &owned), 0);
    assert_ptr_equal(out, buf);
    assert_int_equal(outlen, strlen(buf));
    assert_null(owned);
    assert_int_equal(sd_text_utf8(&fx->d, buf, 0, &out, &outlen, &owned), 0);
    assert_int_equal(outlen, 0);
    assert_null(owned);
}

/* Out-File's UTF-16LE and the UTF-8 fixture are the same text. */
static void test_utf16le_converted(void **state)
{
    struct fx *fx = *state;
    size_t n16, n8, outlen;
    char *b16 = fx_load("utf16le-bom.json", &n16), *b8 = fx_load("utf8-bom.json", &n8);
    const char *out;
    char *owned;

    assert_int_equal(sd_text_utf8(&fx->d, b16, n16, &out, &outlen, &owned), 0);
    assert_non_null(owned);
    assert_ptr_equal(out, owned);
    assert_int_equal(outlen, n8 - 3);
    assert_memory_equal(out, b8 + 3, outlen);
    assert_non_null(strstr(out, "\"CM01-Z\xC3\xBCrich\""));
    free(owned);
    free(b16);
    free(b8);
}

static void test_utf16be_and_surrogate_pairs(void **state)
{
    struct fx *fx = *state;
    /* "a😀" then "é" */
    const char be[] = "\xFE\xFF\x00" "a" "\xD8\x3D\xDE\x00\x00\xE9";
    const char le[] = "\xFF\xFE" "a" "\x00\x3D\xD8\x00\xDE\xE9\x00";
    const char *out;
    size_t outlen;
    char *owned;

    assert_int_equal(sd_text_utf8(&fx->d, be, sizeof(be) - 1, &out, &outlen, &owned), 0);
    assert_int_equal(outlen, 7);
    assert_memory_equal(out, "a\xF0\x9F\x98\x80\xC3\xA9", 7);
    free(owned);
    assert_int_equal(sd_text_utf8(&fx->d, le, sizeof(le) - 1, &out, &outlen, &owned), 0);
    assert_int_equal(outlen, 7);
    assert_memory_equal(out, "a\xF0\x9F\x98\x80\xC3\xA9", 7);
    free(owned);
}

static void check_refused(struct fx *fx, const char *file, const char *error)
{
    size_t len;
    char *buf = fx_load(file, &len);

    assert_int_equal(sd_decode_document(&fx->d, buf, len), -1);
    assert_string_equal(fx->d.error, error);
    assert_int_equal(fx->rows.n, 0);
    assert_int_equal(fx->d.rows_seen, 0);
    free(buf);
}

static void test_utf16_without_bom_refused(void **state)
{
    check_refused(*state, "utf16le-nobom.json",
                  "export.json: looks like UTF-16 without a byte-order mark");
}

static void test_utf16be_without_bom_refused(void **state)
{
    struct fx *fx = *state;
    const char be[] = "\x00[\x00]";
    const char *out;
    size_t outlen;
    char *owned;

    assert_int_equal(sd_text_utf8(&fx->d, be, 4, &out, &outlen, &owned), -1);
    assert_string_equal(fx->d.error, "export.json: looks like UTF-16 without a byte-order mark");
    assert_null(owned);
}

static void test_lone_surrogate_refused(void **state)
{
    check_refused(*state, "utf16le-lone-surrogate.json",
                  "export.json: undecodable UTF-16 at byte offset 288");
}

static void test_odd_length_refused(void **state)
{
    check_refused(*state, "utf16le-odd-length.json",
                  "export.json: undecodable UTF-16 at byte offset 102");
}

static void test_empty_documents_refused(void **state)
{
    static const char *const files[] = {
        "empty.txt", "only-bom-utf8.txt", "only-bom-utf16le.txt", "whitespace.txt",
        "utf16le-bom-whitespace.txt",
    };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        check_refused(*state, files[i], "export.json: empty document");
}

/* The whole path: UTF-16LE JSON as Windows PowerShell writes it, to rows. */
static void test_utf16le_json_end_to_end(void **state)
{
    struct fx *fx = *state;
    static const uint8_t date[] = { 0x07, 0xE3, 11, 19, 22, 33, 39, 0, '+', 0, 0 };
    size_t len;
    char *buf = fx_load("utf16le-bom.json", &len);

    assert_int_equal(sd_decode_document(&fx->d, buf, len), 0);
    assert_int_equal(fx->d.rows_seen, 2);
    assert_int_equal(fx->rows.n, 1);
    assert_int_equal(fx->d.rejected, 1);
    assert_int_equal(fx->rows.v[0].oid_len, 8);
    assert_memory_equal(sd_row_oid(&fx->rows, &fx->rows.v[0]), "PS100095", 8);
    assert_int_equal(fx->rows.v[0].category, 1);
    assert_int_equal(fx->rows.v[0].assets, 12);
    assert_int_equal(fx->rows.v[0].date_len, SD_DATEANDTIME_LEN);
    assert_memory_equal(fx->rows.v[0].date, date, SD_DATEANDTIME_LEN);
    /* the É arrived as UTF-8, so the ASCII check names its first byte */
    assert_int_equal(fx->msgs.n, 1);
    assert_string_equal(fx->msgs.v[0].text,
                        "export.json: row 2: PackageID: byte 0xc3 at offset 7 is not printable "
                        "ASCII (\"PS10009\\xc3\\x89\"); row skipped");
    free(buf);
}

static void test_utf16be_csv_end_to_end(void **state)
{
    struct fx *fx = *state;
    static const uint8_t date[] = { 0x07, 0xEA, 11, 20, 8, 15, 0, 0, '+', 0, 0 };
    size_t len;
    char *buf = fx_load("utf16be-bom.csv", &len);

    assert_int_equal(sd_decode_document(&fx->d, buf, len), 0);
    assert_int_equal(fx->d.rows_seen, 2);
    assert_int_equal(fx->d.rejected, 0);
    assert_int_equal(fx->rows.n, 2);
    for (size_t i = 0; i < 2; i++)
        assert_memory_equal(fx->rows.v[i].date, date, SD_DATEANDTIME_LEN);
    assert_int_equal(fx->rows.v[1].oid_len, 93);
    assert_memory_equal(sd_row_oid(&fx->rows, &fx->rows.v[1]),
                        "ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/"
                        "Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4", 93);
    assert_int_equal(fx->rows.v[1].object_type, 31);
    assert_int_equal(fx->rows.v[1].type, 2);
    free(buf);
}

static void test_utf8_bom_json_end_to_end(void **state)
{
    struct fx *fx = *state;
    size_t len;
    char *buf = fx_load("utf8-bom.json", &len);

    assert_int_equal(sd_decode_document(&fx->d, buf, len), 0);
    assert_int_equal(fx->rows.n, 1);
    assert_int_equal(fx->d.rejected, 1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_utf8_bom_stripped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_utf8_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf16le_converted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf16be_and_surrogate_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf16_without_bom_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf16be_without_bom_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lone_surrogate_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_length_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_documents_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf16le_json_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf16be_csv_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_bom_json_end_to_end, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
