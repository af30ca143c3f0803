/* SPDX-License-Identifier: MIT
 * Files in and out: safetensors (tensors, F16/BF16 widening, GRU loading) and .npy, against
 * fixtures written by PyTorch/numpy (tests/data/make_fixtures.py) and against every malformed
 * input the readers must refuse with GRU_ERR_FORMAT and a message naming the file and the problem. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gru/gru.h"
#include "rig.h"

#ifndef GRU_TEST_DATA_DIR
#error "GRU_TEST_DATA_DIR (tests/data) must be defined by the build"
#endif

static const char *data_path(const char *name) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", GRU_TEST_DATA_DIR, name);
    return buf;
}

#define EXPECT_ERR(call, status, ...)                                                                                  \
    do {                                                                                                               \
        const gru_status s_ = (call);                                                                                  \
        cr_expect_eq(s_, status, "%s -> %s, expected %s (%s)", #call, gru_status_str(s_), gru_status_str(status),      \
                     gru_last_error());                                                                                \
        const char *subs_[] = {__VA_ARGS__}; /* at least one substring */                                              \
        for (size_t i_ = 0; i_ < sizeof subs_ / sizeof subs_[0]; i_++)                                                 \
            cr_expect(strstr(gru_last_error(), subs_[i_]), "message '%s' lacks '%s'", gru_last_error(), subs_[i_]);    \
    } while (0)

/* ------------------------------------------------------ safetensors builder */
/* Assembles a file in memory: tensors are appended with consecutive offsets. */
typedef struct sbuf {
    char json[1 << 16];
    size_t jn;
    unsigned char data[1 << 18];
    size_t dn;
} sbuf;

static sbuf *sb_new(const char *metadata_json) {
    sbuf *b = calloc(1, sizeof *b);
    b->jn = (size_t)sprintf(b->json, "{");
    if (metadata_json) b->jn += (size_t)sprintf(b->json + b->jn, "\"__metadata__\":%s", metadata_json);
    return b;
}

/* Adds a tensor; `shape` is JSON ("[12, 5]"); bytes NULL: filled with a seeded pattern. */
static void sb_add(sbuf *b, const char *name, const char *dtype, const char *shape, size_t nbytes, const void *bytes) {
    cr_assert(b->dn + nbytes <= sizeof b->data);
    if (bytes)
        memcpy(b->data + b->dn, bytes, nbytes);
    else
        for (size_t i = 0; i < nbytes; i++) b->data[b->dn + i] = (unsigned char)(i * 37 + b->dn);
    b->jn += (size_t)snprintf(b->json + b->jn, sizeof b->json - b->jn,
                              "%s\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%zu,%zu]}",
                              b->jn > 1 ? "," : "", name, dtype, shape, b->dn, b->dn + nbytes);
    b->dn += nbytes;
}

/* A raw file: 8-byte length of `json`, `json`, then `dn` data bytes. */
static unsigned char *st_raw(const char *json, size_t jn, const void *data, size_t dn, size_t *size) {
    unsigned char *f = malloc(8 + jn + dn + 1);
    for (int i = 0; i < 8; i++) f[i] = (unsigned char)((uint64_t)jn >> (8 * i));
    memcpy(f + 8, json, jn);
    if (dn) memcpy(f + 8 + jn, data, dn);
    *size = 8 + jn + dn;
    return f;
}

static gru_status sb_open(sbuf *b, gru_safetensors **st, const char *name) {
    b->json[b->jn] = '}';
    size_t size;
    unsigned char *f = st_raw(b->json, b->jn + 1, b->data, b->dn, &size);
    const gru_status s = gru_safetensors_open_memory(st, f, size, name);
    free(f);
    return s;
}

static gru_status open_json(const char *json, size_t dn, gru_safetensors **st) {
    unsigned char data[64] = {0};
    size_t size;
    unsigned char *f = st_raw(json, strlen(json), data, dn, &size);
    const gru_status s = gru_safetensors_open_memory(st, f, size, "case.st");
    free(f);
    return s;
}

/* ---------------------------------------------------------- fixtures (PyTorch) */
static gru_array *read_npy(const char *name) {
    gru_array *a = NULL;
    cr_assert_eq(gru_npy_read(data_path(name), &a), GRU_OK, "%s", gru_last_error());
    return a;
}

/* predictor*.safetensors: gru.* is nn.GRU(5, 4, 2, bidirectional, batch_first); layer 1 reverse's
 * w_ih must equal slice `slice` of gru_w_ih_l1_rev.npy (f32, f16-rounded, bf16-rounded by torch). */
static void check_predictor(const char *file, int slice) {
    gru_weights *w = NULL;
    cr_assert_eq(gru_load_gru_file(data_path(file), NULL, &w), GRU_OK, "%s", gru_last_error());
    gru_weights_info info;
    cr_assert_eq(gru_weights_get_info(w, &info), GRU_OK);
    cr_expect_eq(info.config.input_size, 5);
    cr_expect_eq(info.config.hidden_size, 4);
    cr_expect_eq(info.config.num_layers, 2);
    cr_expect(info.config.bidirectional && info.config.bias);
    cr_expect_eq(info.config.variant, GRU_VARIANT_LINEAR_BEFORE_RESET);
    cr_expect_eq(info.batch_first, 1);
    cr_expect_str_eq(info.prefix, "gru.");
    gru_array *ref = read_npy("gru_w_ih_l1_rev.npy");
    cr_assert(ref->rank == 3 && ref->shape[0] == 3 && ref->shape[1] == 12 && ref->shape[2] == 8);
    cr_expect(!memcmp(info.layers[3].w_ih, (const float *)ref->data + slice * 96, 96 * sizeof(float)),
              "%s: gru.weight_ih_l1_reverse differs from torch's values", file);
    for (size_t i = 0; i < 4; i++) {
        const gru_layer_weights *l = &info.layers[i];
        cr_expect(l->w_ih && l->w_hh && l->b_ih && l->b_hh);
        cr_expect(((uintptr_t)l->w_ih | (uintptr_t)l->w_hh | (uintptr_t)l->b_ih | (uintptr_t)l->b_hh) % 64 == 0);
    }
    gru_array_destroy(ref);
    gru_weights_destroy(w);
}

