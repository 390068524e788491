/*
 * fuzz_datetime: sd_datetime_parse on the raw bytes (not NUL-terminated, so
 * AddressSanitizer sees any read past the length). An accepted date must be
 * a valid UTC DateAndTime in 1601..9999; a refused one must come with a
 * printable reason, also when the reason buffer is tiny. The first 8 bytes
 * also go to sd_datetime_from_epoch_ms as an int64.
 *
 * The same bytes are read with options too: Europe/Berlin (its table built
 * once, at the first input; UTC when there is no tzdata) with the de-DE and
 * en-US patterns and with iso, under the same invariants. Up to 80 bytes
 * are also a sourceDateFormat value: parsed, it either fails with a
 * printable reason or reads a few fixed dates without harm.
 */
#include "config.h"

#include <string.h>

#include "datetime.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sd_dateopts fz_opts[3];

static void fz_init_opts(void)
{
    static int done;
    struct sd_tz *tz = NULL;
    char err[400];

    if (done)
        return;
    done = 1;
    if (sd_tz_load("Europe/Berlin", &tz, err, sizeof(err)) < 0 &&
        sd_tz_load("UTC", &tz, err, sizeof(err)) < 0)
        __builtin_trap();
    for (int i = 0; i < 3; i++)
        fz_opts[i].tz = tz;     /* one reference, kept for the whole run */
    FZ_CHECK(sd_datefmt_parse("de-DE", &fz_opts[0].fmt, err, sizeof(err)) == 0);
    FZ_CHECK(sd_datefmt_parse("en-US", &fz_opts[1].fmt, err, sizeof(err)) == 0);
}

static void fz_parse_opts(const uint8_t *data, size_t size, const struct sd_dateopts *o)
{
    uint8_t out[SD_DATEANDTIME_LEN];
    char why[256], tiny[4];
    int rc;

    memset(why, 'x', sizeof(why));
    rc = sd_datetime_parse_opts((const char *)data, size, o, out, why, sizeof(why));
    FZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        fz_check_date(out, SD_DATEANDTIME_LEN);
    } else {
        FZ_CHECK(memchr(why, '\0', sizeof(why)) != NULL);
        FZ_CHECK(why[0] != '\0' && fz_printable(why, strlen(why)));
    }
    FZ_CHECK(sd_datetime_parse_opts((const char *)data, size, o, out, tiny, sizeof(tiny)) == rc);
}

/* The input as a sourceDateFormat value. */
static void fz_datefmt(const uint8_t *data, size_t size)
{
    static const char *const samples[] = {
        "11.08.2026 19:20:37", "8/11/2026 7:20:37 PM", "2026-08-11 19:20:37", "", "1",
    };
    struct sd_dateopts o = fz_opts[2];
    char spec[81], err[400];

    if (size >= sizeof(spec))
        return;
    memcpy(spec, data, size);
    spec[size] = '\0';
    memset(err, 'x', sizeof(err));
    if (sd_datefmt_parse(spec, &o.fmt, err, sizeof(err)) < 0) {
        FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
        FZ_CHECK(err[0] != '\0');
        FZ_CHECK(o.fmt.kind == SD_DATEFMT_ISO);
        return;
    }
    FZ_CHECK(memchr(o.fmt.pattern, '\0', sizeof(o.fmt.pattern)) != NULL);
    FZ_CHECK(o.fmt.nops <= SD_DATEFMT_OPS_MAX);
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
        fz_parse_opts((const uint8_t *)samples[i], strlen(samples[i]), &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[SD_DATEANDTIME_LEN];
    char why[128], tiny[4];
    int64_t ms;
    int rc;

    memset(why, 'x', sizeof(why));
    rc = sd_datetime_parse((const char *)data, size, out, why, sizeof(why));
    FZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        fz_check_date(out, SD_DATEANDTIME_LEN);
    } else {
        FZ_CHECK(memchr(why, '\0', sizeof(why)) != NULL);
        FZ_CHECK(why[0] != '\0' && fz_printable(why, strlen(why)));
    }
    /* the same answer with a reason buffer too small for the reason */
    FZ_CHECK(sd_datetime_parse((const char *)data, size, out, tiny, sizeof(tiny)) == rc);
    FZ_CHECK(rc == 0 || memchr(tiny, '\0', sizeof(tiny)) != NULL);
    FZ_CHECK(sd_datetime_parse((const char *)data, size, out, NULL, 0) == rc);
    fz_init_opts();
    for (int i = 0; i < 3; i++)
        fz_parse_opts(data, size, &fz_opts[i]);
    fz_datefmt(data, size);
    if (size >= sizeof(ms)) {
        memcpy(&ms, data, sizeof(ms));
        if (sd_datetime_from_epoch_ms(ms, out) == 0)
            fz_check_date(out, SD_DATEANDTIME_LEN);
    }
    return 0;
}
