/*
 * fuzz_json: sd_decode_json on the raw bytes (a refusal must take back all
 * it added), then sd_decode_document on the same bytes (BOM and UTF-16
 * detection, the JSON/CSV sniffing), each with and without a row cap. See
 * fuzz.h for what is checked; fuzz/run.sh builds it.
 */
#include "config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_decode(sd_decode_json, data, size, 0, 1);
    fz_decode(sd_decode_json, data, size, 3, 1);
    fz_decode(sd_decode_document, data, size, 0, 0);
    fz_decode(sd_decode_document, data, size, 3, 0);
    return 0;
}