Test(safetensors, torch_fixture_f32) { check_predictor("predictor.safetensors", 0); }
Test(safetensors, torch_fixture_f16) { check_predictor("predictor_f16.safetensors", 1); }
Test(safetensors, torch_fixture_bf16) { check_predictor("predictor_bf16.safetensors", 2); }

Test(safetensors, torch_fixture_listing) {
    gru_safetensors *st;
    cr_assert_eq(gru_safetensors_open(&st, data_path("predictor.safetensors")), GRU_OK, "%s", gru_last_error());
    cr_expect_eq(gru_safetensors_count(st), 20); /* 16 GRU tensors + 2 Linear layers */
    size_t i;
    cr_assert_eq(gru_safetensors_find(st, "classifier.3.weight", &i), GRU_OK);
    gru_tensor_info t;
    cr_assert_eq(gru_safetensors_info(st, i, &t), GRU_OK);
    cr_expect(t.rank == 2 && t.shape[0] == 3 && t.shape[1] == 64 && t.numel == 192 && t.dtype == GRU_DTYPE_F32);
    cr_expect_str_eq(t.dtype_name, "F32");
    const char *v;
    cr_expect_eq(gru_safetensors_metadata(st, "predictor.num_classes", &v), GRU_OK);
    cr_expect_str_eq(v, "3");
    cr_expect_eq(gru_safetensors_metadata(st, "no.such.key", &v), GRU_OK);
    cr_expect_null(v);
    cr_expect_eq(gru_safetensors_metadata_count(st), 6);
    const char *k0, *k1;
    gru_safetensors_metadata_at(st, 0, &k0, &v);
    gru_safetensors_metadata_at(st, 1, &k1, &v);
    cr_expect(strcmp(k0, k1) < 0, "metadata in key order");
    /* A buffer of the wrong size is refused and left untouched. */
    float out[4] = {7, 7, 7, 7};
    EXPECT_ERR(gru_safetensors_read_f32(st, i, out, 4), GRU_ERR_SHAPE, "classifier.3.weight", "192");
    cr_expect(out[0] == 7 && out[3] == 7);
    EXPECT_ERR(gru_safetensors_find(st, "gru.weight_ih_l9", &i), GRU_ERR_FORMAT, "predictor.safetensors",
               "gru.weight_ih_l9");
    gru_safetensors_close(st);
}

Test(safetensors, prefix_choice) {
    gru_safetensors *st;
    cr_assert_eq(gru_safetensors_open(&st, data_path("predictor.safetensors")), GRU_OK);
    gru_weights *w = NULL;
    cr_expect_eq(gru_safetensors_load_gru(st, "gru", &w), GRU_OK, "prefix without the dot: %s", gru_last_error());
    gru_weights_destroy(w);
    cr_expect_eq(gru_safetensors_load_gru(st, "gru.", &w), GRU_OK);
    gru_weights_destroy(w);
    EXPECT_ERR(gru_safetensors_load_gru(st, "rnn.", &w), GRU_ERR_FORMAT, "predictor.safetensors", "rnn.weight_ih_l0");
    gru_safetensors_close(st);
    EXPECT_ERR(gru_load_gru_file("/nonexistent/x.safetensors", NULL, &w), GRU_ERR_IO, "/nonexistent/x.safetensors");
}

/* ------------------------------------------------------------- F16 / BF16 */
/* The exact value of every 16-bit pattern, computed in double from its fields. */
static int check_widening(const char *dtype, int exp_bits) {
    const int frac_bits = 15 - exp_bits, bias = (1 << (exp_bits - 1)) - 1;
    uint16_t *h = malloc(65536 * 2);
    for (uint32_t i = 0; i < 65536; i++) h[i] = (uint16_t)i;
    sbuf *b = sb_new(NULL);
    sb_add(b, "all", dtype, "[256, 256]", 65536 * 2, h);
    gru_safetensors *st;
    cr_assert_eq(sb_open(b, &st, dtype), GRU_OK, "%s", gru_last_error());
    float *f = malloc(65536 * sizeof *f);
    cr_assert_eq(gru_safetensors_read_f32(st, 0, f, 65536), GRU_OK);
    int bad = 0;
    for (uint32_t i = 0; i < 65536; i++) {
        const int sign = i >> 15, e = (int)(i >> frac_bits) & ((1 << exp_bits) - 1);
        const uint32_t m = i & ((1u << frac_bits) - 1);
        uint32_t fb;
        memcpy(&fb, &f[i], 4);
        int ok;
        if (e == (1 << exp_bits) - 1) /* inf or NaN: payload kept in the top fraction bits */
            ok = (fb & 0x7F800000u) == 0x7F800000u && (fb >> 31) == (uint32_t)sign &&
                 (fb & 0x7FFFFFu) == m << (23 - frac_bits);
        else {
            const double v =
                e ? ldexp(1.0 + ldexp((double)m, -frac_bits), e - bias) : ldexp((double)m, 1 - bias - frac_bits);
            ok = (double)f[i] == (sign ? -v : v) && !!signbit(f[i]) == sign;
        }
        if (!ok && bad++ < 5) cr_log_error("%s 0x%04x -> 0x%08x is not exact", dtype, i, fb);
    }
    free(f);
    free(h);
    free(b);
    gru_safetensors_close(st);
    return bad;
}

