/* Unit tests: the notifyStateFile format (notifystate.h): a line and back,
 * bad lines, the file's header, special files, atomic replacement. */
#include "sd_snmp.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "notifystate.h"

static char dir[] = "/tmp/sd-nstate-XXXXXX";
static char path[256];

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/notify.state", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static netsnmp_variable_list *sample(void)
{
    static const oid name_s[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2007, 1, 3, 1, 6, 2, 65, 66, 1 };
    static const oid name_i[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2007, 1, 3, 1, 7, 2, 65, 66, 1 };
    static const oid name_g[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2007, 1, 3, 1, 3, 2, 65, 66, 1 };
    static const oid name_o[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2007, 1, 3, 1, 9, 2, 65, 66, 1 };
    static const oid name_r[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2007, 1, 4, 1, 2, 65, 66, 4294967295UL };
    netsnmp_variable_list *v = NULL;
    long i = -7, r = 4;
    unsigned long g = 4294967295UL;
    const u_char s[] = { 'P', 0, ' ', 0xff, '\n' };

    assert_non_null(snmp_varlist_add_variable(&v, name_s, OID_LENGTH(name_s), ASN_OCTET_STR, s, sizeof(s)));
    assert_non_null(snmp_varlist_add_variable(&v, name_i, OID_LENGTH(name_i), ASN_INTEGER, &i, sizeof(i)));
    assert_non_null(snmp_varlist_add_variable(&v, name_g, OID_LENGTH(name_g), ASN_GAUGE, &g, sizeof(g)));
    assert_non_null(snmp_varlist_add_variable(&v, name_o, OID_LENGTH(name_o), ASN_OBJECT_ID,
                                              (const u_char *)name_r, sizeof(name_r)));
    assert_non_null(snmp_varlist_add_variable(&v, name_r, OID_LENGTH(name_r), ASN_INTEGER, &r, sizeof(r)));
    return v;
}

static void assert_same(const netsnmp_variable_list *a, const netsnmp_variable_list *b)
{
    for (; a && b; a = a->next_variable, b = b->next_variable) {
        assert_int_equal(snmp_oid_compare(a->name, a->name_length, b->name, b->name_length), 0);
        assert_int_equal(a->type, b->type);
        if (a->type == ASN_OCTET_STR || a->type == ASN_OBJECT_ID) {
            assert_int_equal(a->val_len, b->val_len);
            assert_memory_equal(a->val.string, b->val.string, a->val_len);
        } else
            assert_int_equal(*a->val.integer, *b->val.integer);
    }
    assert_null(a);
    assert_null(b);
}

static void test_line_round_trip(void **state)
{
    netsnmp_variable_list *v = sample(), *back = NULL;
    char *line = sd_nstate_format("smsDistStatusTable", v), *table, why[200];

    (void)state;
    assert_non_null(line);
    assert_null(strchr(line, '\n'));
    assert_non_null(strstr(line, "=x:500020ff0a"));
    assert_non_null(strstr(line, "=i:-7"));
    assert_non_null(strstr(line, "=u:4294967295"));
    assert_int_equal(sd_nstate_parse(line, &table, &back, why, sizeof(why)), 0);
    assert_string_equal(table, "smsDistStatusTable");
    assert_same(v, back);
    snmp_free_varbind(back);
    snmp_free_varbind(v);
    free(line);
}

