/* SPDX-License-Identifier: MIT */
#include "common.h"

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local char last_error[256];

gru_status gru_error(gru_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

void gru_clear_error(void) { last_error[0] = '\0'; }

const char *gru_last_error(void) { return last_error; }

const char *gru_version(void) { return GRU_VERSION_STRING; }

const char *gru_status_str(gru_status s) {
    switch (s) {
    case GRU_OK: return "GRU_OK: success";
    case GRU_ERR_NULL: return "GRU_ERR_NULL: a required pointer is NULL";
    case GRU_ERR_INVALID: return "GRU_ERR_INVALID: argument out of range";
    case GRU_ERR_OVERFLOW: return "GRU_ERR_OVERFLOW: size overflows";
    case GRU_ERR_NOMEM: return "GRU_ERR_NOMEM: out of memory";
    case GRU_ERR_UNSUPPORTED: return "GRU_ERR_UNSUPPORTED: not supported by this CPU or build";
    case GRU_ERR_SHAPE: return "GRU_ERR_SHAPE: shapes disagree";
    case GRU_ERR_WORKSPACE: return "GRU_ERR_WORKSPACE: workspace too small";
    case GRU_ERR_IO: return "GRU_ERR_IO: file could not be read or written";
    case GRU_ERR_FORMAT: return "GRU_ERR_FORMAT: malformed file";
    }
    return "unknown status";
}

size_t gru_find_above(const float *p, size_t n, float limit) {
    size_t i = 0;
    for (; i < n; i += 256) { /* blocks without an early exit, so the compiler can vectorise them */
        const size_t end = n - i < 256 ? n : i + 256;
        int bad = 0;
        for (size_t j = i; j < end; j++) bad |= !(fabsf(p[j]) < limit);
        if (bad) break;
    }
    for (; i < n; i++)
        if (!(fabsf(p[i]) < limit)) return i;
    return n;
}

void *gru_malloc(size_t bytes) {
    size_t rounded;
    if (bytes == 0 || !gru_align_ok(bytes, &rounded)) return NULL;
    return aligned_alloc(GRU_ALIGN, rounded);
}

void gru_free(void *p) { free(p); }
