/* SPDX-License-Identifier: MIT
 * NumPy .npy reader and writer. The header is a Python dict literal; the parser accepts exactly
 * what numpy writes: {'descr': str, 'fortran_order': bool, 'shape': tuple of ints}, in any order,
 * then spaces and a newline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"

static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

typedef struct hdr {
    const char *file;
    const char *p, *end, *start;
    gru_array *a;
    int fortran, seen[3];
} hdr;

#define fail gru_file_error

static gru_status bad(const hdr *h, const char *what) {
    return fail(h->file, GRU_ERR_FORMAT, "malformed header at byte %zu: %s", (size_t)(h->p - h->start), what);
}

static void skip_ws(hdr *h) {
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r')) h->p++;
}

/* Consumes c (after whitespace) if it is next. */
static int eat(hdr *h, char c) {
    skip_ws(h);
    if (h->p < h->end && *h->p == c) return h->p++, 1;
    return 0;
}

/* A quoted string without escapes: *s, *n point into the header. */
static int string(hdr *h, const char **s, size_t *n) {
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"')) return 0;
    const char q = *h->p++;
    *s = h->p;
    while (h->p < h->end && *h->p != q && *h->p != '\\') h->p++;
    if (h->p >= h->end || *h->p != q) return 0;
    *n = (size_t)(h->p++ - *s);
    return 1;
}

static int word(hdr *h, const char *w) {
    const size_t n = strlen(w);
    skip_ws(h);
    if ((size_t)(h->end - h->p) < n || memcmp(h->p, w, n)) return 0;
    h->p += n;
    return 1;
}