Test(safetensors, f16_every_pattern_exact) { cr_expect_eq(check_widening("F16", 5), 0); }
Test(safetensors, bf16_every_pattern_exact) { cr_expect_eq(check_widening("BF16", 8), 0); }

Test(safetensors, other_dtypes_listed_not_converted) {
    sbuf *b = sb_new(NULL);
    sb_add(b, "steps", "I64", "[3]", 24, NULL);
    sb_add(b, "mask", "BOOL", "[2, 2]", 4, NULL);
    sb_add(b, "scalar", "F32", "[]", 4, NULL);
    sb_add(b, "empty", "F32", "[0, 5]", 0, NULL);
    gru_safetensors *st;
    cr_assert_eq(sb_open(b, &st, "types.st"), GRU_OK, "%s", gru_last_error());
    gru_tensor_info t;
    gru_safetensors_info(st, 0, &t);
    cr_expect(t.dtype == GRU_DTYPE_I64 && !strcmp(t.dtype_name, "I64") && t.numel == 3);
    gru_safetensors_info(st, 1, &t);
    cr_expect(t.dtype == GRU_DTYPE_OTHER && !strcmp(t.dtype_name, "BOOL"));
    float out[4];
    EXPECT_ERR(gru_safetensors_read_f32(st, 0, out, 3), GRU_ERR_UNSUPPORTED, "types.st", "steps", "I64");
    EXPECT_ERR(gru_safetensors_read_f32(st, 1, out, 4), GRU_ERR_UNSUPPORTED, "BOOL");
    gru_safetensors_info(st, 2, &t);
    cr_expect(t.rank == 0 && t.numel == 1 && t.shape == NULL);
    cr_expect_eq(gru_safetensors_read_f32(st, 2, out, 1), GRU_OK);
    cr_expect(!memcmp(out, b->data + 28, 4));
    gru_safetensors_info(st, 3, &t);
    cr_expect(t.numel == 0);
    cr_expect_eq(gru_safetensors_read_f32(st, 3, NULL, 0), GRU_OK);
    EXPECT_ERR(gru_safetensors_info(st, 4, &t), GRU_ERR_INVALID, "types.st");
    gru_safetensors_close(st);
    free(b);
}

/* ------------------------------------------------------- malformed headers */
typedef struct bad_case {
    const char *json;
    size_t data_bytes;
    const char *message;
} bad_case;

static const bad_case bad_headers[] = {
    {"{\"a\":", 0, "malformed JSON"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4, "malformed JSON"},
    {"[1, 2]", 0, "not an object"},
    {"\"x\"", 0, "not an object"},
    {"{} x", 0, "unexpected bytes after the JSON header"},
    {"{\"a\":3}", 0, "tensor 'a': entry is not a JSON object"},
    {"{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'Q7'"},
    {"{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "no string 'dtype'"},
    {"{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "no string 'dtype'"},
    {"{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "no array 'shape'"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "not [begin, end]"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "not [begin, end]"},
    {"{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
     "duplicate field 'dtype'"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "shape entry is not a size"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "shape entry is not a size"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8, "shape entry is not a size"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1e300],\"data_offsets\":[0,4]}}", 4, "shape entry is not a size"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e300]}}", 4, "data_offsets are not sizes"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4, "data_offsets are not sizes"},
    /* shape and offsets disagree with the dtype size */
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 24, "disagree with F32 x 6 = 24 bytes"},
    {"{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16, "disagree with F16 x 4 = 8 bytes"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, "disagree"},
    /* shape products that overflow size_t */
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,4]}}", 4,
     "product of its shape overflows"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4503599627370496,2048],\"data_offsets\":[0,4]}}", 4,
     "size in bytes overflows"},
    /* offsets outside the data area, overlapping tensors */
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}}", 8, "run past the data area (8 bytes)"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
     24, "tensors 'a' and 'b' overlap"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
     32, "tensors 'a' and 'b' overlap"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
     "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
     8, "duplicate tensor name 'a'"},
    /* metadata */
    {"{\"__metadata__\":[1]}", 0, "__metadata__ is not a JSON object"},
    {"{\"__metadata__\":{\"k\":1}}", 0, "value of 'k' is not a string"},
    {"{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "has key 'k' twice"},
    {"{\"__metadata__\":{},\"__metadata__\":{}}", 0, "duplicate __metadata__"},
};

Test(safetensors, malformed_headers) {
    for (size_t i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
        const bad_case *c = &bad_headers[i];
        gru_safetensors *st = (gru_safetensors *)&st; /* a failing open must leave it alone */
        gru_safetensors *const before = st;
        const gru_status s = open_json(c->json, c->data_bytes, &st);
        cr_expect_eq(s, GRU_ERR_FORMAT, "case %zu (%s): %s", i, c->json, gru_status_str(s));
        cr_expect(strstr(gru_last_error(), "case.st: ") && strstr(gru_last_error(), c->message),
                  "case %zu: message '%s' lacks '%s'", i, gru_last_error(), c->message);
        cr_expect_eq(st, before, "case %zu wrote the handle", i);
        if (!s) gru_safetensors_close(st);
    }
}

