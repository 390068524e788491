/*
 * fuzz_datetime: sd_datetime_parse on the raw bytes (not NUL-terminated, so
 * AddressSanitizer sees any read past the length). An accepted date must be
 * a valid UTC DateAndTime in 1601..9999; a refused one must come with a
 * printable reason, also when the reason buffer is tiny. The first 8 bytes
 * also go to sd_datetime_from_epoch_ms as an int64.
 */
#include "config.h"

#include <string.h>

#include "datetime.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    if (size >= sizeof(ms)) {
        memcpy(&ms, data, sizeof(ms));
        if (sd_datetime_from_epoch_ms(ms, out) == 0)
            fz_check_date(out, SD_DATEANDTIME_LEN);
    }
    return 0;
}