static void test_bad_lines(void **state)
{
    static const char *const bad[] = {
        "smsDistStatusTable",                           /* no varbinds */
        "smsDist-Table 1.3=i:1",                        /* not a table name */
        "smsDistStatusTable 1.3=i:x",                   /* not a number */
        "smsDistStatusTable 1.3=i:99999999999",         /* out of range */
        "smsDistStatusTable 1.3=u:-1",
        "smsDistStatusTable 1.3=u:4294967296",
        "smsDistStatusTable 1.3=x:abc",                 /* odd hex */
        "smsDistStatusTable 1.3=x:zz",
        "smsDistStatusTable 1.3=q:1",                   /* unknown type */
        "smsDistStatusTable 1..3=i:1",                  /* not an OID */
        "smsDistStatusTable 1.3.=i:1",
        "smsDistStatusTable 1.4294967296=i:1",
        "smsDistStatusTable 1=i:1",                     /* too short */
        "smsDistStatusTable 1.3=o:",
        "smsDistStatusTable 1.3i:1",
        "",
    };
    char buf[200], why[200], *table;
    netsnmp_variable_list *v;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(buf, sizeof(buf), "%s", bad[i]);
        why[0] = '\0';
        assert_int_equal(sd_nstate_parse(buf, &table, &v, why, sizeof(why)), -1);
        assert_null(v);
        assert_true(why[0] != '\0');
    }
}

struct seen {
    unsigned n;
    int fail_at;                /* entry number take refuses, 0: none */
};

static int take(void *ctx, char *line, char *why, size_t whylen)
{
    struct seen *s = ctx;

    if (++s->n == (unsigned)s->fail_at) {
        snprintf(why, whylen, "refused");
        return -1;
    }
    return line[0] ? 0 : -1;
}

static void test_read(void **state)
{
    struct seen s = { 0 };
    unsigned bad;
    char err[400];

    (void)state;
    unlink(path);
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_MISSING);

    write_file("smsdistd-notify-state 1\na 1.3=i:1\n\n# comment\nb 1.3=i:2\n");
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_OK);
    assert_int_equal(s.n, 2);

    s = (struct seen){ .fail_at = 2 };
    write_file("smsdistd-notify-state 1\na 1.3=i:1\ngarbage\nb 1.3=i:2\n");
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_BAD);
    assert_int_equal(bad, 3);
    assert_non_null(strstr(err, "line 3: refused"));
    assert_non_null(strstr(err, path));

    s = (struct seen){ 0 };
    write_file("smsdistd-notify-state 1\na 1.3=i:1");  /* cut short */
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_BAD);
    assert_int_equal(bad, 2);

    write_file("smsdistd-notify-state 2\na 1.3=i:1\n");  /* a later format */
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_UNREADABLE);
    assert_int_equal(bad, 1);
    write_file("");
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_UNREADABLE);

    /* special files: refused at once, never waited for */
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_UNREADABLE);
    assert_non_null(strstr(err, "a FIFO"));
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_UNREADABLE);
    assert_non_null(strstr(err, "a directory"));
    rmdir(path);
}

static void test_write(void **state)
{
    const char *lines[] = { "a 1.3=i:1", "b 1.3=x:" };
    char tmp[300], err[400], buf[200];
    struct seen s = { 0 };
    unsigned bad;
    struct stat st;

    (void)state;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    write_file("stale\n");
    /* a stale temporary file, from a process killed while writing */
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(sd_nstate_probe(path, err, sizeof(err)), 0);
    assert_int_equal(sd_nstate_write(path, lines, 2, err, sizeof(err)), 0);
    assert_int_equal(stat(tmp, &st), -1);
    assert_int_equal(sd_nstate_read(path, take, &s, &bad, err, sizeof(err)), SD_NSTATE_OK);
    assert_int_equal(s.n, 2);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "smsdistd-notify-state 1\n");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777 & ~0600, 0);

    /* a folder in the way: refused, nothing left behind */
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(sd_nstate_write(path, lines, 2, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot replace it"));
    assert_int_equal(stat(tmp, &st), -1);
    rmdir(path);

    /* no folder */
    char nodir[300];
    snprintf(nodir, sizeof(nodir), "%s/missing/notify.state", dir);
    assert_int_equal(sd_nstate_probe(nodir, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot create files in"));
    assert_non_null(strstr(err, strerror(ENOENT)));
    assert_int_equal(sd_nstate_write(nodir, lines, 2, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_round_trip),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_write),
    };

    return cmocka_run_group_tests_name("notifystate", tests, setup, teardown);
}
