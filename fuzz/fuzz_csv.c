/*
 * fuzz_csv: sd_decode_csv on the raw bytes, with and without a row cap.
 * See fuzz.h for what is checked; fuzz/run.sh builds it.
 */
#include "config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_decode(sd_decode_csv, data, size, 0, 0);
    fz_decode(sd_decode_csv, data, size, 3, 0);
    return 0;
}
