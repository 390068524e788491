/*
 * test_source: what every source shares (src/source.c, src/http.c): the
 * display form of a URI never holds a user:password; what is not a regular
 * file is refused at once, naming what it is (a FIFO must not wedge the
 * loader in open()); a cancel or a passed deadline stops a fetch; an HTTP
 * session's messages put the reason first and show no secret.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "http.h"
#include "loader.h"
#include "source.h"

/* --- display ------------------------------------------------------------ */

static void display_is(const char *uri, const char *want)
{
    char *got = sd_source_display(uri);

    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("display of \"%s\": got \"%s\", want \"%s\"", uri, got, want);
    free(got);
}

static void test_display(void **state)
{
    /* nothing to hide */
    display_is("file:/var/lib/smsdistd/export.json", "file:/var/lib/smsdistd/export.json");
    display_is("/var/lib/x@y.json", "/var/lib/x@y.json");
    display_is("file:///srv/a@b/x.json", "file:///srv/a@b/x.json");
    display_is("https://cm01.example/AdminService/wmi/SMS_DistributionStatus",
               "https://cm01.example/AdminService/wmi/SMS_DistributionStatus");
    display_is("https://cm01.example:8443/x", "https://cm01.example:8443/x");
    display_is("https://[::1]:443/x@y", "https://[::1]:443/x@y");
    /* an '@' past the authority is not userinfo */
    display_is("https://host/path@x?q=a@b", "https://host/path@x?q=a@b");
    display_is("https://host?mail=a@b", "https://host?mail=a@b");
    display_is("https://host#a@b", "https://host#a@b");
    /* userinfo goes, whatever its form */
    display_is("https://user:password@host/x", "https://host/x");
    display_is("HTTPS://user:password@host:8443/x?y=1", "HTTPS://host:8443/x?y=1");
    display_is("https://user@host/x", "https://host/x");
    display_is("https://:pw@host", "https://host");
    display_is("http://DOMAIN%5Cuser:S3cret%3Ax@[::1]:80/x", "http://[::1]:80/x");
    display_is("https://user:p@ss@host/x", "https://host/x");        /* a raw '@' in it */
    display_is("https://user:pa/ss@host/x", "https://host/x");       /* a raw '/' in it */
    display_is("https://user:pa?ss@host/x", "https://host/x");
    display_is("https://user:pa#ss@host/x", "https://host/x");
    /* not a URL with an authority */
    display_is("mailto:a@b", "mailto:a@b");
    display_is("", "");
}

static void test_next_link_messages_hide_secrets(void **state)
{
    char err[512] = "";
    char *url;

    url = sd_http_next_url("https://host/AdminService/wmi/SMS_DistributionStatus",
                           "https://user:Pa55word@elsewhere.invalid/x", err, sizeof(err));
    assert_null(url);
    assert_non_null(strstr(err, "not followed"));
    assert_non_null(strstr(err, "https://elsewhere.invalid/x"));
    assert_null(strstr(err, "Pa55word"));
    /* a relative link keeps the base's origin: followed */
    url = sd_http_next_url("https://host/AdminService/wmi/SMS_DistributionStatus?$select=a",
                           "SMS_DistributionStatus?$skiptoken=7", err, sizeof(err));
    assert_non_null(url);
    assert_string_equal(url, "https://host/AdminService/wmi/SMS_DistributionStatus?$skiptoken=7");
    free(url);
}

/* --- what is not a regular file --------------------------------------------- */

struct dir {
    char path[64];
    char file[128];
};

static int dir_setup(void **state)
{
    struct dir *d = calloc(1, sizeof(*d));

    if (!d)
        return -1;
    snprintf(d->path, sizeof(d->path), "/tmp/test_source.XXXXXX");
    if (!mkdtemp(d->path)) {
        free(d);
        return -1;
    }
    snprintf(d->file, sizeof(d->file), "%s/export.json", d->path);
    *state = d;
    return 0;
}

static int dir_teardown(void **state)
{
    struct dir *d = *state;

    unlink(d->file);
    rmdir(d->path);
    free(d);
    return 0;
}

/* fetching d->file (whatever it is now) is refused at once as `kind` */
static void refused_as(struct dir *d, const char *kind)
{
    char uri[160], err[512] = "", want[512];
    struct sd_buf buf = { 0 };
    double t0 = sd_monotonic();

    snprintf(uri, sizeof(uri), "file:%s", d->file);
    assert_int_equal(sd_source_fetch(uri, 1 << 20, NULL, &buf, err, sizeof(err)), SD_FETCH_FAILED);
    assert_true(sd_monotonic() - t0 < 1.0);
    assert_null(buf.data);
    snprintf(want, sizeof(want), "%s: not a regular file (%s); smsdistd reads only regular files",
             d->file, kind);
    assert_string_equal(err, want);
}

static void test_fifo_refused_without_waiting(void **state)
{
    struct dir *d = *state;

    assert_int_equal(mkfifo(d->file, 0600), 0);
    refused_as(d, "a FIFO");
}

