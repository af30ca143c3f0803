/* SPDX-License-Identifier: MIT
 * Whole-file reads and all-or-nothing writes for the file formats. */
#ifndef GRU_SRC_IO_FILE_H
#define GRU_SRC_IO_FILE_H

#include <stddef.h>

#include "common.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the file readers and writers copy little-endian data as is: they need a little-endian host"
#endif

/* Little-endian loads from unaligned bytes. */
static inline uint16_t gru_le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t gru_le32(const unsigned char *p) {
    return (uint32_t)gru_le16(p) | (uint32_t)gru_le16(p + 2) << 16;
}
static inline uint64_t gru_le64(const unsigned char *p) {
    return (uint64_t)gru_le32(p) | (uint64_t)gru_le32(p + 4) << 32;
}

/* Records "<file>: <message>" for gru_last_error() and returns s: every reader's error line names
 * the file it was reading. */
gru_status gru_file_error(const char *file, gru_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reads the whole file at `path` into a gru_malloc'd buffer (*data is NULL when the file is
 * empty). GRU_ERR_IO (message names the path and the system error) or GRU_ERR_NOMEM. */
gru_status gru_file_read(const char *path, void **data, size_t *size);

/* One piece of a file to write. */
typedef struct gru_chunk {
    const void *data;
    size_t size;
} gru_chunk;

/* Writes the chunks in order to a temporary file next to `path`, flushes it and renames it over
 * `path`. On failure the temporary file is removed and `path` is untouched. GRU_ERR_IO. */
gru_status gru_file_write_atomic(const char *path, const gru_chunk *chunks, size_t n);

#endif /* GRU_SRC_IO_FILE_H */