Test(safetensors, malformed_framing) {
    gru_safetensors *st;
    unsigned char f[64] = {0};
    EXPECT_ERR(gru_safetensors_open_memory(&st, f, 5, "short.st"), GRU_ERR_FORMAT, "short.st", "too short");
    EXPECT_ERR(gru_safetensors_open_memory(&st, NULL, 0, "empty.st"), GRU_ERR_FORMAT, "empty.st", "too short");
    f[0] = 100; /* N = 100 > 64 - 8 */
    EXPECT_ERR(gru_safetensors_open_memory(&st, f, 64, "past.st"), GRU_ERR_FORMAT, "past.st", "runs past the end");
    f[0] = 0, f[7] = 0x40; /* N = 2^62 */
    EXPECT_ERR(gru_safetensors_open_memory(&st, f, 64, "huge.st"), GRU_ERR_FORMAT, "huge.st", "absurdly large");
    memset(f, 0, sizeof f);
    f[0] = 4, memcpy(f + 8, "{}\0 ", 4);
    EXPECT_ERR(gru_safetensors_open_memory(&st, f, 12, "nul.st"), GRU_ERR_FORMAT, "nul.st", "NUL byte");
    f[0] = 0; /* N = 0: nothing to parse */
    EXPECT_ERR(gru_safetensors_open_memory(&st, f, 8, "zero.st"), GRU_ERR_FORMAT, "zero.st", "malformed JSON");
    EXPECT_ERR(gru_safetensors_open(&st, "/nonexistent/m.safetensors"), GRU_ERR_IO, "/nonexistent/m.safetensors");
    EXPECT_ERR(gru_safetensors_open(&st, GRU_TEST_DATA_DIR), GRU_ERR_IO, "not a regular file");
    EXPECT_ERR(gru_safetensors_open_memory(NULL, f, 8, NULL), GRU_ERR_NULL, "NULL");
}

Test(safetensors, valid_layouts) {
    /* Padding spaces after the JSON, gaps between tensors, tensors out of order, empty tensors
     * anywhere, a data area longer than the tensors: all valid. */
    gru_safetensors *st;
    cr_expect_eq(open_json("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]},"
                           "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[13,13]},"
                           "\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}   \n",
                           20, &st),
                 GRU_OK, "%s", gru_last_error());
    size_t i;
    cr_expect(gru_safetensors_find(st, "a", &i) == GRU_OK && i == 2);
    cr_expect(gru_safetensors_find(st, "e", &i) == GRU_OK && i == 1);
    gru_safetensors_close(st);
    cr_expect_eq(open_json("{}", 0, &st), GRU_OK);
    cr_expect_eq(gru_safetensors_count(st), 0);
    gru_safetensors_close(st);
}

/* ------------------------------------------------------------ GRU loading */
typedef struct gru_spec {
    const char *prefix;
    size_t I, H, L;
    int bidir, bias;
    const char *meta;
    const char *skip;    /* a tensor name (without prefix) to leave out */
    const char *reshape; /* a tensor name to give the shape `shape` */
    const char *shape;
    const char *extra; /* an extra tensor name (without prefix), F32 [1] */
} gru_spec;

static void add_gru(sbuf *b, const gru_spec *g) {
    static const char *const kinds[4] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
    const size_t D = g->bidir ? 2 : 1, G = 3 * g->H;
    for (size_t l = 0; l < g->L; l++)
        for (size_t d = 0; d < D; d++)
            for (int k = 0; k < (g->bias ? 4 : 2); k++) {
                char name[128], full[160], shape[64];
                snprintf(name, sizeof name, "%s_l%zu%s", kinds[k], l, d ? "_reverse" : "");
                if (g->skip && !strcmp(name, g->skip)) continue;
                const size_t cols = k == 0 ? (l ? D * g->H : g->I) : k == 1 ? g->H : 0;
                if (cols)
                    snprintf(shape, sizeof shape, "[%zu, %zu]", G, cols);
                else
                    snprintf(shape, sizeof shape, "[%zu]", G);
                size_t n = G * (cols ? cols : 1);
                if (g->reshape && !strcmp(name, g->reshape)) {
                    snprintf(shape, sizeof shape, "%s", g->shape);
                    n = 1;
                    for (const char *p = shape; *p;)
                        if (*p >= '0' && *p <= '9')
                            n *= strtoul(p, (char **)&p, 10);
                        else
                            p++;
                }
                snprintf(full, sizeof full, "%s%s", g->prefix, name);
                sb_add(b, full, "F32", shape, n * 4, NULL);
            }
    if (g->extra) {
        char full[160];
        snprintf(full, sizeof full, "%s%s", g->prefix, g->extra);
        sb_add(b, full, "F32", "[1]", 4, NULL);
    }
}

static gru_status load_spec(const gru_spec *g, const char *prefix_arg, gru_weights **w, sbuf **keep) {
    sbuf *b = sb_new(g->meta);
    add_gru(b, g);
    gru_safetensors *st;
    gru_status s = sb_open(b, &st, "gru.st");
    cr_assert_eq(s, GRU_OK, "%s", gru_last_error());
    s = gru_safetensors_load_gru(st, prefix_arg, w);
    gru_safetensors_close(st);
    if (keep)
        *keep = b;
    else
        free(b);
    return s;
}

