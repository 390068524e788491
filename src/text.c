/*
 * text: a source's byte encoding to UTF-8 without BOM (sd_text_utf8, see
 * decode.h).
 *
 * Owns the encodings exports arrive in: UTF-8 with or without BOM (PowerShell
 * 7, Export-Csv -Encoding UTF8) and UTF-16 with BOM (Windows PowerShell 5.1's
 * Out-File and '>' write "Unicode", i.e. UTF-16LE). The conversion is glibc's
 * iconv; this file only picks the source encoding and reports failures.
 * UTF-16 without a BOM is refused rather than guessed: its byte order cannot
 * be known for sure, and a wrong guess turns every character into garbage.
 */
#include "config.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* How many leading bytes are looked at for the NUL that UTF-16 puts in
 * every ASCII character; text in UTF-8 has none there. */
#define UTF16_SNIFF 4

static bool has_bom(const char *buf, size_t len, const char *bom, size_t bomlen)
{
    return len >= bomlen && memcmp(buf, bom, bomlen) == 0;
}

static bool looks_utf16(const char *buf, size_t len)
{
    for (size_t i = 0; i < len && i < UTF16_SNIFF; i++)
        if (buf[i] == '\0')
            return true;
    return false;
}

/* Converts buf[0..len) from `from` to a new NUL-terminated UTF-8 buffer.
 * `skipped` is how many bytes (the BOM) precede buf in the document, so the
 * offset reported for bad input is the offset in the file. */
static int utf16_to_utf8(struct sd_decode *d, const char *from, const char *buf, size_t len,
                         size_t skipped, char **out, size_t *outlen)
{
    iconv_t cd = iconv_open("UTF-8", from);
    size_t cap = len / 2 * 3 + 1;   /* a UTF-16 unit never needs more than 3 bytes */
    char *in = (char *)buf, *dst, *res;
    size_t inleft = len, outleft = cap;

    if (cd == (iconv_t)-1) {
        /* %m: strerror() is not thread-safe and this runs in the loader */
        snprintf(d->error, sizeof(d->error), "%s: cannot convert from %s: %m", d->origin, from);
        return -1;
    }
    res = dst = malloc(cap);
    if (!res) {
        snprintf(d->error, sizeof(d->error), "%s: out of memory", d->origin);
        goto close;
    }
    if (iconv(cd, &in, &inleft, &dst, &outleft) == (size_t)-1) {
        snprintf(d->error, sizeof(d->error), "%s: undecodable UTF-16 at byte offset %zu",
                 d->origin, skipped + (size_t)(in - buf));
        free(res);
        res = NULL;
        goto close;
    }
    *dst = '\0';
    *out = res;
    *outlen = (size_t)(dst - res);
close:
    iconv_close(cd);
    return res ? 0 : -1;
}

int sd_text_utf8(struct sd_decode *d, const char *buf, size_t len,
                 const char **out, size_t *outlen, char **owned)
{
    const char *from = NULL;

    *owned = NULL;
    if (has_bom(buf, len, "\xEF\xBB\xBF", 3)) {
        *out = buf + 3;
        *outlen = len - 3;
        return 0;
    }
    if (has_bom(buf, len, "\xFF\xFE", 2))
        from = "UTF-16LE";
    else if (has_bom(buf, len, "\xFE\xFF", 2))
        from = "UTF-16BE";
    if (from) {
        if (utf16_to_utf8(d, from, buf + 2, len - 2, 2, owned, outlen) < 0)
            return -1;
        *out = *owned;
        return 0;
    }
    if (looks_utf16(buf, len)) {
        snprintf(d->error, sizeof(d->error),
                 "%s: looks like UTF-16 without a byte-order mark", d->origin);
        return -1;
    }
    *out = buf;
    *outlen = len;
    return 0;
}