static void test_socket_refused(void **state)
{
    struct dir *d = *state;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->file);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    refused_as(d, "a socket");
}

static void test_device_refused(void **state)
{
    struct dir *d = *state;

    assert_int_equal(symlink("/dev/null", d->file), 0);
    refused_as(d, "a character device");
}

static void test_directory_refused(void **state)
{
    struct dir *d = *state;

    assert_int_equal(mkdir(d->file, 0700), 0);
    refused_as(d, "a directory");
    rmdir(d->file);
}

static void test_missing_file(void **state)
{
    struct dir *d = *state;
    char uri[160], err[512] = "", want[512];
    struct sd_buf buf = { 0 };

    snprintf(uri, sizeof(uri), "file:%s", d->file);
    assert_int_equal(sd_source_fetch(uri, 1 << 20, NULL, &buf, err, sizeof(err)), SD_FETCH_FAILED);
    snprintf(want, sizeof(want), "%s: cannot open: %s", d->file, strerror(ENOENT));
    assert_string_equal(err, want);
}

/* A regular file is read; a cancel or a passed deadline stops the read. */
static void test_file_read_and_stopped(void **state)
{
    struct dir *d = *state;
    char uri[160], err[512] = "";
    struct sd_buf buf = { 0 };
    atomic_bool cancel;
    struct sd_fetch_ctl ctl = { .cancel = &cancel };
    FILE *f = fopen(d->file, "w");

    assert_non_null(f);
    fputs("{\"value\":[]}", f);
    fclose(f);
    snprintf(uri, sizeof(uri), "file:%s", d->file);
    atomic_init(&cancel, false);
    assert_int_equal(sd_source_fetch(uri, 1 << 20, &ctl, &buf, err, sizeof(err)), 0);
    assert_string_equal(buf.data, "{\"value\":[]}");
    sd_buf_free(&buf);

    atomic_store(&cancel, true);
    assert_int_equal(sd_source_fetch(uri, 1 << 20, &ctl, &buf, err, sizeof(err)),
                     SD_FETCH_CANCELLED);
    assert_null(buf.data);

    atomic_store(&cancel, false);
    ctl.deadline = sd_monotonic() - 1;
    assert_int_equal(sd_source_fetch(uri, 1 << 20, &ctl, &buf, err, sizeof(err)),
                     SD_FETCH_DEADLINE);
    assert_null(buf.data);
}

/* The same through a whole load: refused at once, not waited for. */
static void test_load_refuses_fifo(void **state)
{
    struct dir *d = *state;
    struct sd_load_params p;
    struct sd_load_result *r;
    char uri[160], want[512];

    /* a FIFO that nobody writes */
    assert_int_equal(mkfifo(d->file, 0600), 0);
    snprintf(uri, sizeof(uri), "file:%s", d->file);
    memset(&p, 0, sizeof(p));
    p.uri = uri;
    sd_policy_default(&p.policy);
    p.max_rows = 10;
    p.max_bytes = 1 << 20;
    p.log_rows = 5;
    p.load_timeout = 1;
    sd_http_defaults(&p.http);
    r = sd_load_run(&p);
    assert_non_null(r);
    assert_null(r->snap);
    snprintf(want, sizeof(want), "%s: not a regular file (a FIFO); smsdistd reads only regular files",
             d->file);
    assert_string_equal(r->error, want);
    sd_load_result_free(r);
}

/* --- an HTTP session --------------------------------------------------------- */

static void test_session_messages(void **state)
{
    struct sd_http_opts o;
    struct sd_http_session *s;
    struct sd_buf buf = { 0 };
    atomic_bool cancel;
    struct sd_fetch_ctl ctl = { .cancel = &cancel };
    char err[512] = "";

    atomic_init(&cancel, false);
    sd_http_defaults(&o);
    o.auth = SD_AUTH_NONE;
    s = sd_http_session_new(&o, 1000, &ctl, err, sizeof(err));
    assert_non_null(s);

    /* plain http: the reason first, the URL after it, without user:password */
    assert_int_equal(sd_http_session_get(s, "http://u:Pa55word@127.0.0.1:1/x", &buf, err,
                                         sizeof(err)), SD_FETCH_FAILED);
    assert_string_equal(err, "plain http refused (credentials and data would cross the network "
                        "in clear; use https, or set allowPlainHttp yes): http://127.0.0.1:1/x");

    /* cancelled, or out of time: nothing is even tried */
    atomic_store(&cancel, true);
    assert_int_equal(sd_http_session_get(s, "https://u:Pa55word@127.0.0.1:1/x", &buf, err,
                                         sizeof(err)), SD_FETCH_CANCELLED);
    assert_null(strstr(err, "Pa55word"));
    atomic_store(&cancel, false);
    ctl.deadline = sd_monotonic() - 1;
    assert_int_equal(sd_http_session_get(s, "https://127.0.0.1:1/x", &buf, err, sizeof(err)),
                     SD_FETCH_DEADLINE);
    ctl.deadline = 0;

    /* nobody listens on port 1: the reason, then the URL without the secret */
    assert_int_equal(sd_http_session_get(s, "https://u:Pa55word@127.0.0.1:1/x", &buf, err,
                                         sizeof(err)), SD_FETCH_FAILED);
    assert_null(strstr(err, "Pa55word"));
    assert_true(strlen(err) > strlen(": https://127.0.0.1:1/x"));
    assert_string_equal(err + strlen(err) - strlen(": https://127.0.0.1:1/x"),
                        ": https://127.0.0.1:1/x");
    assert_null(buf.data);
    assert_int_equal(sd_http_session_pages(s), 4);
    assert_int_equal(sd_http_session_bytes(s), 0);
    sd_http_session_free(s);
}