Test(gru_file, values_and_config) {
    /* Every (I, H, L, D, bias, variant, layout, prefix) combination of a small set, values exact. */
    const char *const prefixes[] = {"", "rnn.", "model.encoder.gru."};
    int n = 0;
    for (int p = 0; p < 3; p++)
        for (int bidir = 0; bidir < 2; bidir++)
            for (int bias = 0; bias < 2; bias++)
                for (size_t L = 1; L <= 3; L += 2) {
                    const gru_spec g = {prefixes[p],
                                        1 + (size_t)p * 3,
                                        1 + (size_t)bidir * 4 + (size_t)bias,
                                        L,
                                        bidir,
                                        bias,
                                        bias ? "{\"gru.variant\":\"reset_before\",\"gru.batch_first\":\"1\"}" : NULL,
                                        NULL,
                                        NULL,
                                        NULL,
                                        NULL};
                    gru_weights *w;
                    sbuf *b;
                    cr_assert_eq(load_spec(&g, NULL, &w, &b), GRU_OK, "%s", gru_last_error());
                    gru_weights_info info;
                    gru_weights_get_info(w, &info);
                    const size_t D = bidir ? 2 : 1, G = 3 * g.H;
                    cr_expect(info.config.input_size == g.I && info.config.hidden_size == g.H &&
                              info.config.num_layers == L && !!info.config.bidirectional == bidir &&
                              !!info.config.bias == bias);
                    cr_expect_eq(info.config.variant,
                                 bias ? GRU_VARIANT_RESET_BEFORE : GRU_VARIANT_LINEAR_BEFORE_RESET);
                    cr_expect_eq(info.batch_first, bias);
                    cr_expect_str_eq(info.prefix, g.prefix);
                    /* The data area holds the tensors in the order add_gru wrote them. */
                    const unsigned char *src = b->data;
                    for (size_t l = 0; l < L; l++)
                        for (size_t d = 0; d < D; d++) {
                            const gru_layer_weights *lw = &info.layers[l * D + d];
                            const float *arr[4] = {lw->w_ih, lw->w_hh, lw->b_ih, lw->b_hh};
                            const size_t len[4] = {G * (l ? D * g.H : g.I), G * g.H, G, G};
                            for (int k = 0; k < (bias ? 4 : 2); k++) {
                                cr_expect(!memcmp(arr[k], src, len[k] * 4), "layer %zu dir %zu array %d", l, d, k);
                                cr_expect((uintptr_t)arr[k] % 64 == 0);
                                src += len[k] * 4;
                            }
                            if (!bias) cr_expect(!lw->b_ih && !lw->b_hh);
                        }
                    gru_weights_destroy(w);
                    free(b);
                    n++;
                }
    cr_expect_eq(n, 24);
}

Test(gru_file, bad_gru_files) {
    const gru_spec ok = {"rnn.", 5, 4, 2, 1, 1, NULL, NULL, NULL, NULL, NULL};
    static const struct {
        const char *skip, *reshape, *shape, *extra, *meta, *message;
    } cases[] = {
        {"weight_hh_l1", NULL, NULL, NULL, NULL, "missing tensor 'rnn.weight_hh_l1'"},
        {"bias_hh_l0_reverse", NULL, NULL, NULL, NULL, "missing tensor 'rnn.bias_hh_l0_reverse'"},
        {"weight_ih_l1_reverse", NULL, NULL, NULL, NULL, "missing tensor 'rnn.weight_ih_l1_reverse'"},
        {NULL, "weight_hh_l1", "[12, 5]", NULL, NULL, "'rnn.weight_hh_l1' has shape [12, 5], expected [12, 4]"},
        {NULL, "weight_ih_l1", "[12, 4]", NULL, NULL, "'rnn.weight_ih_l1' has shape [12, 4], expected [12, 8]"},
        {NULL, "weight_ih_l0", "[13, 5]", NULL, NULL, "expected [3*hidden, input]"},
        {NULL, "weight_ih_l0", "[12, 0]", NULL, NULL, "expected [3*hidden, input]"},
        {NULL, "weight_ih_l0", "[60]", NULL, NULL, "expected [3*hidden, input]"},
        {NULL, "weight_ih_l0_reverse", "[12, 6]", NULL, NULL, "expected [12, 5]"},
        {NULL, "bias_ih_l1", "[12, 1]", NULL, NULL, "'rnn.bias_ih_l1' has shape [12, 1], expected [12]"},
        {NULL, "bias_hh_l0", "[9]", NULL, NULL, "expected [12]"},
        {NULL, NULL, NULL, "weight_ih_l3", NULL, "'rnn.weight_ih_l3' found but 'rnn.weight_ih_l2' is missing"},
        {NULL, NULL, NULL, "bias_hh_l2_reverse", NULL, "'rnn.weight_ih_l2' is missing"},
        {"weight_ih_l0_reverse", NULL, NULL, NULL, NULL, "found but 'rnn.weight_ih_l0_reverse' is missing"},
        {"bias_ih_l0", NULL, NULL, NULL, NULL, "found but 'rnn.bias_ih_l0' is missing"},
        {NULL, NULL, NULL, NULL, "{\"gru.variant\":\"lbr\"}", "gru.variant = 'lbr'"},
        {NULL, NULL, NULL, NULL, "{\"gru.batch_first\":\"2\"}", "gru.batch_first = '2'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gru_spec g = ok;
        g.skip = cases[i].skip, g.reshape = cases[i].reshape, g.shape = cases[i].shape;
        g.extra = cases[i].extra, g.meta = cases[i].meta;
        gru_weights *w = (gru_weights *)&g;
        const gru_status s = load_spec(&g, i % 2 ? "rnn." : NULL, &w, NULL);
        cr_expect_eq(s, GRU_ERR_FORMAT, "case %zu: %s", i, gru_status_str(s));
        cr_expect(strstr(gru_last_error(), "gru.st: ") && strstr(gru_last_error(), cases[i].message),
                  "case %zu: message '%s' lacks '%s'", i, gru_last_error(), cases[i].message);
        cr_expect_eq(w, (gru_weights *)&g, "case %zu wrote the output", i);
    }
}

Test(gru_file, prefix_detection) {
    gru_weights *w;
    /* Two GRUs: auto-detection refuses, an explicit prefix picks one. */
    sbuf *b = sb_new(NULL);
    add_gru(b, &(gru_spec){"enc.", 3, 2, 1, 0, 0, NULL, NULL, NULL, NULL, NULL});
    add_gru(b, &(gru_spec){"dec.", 4, 5, 1, 0, 1, NULL, NULL, NULL, NULL, NULL});
    gru_safetensors *st;
    cr_assert_eq(sb_open(b, &st, "two.st"), GRU_OK);
    EXPECT_ERR(gru_safetensors_load_gru(st, NULL, &w), GRU_ERR_FORMAT, "two.st", "several GRUs", "pass a prefix");
    EXPECT_ERR(gru_safetensors_load_gru(st, "", &w), GRU_ERR_FORMAT, "several GRUs");
    cr_assert_eq(gru_safetensors_load_gru(st, "dec", &w), GRU_OK);
    gru_weights_info info;
    gru_weights_get_info(w, &info);
    cr_expect(info.config.input_size == 4 && info.config.hidden_size == 5 && info.config.bias);
    cr_expect_str_eq(info.prefix, "dec.");
    gru_weights_destroy(w);
    gru_safetensors_close(st);
    free(b);
    /* No GRU at all. */
    b = sb_new(NULL);
    sb_add(b, "classifier.0.weight", "F32", "[2, 2]", 16, NULL);
    cr_assert_eq(sb_open(b, &st, "none.st"), GRU_OK);
    EXPECT_ERR(gru_safetensors_load_gru(st, NULL, &w), GRU_ERR_FORMAT, "none.st", "no GRU");
    gru_safetensors_close(st);
    free(b);
    /* Weights in a dtype that does not convert. */
    b = sb_new(NULL);
    sb_add(b, "weight_ih_l0", "I32", "[3, 1]", 12, NULL);
    sb_add(b, "weight_hh_l0", "I32", "[3, 1]", 12, NULL);
    cr_assert_eq(sb_open(b, &st, "int.st"), GRU_OK);
    EXPECT_ERR(gru_safetensors_load_gru(st, NULL, &w), GRU_ERR_UNSUPPORTED, "int.st", "weight_ih_l0", "I32");
    gru_safetensors_close(st);
    free(b);
}

/* The loaded weights drive the engine as torch's do: the predictor's GRU on a fixed input, within
 * NUMERICS.md section 2 of the float64 oracle (max |ours - oracle| <= 2 max |torch fp32 - oracle| + 1e-6). */
static float max_abs_diff(const float *a, const float *b, size_t n) {
    float m = 0;
    for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(a[i] - b[i]));
    return m;
}

