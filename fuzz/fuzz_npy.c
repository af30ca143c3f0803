/* SPDX-License-Identifier: MIT
 * libFuzzer target: the .npy reader from memory. An accepted array must be exactly as large as its
 * shape says; a rejected input must leave a message and no output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gru/gru.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) abort();                                                                                             \
    } while (0)

static void fuzz_file(const uint8_t *data, size_t size) {
    gru_array *a = NULL;
    if (gru_npy_read_memory(data, size, "fuzz", &a) != GRU_OK) {
        CHECK(gru_last_error()[0] && !a);
        return;
    }
    CHECK(a->rank <= GRU_NPY_MAX_RANK);
    CHECK(a->dtype == GRU_DTYPE_F32 || a->dtype == GRU_DTYPE_I32 || a->dtype == GRU_DTYPE_I64);
    size_t numel = 1;
    for (size_t i = 0; i < a->rank; i++) numel *= a->shape[i];
    CHECK(numel == a->numel && !a->data == !numel);
    const size_t item = a->dtype == GRU_DTYPE_I64 ? 8 : 4;
    CHECK(numel <= size / item);
    if (numel) { /* the last byte must be inside the allocation (ASan) */
        volatile unsigned char last = ((const unsigned char *)a->data)[numel * item - 1];
        (void)last;
    }
    gru_array_destroy(a);
}

/* Two encodings of an input. A raw file; or, when it starts with '{', the header dict up to the
 * first NUL byte, then the data: magic, version 1.0 and header length are filled in, so mutations
 * that resize the header keep its length field right. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!size || data[0] != '{') {
        fuzz_file(data, size);
        return 0;
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t n = nul ? (size_t)(nul - data) : size;
    const size_t rest = nul ? size - n - 1 : 0;
    if (n > 65535) n = 65535;
    uint8_t *f = malloc(10 + n + rest);
    if (!f) return 0;
    memcpy(f, "\x93NUMPY\x01\x00", 8);
    f[8] = (uint8_t)(n & 0xFF), f[9] = (uint8_t)(n >> 8);
    memcpy(f + 10, data, n);
    if (rest) memcpy(f + 10 + n, nul + 1, rest);
    fuzz_file(f, 10 + n + rest);
    free(f);
    return 0;
}