static gru_status descr(hdr *h) {
    const char *s;
    size_t n;
    if (!string(h, &s, &n)) return bad(h, "'descr' is not a string (structured dtypes are not supported)");
    static const struct {
        const char *descr;
        gru_dtype dtype;
    } ok[] = {{"<f4", GRU_DTYPE_F32}, {"<i4", GRU_DTYPE_I32}, {"<i8", GRU_DTYPE_I64}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (n == 3 && !memcmp(s, ok[i].descr, 3)) return h->a->dtype = ok[i].dtype, GRU_OK;
    if (n == 3 && s[0] == '>' && (!memcmp(s + 1, "f4", 2) || !memcmp(s + 1, "i4", 2) || !memcmp(s + 1, "i8", 2)))
        return fail(h->file, GRU_ERR_FORMAT, "big-endian data ('%.3s') is not supported", s);
    return fail(h->file, GRU_ERR_FORMAT, "dtype '%.*s' is not supported (want '<f4', '<i4' or '<i8')",
                (int)(n < 20 ? n : 20), s);
}

static gru_status shape(hdr *h) {
    gru_array *a = h->a;
    if (!eat(h, '(')) return bad(h, "'shape' is not a tuple");
    a->rank = 0;
    a->numel = 1;
    int comma = 1; /* a dimension may follow */
    while (!eat(h, ')')) {
        skip_ws(h);
        if (!comma || h->p >= h->end || *h->p < '0' || *h->p > '9') return bad(h, "'shape' is not a tuple of sizes");
        size_t v = 0;
        for (; h->p < h->end && *h->p >= '0' && *h->p <= '9'; h->p++)
            if (!gru_mul_ok(v, 10, &v) || !gru_add_ok(v, (size_t)(*h->p - '0'), &v))
                return fail(h->file, GRU_ERR_FORMAT, "a dimension of 'shape' overflows");
        if (a->rank == GRU_NPY_MAX_RANK) return fail(h->file, GRU_ERR_FORMAT, "rank exceeds %d", GRU_NPY_MAX_RANK);
        a->shape[a->rank++] = v;
        if (!gru_mul_ok(a->numel, v, &a->numel))
            return fail(h->file, GRU_ERR_FORMAT, "the product of 'shape' overflows");
        comma = eat(h, ',');
    }
    if (a->rank == 1 && !comma) return bad(h, "'shape' is '(n)', not a tuple '(n,)'");
    return GRU_OK;
}

static gru_status parse_header(hdr *h) {
    static const char *const keys[3] = {"descr", "fortran_order", "shape"};
    if (!eat(h, '{')) return bad(h, "not a dict");
    while (!eat(h, '}')) {
        const char *k;
        size_t n;
        int key = -1;
        if (!string(h, &k, &n)) return bad(h, "expected a quoted key");
        for (int i = 0; i < 3; i++)
            if (n == strlen(keys[i]) && !memcmp(k, keys[i], n)) key = i;
        if (key < 0) return fail(h->file, GRU_ERR_FORMAT, "unexpected header key '%.*s'", (int)(n < 20 ? n : 20), k);
        if (h->seen[key]++) return fail(h->file, GRU_ERR_FORMAT, "header key '%s' appears twice", keys[key]);
        if (!eat(h, ':')) return bad(h, "expected ':'");
        gru_status s = GRU_OK;
        if (key == 0)
            s = descr(h);
        else if (key == 2)
            s = shape(h);
        else if (word(h, "True"))
            h->fortran = 1;
        else if (word(h, "False"))
            h->fortran = 0;
        else
            s = bad(h, "'fortran_order' is not True or False");
        if (s) return s;
        if (!eat(h, ',')) {
            if (!eat(h, '}')) return bad(h, "expected ',' or '}'");
            break;
        }
    }
    skip_ws(h);
    if (h->p != h->end) return bad(h, "unexpected text after the dict");
    for (int i = 0; i < 3; i++)
        if (!h->seen[i]) return fail(h->file, GRU_ERR_FORMAT, "header lacks '%s'", keys[i]);
    if (h->fortran) return fail(h->file, GRU_ERR_FORMAT, "Fortran-order arrays are not supported");
    return GRU_OK;
}

static size_t dtype_size(gru_dtype t) { return t == GRU_DTYPE_I64 ? 8 : 4; }

gru_status gru_npy_read_memory(const void *data, size_t size, const char *name, gru_array **array) {
    if (!array || (!data && size)) return gru_error(GRU_ERR_NULL, "gru_npy_read_memory: NULL argument");
    const char *f = name ? name : "<memory>";
    const unsigned char *b = data;
    if (size < 10 || memcmp(b, magic, sizeof magic)) return fail(f, GRU_ERR_FORMAT, "not a .npy file (bad magic)");
    if (b[6] < 1 || b[6] > 3 || b[7] != 0) return fail(f, GRU_ERR_FORMAT, "unsupported .npy version %u.%u", b[6], b[7]);
    const size_t at = b[6] == 1 ? 10 : 12;
    if (size < at) return fail(f, GRU_ERR_FORMAT, "truncated before the header length");
    const size_t hl = b[6] == 1 ? gru_le16(b + 8) : gru_le32(b + 8);
    if (hl > size - at) return fail(f, GRU_ERR_FORMAT, "header of %zu bytes runs past the end (%zu bytes)", hl, size);
    gru_array *a = calloc(1, sizeof *a);
    if (!a) return fail(f, GRU_ERR_NOMEM, "out of memory");
    hdr h = {f, (const char *)b + at, (const char *)b + at + hl, (const char *)b + at, a, 0, {0, 0, 0}};
    gru_status s = parse_header(&h);
    const size_t have = size - at - hl;
    size_t bytes = 0;
    if (!s && !gru_mul_ok(a->numel, dtype_size(a->dtype), &bytes))
        s = fail(f, GRU_ERR_FORMAT, "the array's size in bytes overflows");
    if (!s && have < bytes) s = fail(f, GRU_ERR_FORMAT, "truncated: %zu data bytes, the shape needs %zu", have, bytes);
    if (!s && have > bytes) s = fail(f, GRU_ERR_FORMAT, "%zu unexpected bytes after the array data", have - bytes);
    if (!s && bytes && !(a->data = gru_malloc(bytes))) s = fail(f, GRU_ERR_NOMEM, "cannot allocate %zu bytes", bytes);
    if (s) {
        gru_array_destroy(a);
        return s;
    }
    if (bytes) memcpy(a->data, b + at + hl, bytes);
    *array = a;
    return GRU_OK;
}

gru_status gru_npy_read(const char *path, gru_array **array) {
    if (!path || !array) return gru_error(GRU_ERR_NULL, "gru_npy_read: NULL argument");
    void *buf = NULL;
    size_t size = 0;
    gru_status s = gru_file_read(path, &buf, &size);
    if (s) return s;
    s = gru_npy_read_memory(buf, size, path, array);
    gru_free(buf);
    return s;
}

void gru_array_destroy(gru_array *a) {
    if (!a) return;
    gru_free(a->data);
    free(a);
}

gru_status gru_npy_write(const char *path, gru_dtype dtype, const void *data, size_t rank, const size_t *shape) {
    if (!path || (rank && !shape)) return gru_error(GRU_ERR_NULL, "gru_npy_write: NULL argument");
    const char *descr = dtype == GRU_DTYPE_F32   ? "<f4"
                        : dtype == GRU_DTYPE_I32 ? "<i4"
                        : dtype == GRU_DTYPE_I64 ? "<i8"
                                                 : NULL;
    if (!descr) return fail(path, GRU_ERR_INVALID, "npy: can write F32, I32 and I64 arrays only (dtype %d)", dtype);
    if (rank > GRU_NPY_MAX_RANK) return fail(path, GRU_ERR_INVALID, "npy: rank %zu exceeds %d", rank, GRU_NPY_MAX_RANK);
    size_t numel = 1, bytes;
    for (size_t i = 0; i < rank; i++)
        if (!gru_mul_ok(numel, shape[i], &numel)) return fail(path, GRU_ERR_OVERFLOW, "npy: the shape overflows");
    if (!gru_mul_ok(numel, dtype_size(dtype), &bytes)) return fail(path, GRU_ERR_OVERFLOW, "npy: the size overflows");
    if (bytes && !data) return gru_error(GRU_ERR_NULL, "gru_npy_write: NULL data");
    /* Version 1.0 always suffices: 32 dimensions of 20 digits stay far below its 65535-byte header limit. */
    char head[1024];
    size_t n = 10;
    n += (size_t)snprintf(head + n, sizeof head - n, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (size_t i = 0; i < rank; i++)
        n += (size_t)snprintf(head + n, sizeof head - n, "%zu%s", shape[i], i + 1 < rank ? ", " : "");
    n += (size_t)snprintf(head + n, sizeof head - n, "%s), }", rank == 1 ? "," : "");
    const size_t total = (n + 1 + 63) / 64 * 64; /* numpy pads the header so the data starts 64-byte aligned */
    memset(head + n, ' ', total - 1 - n);
    head[total - 1] = '\n';
    memcpy(head, magic, sizeof magic);
    head[6] = 1, head[7] = 0;
    head[8] = (char)((total - 10) & 0xFF), head[9] = (char)((total - 10) >> 8);
    const gru_chunk chunks[2] = {{head, total}, {data, bytes}};
    return gru_file_write_atomic(path, chunks, 2);
}