static void test_session_credentials_refused(void **state)
{
    struct sd_http_opts o;
    char err[512] = "";

    sd_http_defaults(&o);
    o.auth = SD_AUTH_BASIC;
    assert_null(sd_http_session_new(&o, 1000, NULL, err, sizeof(err)));
    assert_string_equal(err, "httpAuth basic needs httpCredentials");
}

/* httpCredentials and krb5Keytab: the same rules, each message naming its
 * directive: group- or world-readable refused, not-a-file refused. */
static void test_private_files(void **state)
{
    struct dir *d = *state;
    char err[512] = "", want[512];
    int fd;

    fd = open(d->file, O_WRONLY | O_CREAT | O_EXCL, 0640);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    assert_int_equal(chmod(d->file, 0640), 0);
    assert_int_equal(sd_http_open_private("krb5Keytab", d->file, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "krb5Keytab %s: refused: mode 0640, owner uid %u; it must "
             "belong to uid %u and be readable by nobody else (chmod 600)", d->file,
             (unsigned)geteuid(), (unsigned)geteuid());
    assert_string_equal(err, want);
    assert_int_equal(chmod(d->file, 0604), 0);
    assert_int_equal(sd_http_open_private("credentials file", d->file, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "credentials file "));
    assert_non_null(strstr(err, ": refused: mode 0604"));
    assert_int_equal(chmod(d->file, 0400), 0);
    fd = sd_http_open_private("krb5Keytab", d->file, err, sizeof(err));
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(sd_http_open_private("krb5Keytab", d->path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "krb5Keytab %s: not a regular file", d->path);
    assert_string_equal(err, want);
}

/* A keytab that may not be used stops the load before any request: the
 * message is the keytab's, not an HTTP error. */
static void test_session_keytab_refused(void **state)
{
    struct dir *d = *state;
    struct sd_http_opts o;
    char err[512] = "", want[600];
    int fd = open(d->file, O_WRONLY | O_CREAT | O_EXCL, 0644);

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(chmod(d->file, 0644), 0);
    sd_http_defaults(&o);
    snprintf(o.keytab, sizeof(o.keytab), "%s", d->file);
    assert_null(sd_http_session_new(&o, 1000, NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "krb5Keytab %s: refused: mode 0644", d->file);
    assert_memory_equal(err, want, strlen(want));
    /* windows without a password has nothing to fall back to: the keytab's message */
    o.auth = SD_AUTH_WINDOWS;
    snprintf(o.keytab, sizeof(o.keytab), "%s/none.keytab", d->path);
    assert_null(sd_http_session_new(&o, 1000, NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "krb5Keytab %s/none.keytab: No such file or directory", d->path);
    assert_string_equal(err, want);
}

static void test_resolve_syntax(void **state)
{
    char err[256];

    assert_int_equal(sd_http_check_resolve("cm01.corp.example:443:192.0.2.10", err, sizeof(err)), 0);
    assert_int_equal(sd_http_check_resolve("cm01:8443:[2001:db8::1]", err, sizeof(err)), 0);
    assert_int_equal(sd_http_check_resolve("cm01.corp.example:443", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "is not HOST:PORT:ADDRESS"));
    assert_int_equal(sd_http_check_resolve("cm01:0:192.0.2.10", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the port must be a number from 1 to 65535"));
    assert_int_equal(sd_http_check_resolve("cm01:https:192.0.2.10", err, sizeof(err)), -1);
    assert_int_equal(sd_http_check_resolve(":443:192.0.2.10", err, sizeof(err)), -1);
    assert_int_equal(sd_http_check_resolve("cm01:443:", err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_display),
        cmocka_unit_test(test_next_link_messages_hide_secrets),
        cmocka_unit_test_setup_teardown(test_fifo_refused_without_waiting, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_socket_refused, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_device_refused, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_directory_refused, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_file_read_and_stopped, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_load_refuses_fifo, dir_setup, dir_teardown),
        cmocka_unit_test(test_session_messages),
        cmocka_unit_test(test_session_credentials_refused),
        cmocka_unit_test_setup_teardown(test_private_files, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_session_keytab_refused, dir_setup, dir_teardown),
        cmocka_unit_test(test_resolve_syntax),
    };
    int rc;

    if (sd_http_global_init() < 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    sd_http_global_cleanup();
    return rc;
}
