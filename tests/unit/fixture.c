/* fixture: shared helpers of the decoder tests; see fixture.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

int fx_setup(void **state, const char *origin)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    sd_rows_init(&fx->rows);
    sd_msgs_init(&fx->msgs, 100);
    sd_decode_init(&fx->d, origin, &fx->rows, &fx->msgs);
    *state = fx;
    return 0;
}

int fx_teardown(void **state)
{
    struct fx *fx = *state;

    sd_decode_fini(&fx->d);
    sd_msgs_fini(&fx->msgs);
    sd_rows_fini(&fx->rows);
    free(fx);
    return 0;
}

char *fx_load_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    /* exactly n bytes, no terminator: a read past the end is a sanitizer error */
    buf = malloc(n ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

char *fx_load(const char *name, size_t *len)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/decode/%s", TEST_DATA_DIR, name);
    return fx_load_path(path, len);
}

int fx_decode_file(struct fx *fx, const char *name)
{
    size_t len;
    char *buf = fx_load(name, &len);
    int rc = sd_decode_document(&fx->d, buf, len);

    free(buf);
    return rc;
}

int fx_decode_str(struct fx *fx, const char *text)
{
    return sd_decode_document(&fx->d, text, strlen(text));
}

void fx_check_row(const struct fx *fx, size_t i, const struct want *w)
{
    const struct sd_row *r;

    assert_true(i < fx->rows.n);
    r = &fx->rows.v[i];
    assert_int_equal(r->oid_len, strlen(w->oid));
    assert_memory_equal(sd_row_oid(&fx->rows, r), w->oid, r->oid_len);
    assert_int_equal(r->category, w->category);
    assert_int_equal(r->assets, w->assets);
    assert_int_equal(r->object_type, w->object_type);
    assert_int_equal(r->type, w->type);
    assert_int_equal(r->pkg_len, strlen(w->pkg));
    if (r->pkg_len)
        assert_memory_equal(sd_row_pkg(&fx->rows, r), w->pkg, r->pkg_len);
    if (w->date) {
        assert_int_equal(r->date_len, SD_DATEANDTIME_LEN);
        assert_memory_equal(r->date, w->date, SD_DATEANDTIME_LEN);
    } else {
        assert_int_equal(r->date_len, 8);
        assert_memory_equal(r->date, DT(0, 0, 0, 0, 0, 0, 0), 8);
    }
    assert_int_equal(r->seq, w->seq);
}
