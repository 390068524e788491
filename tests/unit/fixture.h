/*
 * fixture: what the decoder tests share: a decode context over fresh rows
 * and messages, fixtures read from tests/data/decode, and a row checker.
 */
#ifndef SD_TEST_FIXTURE_H
#define SD_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

#define DT(y, mo, d, h, mi, s, ds) \
    ((const uint8_t[SD_DATEANDTIME_LEN]){ (y) >> 8, (y) & 0xff, mo, d, h, mi, s, ds, '+', 0, 0 })
#define MODEL_NAME "ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/" \
                   "Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4"

struct fx {
    struct sd_rows rows;
    struct sd_msgs msgs;
    struct sd_decode d;
};

/* cmocka setup/teardown; `origin` names the document in messages. */
int fx_setup(void **state, const char *origin);
int fx_teardown(void **state);

/* A fixture from tests/data/decode (or any file), malloc'd to exactly its
 * size (no terminator); *len gets the size. */
char *fx_load(const char *name, size_t *len);
char *fx_load_path(const char *path, size_t *len);
/* sd_decode_document() on a fixture file, or on a string. */
int fx_decode_file(struct fx *fx, const char *name);
int fx_decode_str(struct fx *fx, const char *text);

struct want {
    const char *oid;
    uint32_t category, assets, object_type;
    int32_t type;
    const char *pkg;
    const uint8_t *date;        /* NULL: unknown */
    uint32_t seq;
};

/* Asserts row i of fx->rows is w, field by field. */
void fx_check_row(const struct fx *fx, size_t i, const struct want *w);

#endif