Test(gru_file, drives_the_engine) {
    gru_weights *w;
    cr_assert_eq(gru_load_gru_file(data_path("predictor.safetensors"), NULL, &w), GRU_OK, "%s", gru_last_error());
    gru_weights_info info;
    gru_weights_get_info(w, &info);
    gru_model *m;
    cr_assert_eq(gru_model_create(&m, &info.config, info.layers), GRU_OK, "%s", gru_last_error());
    gru_array *x = read_npy("predictor_x.npy"), *y = read_npy("predictor_y.npy"), *hn = read_npy("predictor_hn.npy");
    cr_assert(x->rank == 3 && x->shape[0] == 2 && x->shape[1] == 3 && x->shape[2] == 5);
    const size_t ny = y->numel / 2, nh = hn->numel / 2;
    cr_assert(ny == 2 * 3 * 8 && nh == 4 * 2 * 4);
    float out_y[48], out_h[32];
    const gru_forward_args a = {
        .seq_len = 3, .batch = 2, .batch_first = info.batch_first, .x = x->data, .y = out_y, .h_n = out_h};
    cr_assert_eq(gru_forward(m, &a, NULL, 0), GRU_OK, "%s", gru_last_error());
    const float *ty = y->data, *th = hn->data;
    const float ey = max_abs_diff(out_y, ty + ny, ny), eh = max_abs_diff(out_h, th + nh, nh);
    const float torch_ey = max_abs_diff(ty, ty + ny, ny), torch_eh = max_abs_diff(th, th + nh, nh);
    cr_expect(ey <= 2 * torch_ey + 1e-6f, "y: ours %g vs torch %g from the float64 oracle", ey, torch_ey);
    cr_expect(eh <= 2 * torch_eh + 1e-6f, "h_n: ours %g vs torch %g from the float64 oracle", eh, torch_eh);
    cr_log_info("max error from float64: y %g (torch %g), h_n %g (torch %g)", ey, torch_ey, eh, torch_eh);
    gru_array_destroy(x), gru_array_destroy(y), gru_array_destroy(hn);
    gru_model_destroy(m);
    gru_weights_destroy(w);
}

/* -------------------------------------------------------------------- npy */
Test(npy, numpy_fixtures) {
    gru_array *a = read_npy("lengths_i32.npy"); /* format 1.0 */
    cr_expect(a->dtype == GRU_DTYPE_I32 && a->rank == 1 && a->shape[0] == 4 && a->numel == 4);
    const int32_t *i32 = a->data;
    cr_expect(i32[0] == 5 && i32[1] == 0 && i32[2] == 7 && i32[3] == 2147483647);
    gru_array_destroy(a);
    a = read_npy("lengths_i64.npy"); /* format 3.0 */
    const int64_t *i64 = a->data;
    cr_expect(a->dtype == GRU_DTYPE_I64 && a->rank == 1 && a->numel == 4);
    cr_expect(i64[0] == 5 && i64[1] == 0 && i64[2] == 7 && i64[3] == (int64_t)1 << 40);
    gru_array_destroy(a);
    a = read_npy("gru_w_ih_l1_rev.npy"); /* format 2.0 */
    cr_expect(a->dtype == GRU_DTYPE_F32 && a->rank == 3 && a->numel == 288 && (uintptr_t)a->data % 64 == 0);
    gru_array_destroy(a);
}

