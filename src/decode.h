/*
 * decode: turn a source's bytes into validated rows of one table.
 *
 * Handles the text encoding (UTF-8 with or without BOM, UTF-16LE/BE with
 * BOM, text.c), tells JSON from CSV by content and hands the text to that
 * format's decoder, which runs every record through the one validation
 * path (record.h). Which table the rows are of is d->rows->t.
 */
#ifndef SD_DECODE_H
#define SD_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* Detects encoding and format and decodes; 0, or -1 with d->error set. */
int sd_decode_document(struct sd_decode *d, const char *buf, size_t len);

/* The main table's properties (enum sd_col order), by name, case-insensitive:
 * the column, or -1. */
int sd_col_lookup(const char *name, size_t len);
#define sd_col_names (sd_table_status.props)

#endif