/* Writes through gru_npy_write and reads back; returns the file's bytes in *file. */
static gru_array *round_trip(const char *dir, gru_dtype dtype, const void *data, size_t rank, const size_t *shape) {
    char path[4200];
    snprintf(path, sizeof path, "%s/rt.npy", dir);
    cr_assert_eq(gru_npy_write(path, dtype, data, rank, shape), GRU_OK, "%s", gru_last_error());
    gru_array *a = NULL;
    cr_assert_eq(gru_npy_read(path, &a), GRU_OK, "%s", gru_last_error());
    cr_expect(a->dtype == dtype && a->rank == rank);
    for (size_t i = 0; i < rank; i++) cr_expect_eq(a->shape[i], shape[i]);
    return a;
}

static char *temp_dir(void) {
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/gru_test_io_XXXXXX");
    cr_assert(mkdtemp(dir));
    return dir;
}

static size_t dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    char p[4200];
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') snprintf(p, sizeof p, "%s/%s", dir, e->d_name), remove(p);
    closedir(d);
    rmdir(dir);
}

Test(npy, write_read_round_trips) {
    const char *dir = temp_dir();
    rig_rng r = rig_rng_init(11);
    float f[3 * 5 * 7];
    for (size_t i = 0; i < 105; i++) f[i] = rig_uniform(&r, -3, 3);
    const size_t s3[3] = {3, 5, 7}, s1[1] = {105}, s0[2] = {4, 0};
    const size_t s32[GRU_NPY_MAX_RANK] = {3, 5, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                          1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    gru_array *a = round_trip(dir, GRU_DTYPE_F32, f, 3, s3);
    cr_expect(a->numel == 105 && !memcmp(a->data, f, sizeof f));
    gru_array_destroy(a);
    a = round_trip(dir, GRU_DTYPE_F32, f, 1, s1);
    cr_expect(!memcmp(a->data, f, sizeof f));
    gru_array_destroy(a);
    a = round_trip(dir, GRU_DTYPE_F32, f, 0, NULL); /* a scalar */
    cr_expect(a->numel == 1 && !memcmp(a->data, f, 4));
    gru_array_destroy(a);
    a = round_trip(dir, GRU_DTYPE_F32, NULL, 2, s0); /* empty */
    cr_expect(a->numel == 0 && !a->data);
    gru_array_destroy(a);
    a = round_trip(dir, GRU_DTYPE_F32, f, GRU_NPY_MAX_RANK, s32);
    cr_expect(!memcmp(a->data, f, sizeof f));
    gru_array_destroy(a);
    const int64_t len[3] = {0, 1, INT64_MAX};
    a = round_trip(dir, GRU_DTYPE_I64, len, 1, (size_t[]){3});
    cr_expect(!memcmp(a->data, len, sizeof len));
    gru_array_destroy(a);
    const int32_t len32[2] = {-1, 9};
    a = round_trip(dir, GRU_DTYPE_I32, len32, 1, (size_t[]){2});
    cr_expect(!memcmp(a->data, len32, sizeof len32));
    gru_array_destroy(a);
    cr_expect_eq(dir_entries(dir), 1, "only rt.npy: no temporary file left");
    remove_dir(dir);
}

Test(npy, writer_matches_numpy_bytes) {
    const char *dir = temp_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/w.npy", dir);
    const float v[6] = {0, 0.25f, 0.5f, 0.75f, 1, 1.25f};
    cr_assert_eq(gru_npy_write(path, GRU_DTYPE_F32, v, 2, (size_t[]){2, 3}), GRU_OK);
    FILE *a = fopen(path, "rb"), *b = fopen(data_path("numpy_f32_2x3.npy"), "rb");
    unsigned char x[512], y[512];
    const size_t nx = fread(x, 1, sizeof x, a), ny = fread(y, 1, sizeof y, b);
    fclose(a), fclose(b);
    cr_expect(nx == ny && nx == 128 + 24 && !memcmp(x, y, nx), "gru_npy_write differs from np.save");
    remove_dir(dir);
}

Test(npy, writer_failures_leave_nothing) {
    const char *dir = temp_dir();
    char path[4200];
    const float v[2] = {1, 2};
    EXPECT_ERR(gru_npy_write("/nonexistent/dir/x.npy", GRU_DTYPE_F32, v, 1, (size_t[]){2}), GRU_ERR_IO,
               "/nonexistent/dir/x.npy");
    /* The rename onto a directory fails after the data was written: the temporary must go. */
    snprintf(path, sizeof path, "%s/sub", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    EXPECT_ERR(gru_npy_write(path, GRU_DTYPE_F32, v, 1, (size_t[]){2}), GRU_ERR_IO, "sub");
    cr_expect_eq(dir_entries(dir), 1, "a temporary file was left behind");
    rmdir(path);
    snprintf(path, sizeof path, "%s/x.npy", dir);
    EXPECT_ERR(gru_npy_write(path, GRU_DTYPE_F16, v, 1, (size_t[]){1}), GRU_ERR_INVALID, "F32, I32 and I64");
    EXPECT_ERR(gru_npy_write(path, GRU_DTYPE_F32, v, GRU_NPY_MAX_RANK + 1, (size_t[GRU_NPY_MAX_RANK + 1]){0}),
               GRU_ERR_INVALID, "rank 33");
    EXPECT_ERR(gru_npy_write(path, GRU_DTYPE_F32, v, 2, (size_t[]){SIZE_MAX / 2, 3}), GRU_ERR_OVERFLOW, "overflows");
    EXPECT_ERR(gru_npy_write(path, GRU_DTYPE_F32, NULL, 1, (size_t[]){2}), GRU_ERR_NULL, "NULL data");
    cr_expect_eq(dir_entries(dir), 0);
    /* Overwriting replaces the old file whole. */
    cr_assert_eq(gru_npy_write(path, GRU_DTYPE_F32, v, 1, (size_t[]){2}), GRU_OK);
    cr_assert_eq(gru_npy_write(path, GRU_DTYPE_F32, v, 1, (size_t[]){1}), GRU_OK);
    gru_array *a;
    cr_assert_eq(gru_npy_read(path, &a), GRU_OK);
    cr_expect(a->numel == 1);
    gru_array_destroy(a);
    remove_dir(dir);
}

/* A .npy in memory: magic, version, header length (2 or 4 bytes), `header`, `data_bytes` zeros. */
static gru_status npy_case(int major, int minor, const char *header, size_t data_bytes, gru_array **a) {
    const size_t hl = strlen(header), at = major == 1 ? 10 : 12;
    unsigned char *f = calloc(1, at + hl + data_bytes + 1);
    memcpy(f, "\x93NUMPY", 6);
    f[6] = (unsigned char)major, f[7] = (unsigned char)minor;
    for (size_t i = 0; i < at - 8; i++) f[8 + i] = (unsigned char)(hl >> (8 * i));
    memcpy(f + at, header, hl);
    const gru_status s = gru_npy_read_memory(f, at + hl + data_bytes, "case.npy", a);
    free(f);
    return s;
}

Test(npy, accepted_headers) {
    static const struct {
        int major;
        const char *header;
        size_t bytes;
    } ok[] = {
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   \n", 24},
        {2, "{\"shape\": (), \"fortran_order\": False, \"descr\": \"<i8\"}\n", 8},
        {3, "{'descr':'<i4','fortran_order':False,'shape':(1,)}", 4},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7,)}", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        gru_array *a = NULL;
        const gru_status s = npy_case(ok[i].major, 0, ok[i].header, ok[i].bytes, &a);
        cr_expect_eq(s, GRU_OK, "case %zu: %s", i, gru_last_error());
        gru_array_destroy(a);
    }
}

Test(npy, malformed) {
    static const struct {
        int major, minor;
        const char *header;
        size_t bytes;
        const char *message;
    } bad[] = {
        {4, 0, "{}", 0, "unsupported .npy version 4.0"},
        {1, 1, "{}", 0, "unsupported .npy version 1.1"},
        {0, 0, "{}", 0, "unsupported .npy version 0.0"},
        {1, 0, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}", 8, "big-endian data ('>f4')"},
        {1, 0, "{'descr': '>i8', 'fortran_order': False, 'shape': (2,)}", 16, "big-endian"},
        {1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", 16, "dtype '<f8' is not supported"},
        {1, 0, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,)}", 2, "dtype '|u1' is not supported"},
        {1, 0, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,)}", 4, "dtype '<f2'"},
        {1, 0, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", 8, "structured"},
        {1, 0, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2)}", 16, "Fortran-order"},
        {1, 0, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}", 8, "Fortran-order"},
        {1, 0, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", 8, "not True or False"},
        {1, 0, "{'descr': '<f4', 'shape': (2,)}", 8, "lacks 'fortran_order'"},
        {1, 0, "{'fortran_order': False, 'shape': (2,)}", 8, "lacks 'descr'"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False}", 8, "lacks 'shape'"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8, "unexpected header key 'x'"},
        {1, 0, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8, "'descr' appears twice"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", 8, "not a tuple '(n,)'"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': 2}", 8, "'shape' is not a tuple"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}", 8, "not a tuple of sizes"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", 8, "not a tuple of sizes"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (18446744073709551616,)}", 8,
         "a dimension of 'shape' overflows"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 2)}", 8,
         "product of 'shape' overflows"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,)}", 8,
         "size in bytes overflows"},
        {1, 0,
         "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
         "1,1,1,1)}",
         4, "rank exceeds 32"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", 20,
         "truncated: 20 data bytes, the shape needs 24"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", 28,
         "4 unexpected bytes after the array data"},
        {1, 0, "['descr', '<f4']", 0, "not a dict"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", 8, "unexpected text after the dict"},
        {1, 0, "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", 8, "expected ',' or '}'"},
        {1, 0, "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}", 8, "not a string"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8, "expected ',' or '}'"},
        {1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8, "expected a quoted key"},
        {2, 0, "{descr: '<f4'}", 0, "expected a quoted key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gru_array *a = (gru_array *)&a;
        const gru_status s = npy_case(bad[i].major, bad[i].minor, bad[i].header, bad[i].bytes, &a);
        cr_expect_eq(s, GRU_ERR_FORMAT, "case %zu: %s", i, gru_status_str(s));
        cr_expect(strstr(gru_last_error(), "case.npy: ") && strstr(gru_last_error(), bad[i].message),
                  "case %zu: message '%s' lacks '%s'", i, gru_last_error(), bad[i].message);
        cr_expect_eq(a, (gru_array *)&a, "case %zu wrote the output", i);
    }
    gru_array *a;
    unsigned char f[16] = "\x93NUMPX\x01\x00";
    EXPECT_ERR(gru_npy_read_memory(f, 16, "magic.npy", &a), GRU_ERR_FORMAT, "magic.npy", "bad magic");
    EXPECT_ERR(gru_npy_read_memory(f, 3, "short.npy", &a), GRU_ERR_FORMAT, "bad magic");
    memcpy(f, "\x93NUMPY\x02\x00\x00\x00", 10); /* 2.0 needs 4 length bytes: 11 bytes are too few */
    EXPECT_ERR(gru_npy_read_memory(f, 11, "v2.npy", &a), GRU_ERR_FORMAT, "truncated before the header length");
    memcpy(f, "\x93NUMPY\x01\x00\xff\x00", 10);
    EXPECT_ERR(gru_npy_read_memory(f, 16, "hl.npy", &a), GRU_ERR_FORMAT, "header of 255 bytes runs past the end");
    EXPECT_ERR(gru_npy_read("/nonexistent/a.npy", &a), GRU_ERR_IO, "/nonexistent/a.npy");
}
