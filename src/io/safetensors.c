/* SPDX-License-Identifier: MIT
 * safetensors reader: the header is parsed with cJSON and checked completely at open, so the
 * accessors below can trust every offset. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"
#include "io/half.h"
#include "io/safetensors.h"

/* The reference implementation's bound: a larger header is an attack, not a model. */
#define ST_MAX_HEADER 100000000u
/* cJSON keeps numbers as doubles: integers above 2^53 would not be exact. */
#define ST_MAX_INT 9007199254740992.0

typedef struct st_tensor {
    const char *name;
    const char *dtype_name;
    gru_dtype dtype;
    size_t itemsize, rank, numel, begin, end;
    const size_t *shape;
} st_tensor;

struct gru_safetensors {
    char *file;                /* name for messages */
    unsigned char *buf;        /* the whole file */
    const unsigned char *data; /* the data area: buf + 8 + N */
    size_t data_size;
    cJSON *root;         /* owns every name and metadata string */
    size_t n;            /* tensors */
    st_tensor *t;        /* header order */
    st_tensor **by_name; /* sorted by name */
    size_t *dims;        /* all shapes, back to back */
    size_t n_meta;
    const cJSON **meta; /* sorted by key */
};

static const struct {
    const char *name;
    size_t size;
    gru_dtype dtype;
} dtypes[] = {
    {"F32", 4, GRU_DTYPE_F32},   {"F16", 2, GRU_DTYPE_F16},       {"BF16", 2, GRU_DTYPE_BF16},
    {"I32", 4, GRU_DTYPE_I32},   {"I64", 8, GRU_DTYPE_I64},       {"F64", 8, GRU_DTYPE_OTHER},
    {"I8", 1, GRU_DTYPE_OTHER},  {"U8", 1, GRU_DTYPE_OTHER},      {"BOOL", 1, GRU_DTYPE_OTHER},
    {"I16", 2, GRU_DTYPE_OTHER}, {"U16", 2, GRU_DTYPE_OTHER},     {"U32", 4, GRU_DTYPE_OTHER},
    {"U64", 8, GRU_DTYPE_OTHER}, {"F8_E5M2", 1, GRU_DTYPE_OTHER}, {"F8_E4M3", 1, GRU_DTYPE_OTHER},
};

#define fail gru_file_error

/* A non-negative integer that cJSON holds exactly. */
static int json_size(const cJSON *v, size_t *out) {
    if (!cJSON_IsNumber(v)) return 0;
    const double d = v->valuedouble;
    if (!(d >= 0 && d <= ST_MAX_INT) || d != (double)(size_t)d) return 0;
    *out = (size_t)d;
    return 1;
}

/* The member `key` of `obj` (NULL if absent); fails on a duplicate. */
static gru_status member(const char *file, const cJSON *obj, const char *key, const cJSON **out) {
    *out = NULL;
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string || strcmp(c->string, key)) continue;
        if (*out) return fail(file, GRU_ERR_FORMAT, "tensor '%s': duplicate field '%s'", obj->string, key);
        *out = c;
    }
    return GRU_OK;
}

/* qsort comparators over arrays of tensor pointers (no context argument needed). */
static int cmp_name(const void *a, const void *b) {
    return strcmp((*(st_tensor *const *)a)->name, (*(st_tensor *const *)b)->name);
}
static int cmp_begin(const void *a, const void *b) {
    const st_tensor *x = *(st_tensor *const *)a, *y = *(st_tensor *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static int cmp_key(const void *a, const void *b) {
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static gru_status parse_metadata(gru_safetensors *st, const cJSON *m) {
    if (st->meta) return fail(st->file, GRU_ERR_FORMAT, "duplicate __metadata__");
    if (!cJSON_IsObject(m)) return fail(st->file, GRU_ERR_FORMAT, "__metadata__ is not a JSON object");
    size_t n = 0;
    for (const cJSON *c = m->child; c; c = c->next, n++)
        if (!cJSON_IsString(c))
            return fail(st->file, GRU_ERR_FORMAT, "__metadata__ value of '%s' is not a string", c->string);
    if (!(st->meta = malloc((n ? n : 1) * sizeof *st->meta))) return fail(st->file, GRU_ERR_NOMEM, "out of memory");
    for (const cJSON *c = m->child; c; c = c->next) st->meta[st->n_meta++] = c;
    qsort(st->meta, n, sizeof *st->meta, cmp_key);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(st->meta[i - 1]->string, st->meta[i]->string))
            return fail(st->file, GRU_ERR_FORMAT, "__metadata__ has key '%s' twice", st->meta[i]->string);
    return GRU_OK;
}

static gru_status parse_tensor(gru_safetensors *st, const cJSON *e, st_tensor *t, size_t **dims) {
    const char *f = st->file, *name = e->string;
    const cJSON *dtype, *shape, *offs;
    gru_status s;
    if (!cJSON_IsObject(e)) return fail(f, GRU_ERR_FORMAT, "tensor '%s': entry is not a JSON object", name);
    if ((s = member(f, e, "dtype", &dtype)) || (s = member(f, e, "shape", &shape)) ||
        (s = member(f, e, "data_offsets", &offs)))
        return s;
    if (!cJSON_IsString(dtype)) return fail(f, GRU_ERR_FORMAT, "tensor '%s': no string 'dtype'", name);
    if (!cJSON_IsArray(shape)) return fail(f, GRU_ERR_FORMAT, "tensor '%s': no array 'shape'", name);
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2)
        return fail(f, GRU_ERR_FORMAT, "tensor '%s': 'data_offsets' is not [begin, end]", name);
    t->name = name;
    t->dtype_name = dtype->valuestring;
    t->itemsize = 0;
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (!strcmp(dtypes[i].name, t->dtype_name)) t->itemsize = dtypes[i].size, t->dtype = dtypes[i].dtype;
    if (!t->itemsize) return fail(f, GRU_ERR_FORMAT, "tensor '%s': unknown dtype '%.40s'", name, t->dtype_name);
    t->shape = *dims;
    t->rank = 0;
    t->numel = 1;
    for (const cJSON *d = shape->child; d; d = d->next) {
        size_t v;
        if (!json_size(d, &v)) return fail(f, GRU_ERR_FORMAT, "tensor '%s': shape entry is not a size", name);
        if (!gru_mul_ok(t->numel, v, &t->numel))
            return fail(f, GRU_ERR_FORMAT, "tensor '%s': the product of its shape overflows", name);
        (*dims)[t->rank++] = v;
    }
    *dims += t->rank;
    if (!t->rank) t->shape = NULL;
    size_t bytes;
    if (!gru_mul_ok(t->numel, t->itemsize, &bytes))
        return fail(f, GRU_ERR_FORMAT, "tensor '%s': its size in bytes overflows", name);
    if (!json_size(offs->child, &t->begin) || !json_size(offs->child->next, &t->end))
        return fail(f, GRU_ERR_FORMAT, "tensor '%s': data_offsets are not sizes", name);
    if (t->end < t->begin || t->end - t->begin != bytes)
        return fail(f, GRU_ERR_FORMAT, "tensor '%s': data_offsets [%zu, %zu) disagree with %s x %zu = %zu bytes", name,
                    t->begin, t->end, t->dtype_name, t->numel, bytes);
    if (t->end > st->data_size)
        return fail(f, GRU_ERR_FORMAT, "tensor '%s': data_offsets [%zu, %zu) run past the data area (%zu bytes)", name,
                    t->begin, t->end, st->data_size);
    return GRU_OK;
}

/* Sorts by name, then rejects duplicate names and overlapping data. */
static gru_status check_layout(gru_safetensors *st) {
    st_tensor **by_begin = malloc((st->n ? st->n : 1) * sizeof *by_begin);
    if (!by_begin) return fail(st->file, GRU_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < st->n; i++) st->by_name[i] = by_begin[i] = &st->t[i];
    qsort(st->by_name, st->n, sizeof *st->by_name, cmp_name);
    qsort(by_begin, st->n, sizeof *by_begin, cmp_begin);
    gru_status s = GRU_OK;
    for (size_t i = 1; i < st->n && !s; i++)
        if (!strcmp(st->by_name[i - 1]->name, st->by_name[i]->name))
            s = fail(st->file, GRU_ERR_FORMAT, "duplicate tensor name '%s'", st->by_name[i]->name);
    const st_tensor *last = NULL; /* the non-empty tensor reaching furthest so far */
    for (size_t i = 0; i < st->n && !s; i++) {
        const st_tensor *t = by_begin[i];
        if (t->begin == t->end) continue;
        if (last && t->begin < last->end)
            s = fail(st->file, GRU_ERR_FORMAT, "tensors '%s' and '%s' overlap", last->name, t->name);
        if (!last || t->end > last->end) last = t;
    }
    free(by_begin);
    return s;
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Upper bound on the shape entries of all tensors, for one allocation. */
static size_t count_dims(const cJSON *root) {
    size_t total = 0;
    for (const cJSON *e = root->child; e; e = e->next)
        if (cJSON_IsObject(e))
            for (const cJSON *c = e->child; c; c = c->next)
                if (!strcmp(c->string, "shape") && cJSON_IsArray(c)) total += (size_t)cJSON_GetArraySize(c);
    return total;
}

static gru_status parse(gru_safetensors *st) {
    const char *f = st->file;
    const size_t size = st->data_size; /* the whole file until the header is known */
    if (size < 8) return fail(f, GRU_ERR_FORMAT, "%zu bytes: too short for the 8-byte header length", size);
    const uint64_t n = gru_le64(st->buf);
    if (n > ST_MAX_HEADER && n > size - 8)
        return fail(f, GRU_ERR_FORMAT, "header length %llu is absurdly large (limit %u)", (unsigned long long)n,
                    ST_MAX_HEADER);
    if (n > size - 8)
        return fail(f, GRU_ERR_FORMAT, "header length %llu runs past the end of the file (%zu bytes)",
                    (unsigned long long)n, size);
    if (n > ST_MAX_HEADER)
        return fail(f, GRU_ERR_FORMAT, "header length %llu exceeds the limit of %u bytes", (unsigned long long)n,
                    ST_MAX_HEADER);
    st->data = st->buf + 8 + n;
    st->data_size = size - 8 - (size_t)n;
    if (memchr(st->buf + 8, 0, (size_t)n)) return fail(f, GRU_ERR_FORMAT, "header contains a NUL byte");
    /* cJSON reads a NUL-terminated copy: no read past the header even on a parser slip. */
    char *text = malloc((size_t)n + 1);
    if (!text) return fail(f, GRU_ERR_NOMEM, "cannot allocate %llu header bytes", (unsigned long long)n);
    memcpy(text, st->buf + 8, (size_t)n);
    text[n] = '\0';
    const char *end = text;
    /* cJSON records its last error position in a global on every parse: one parse at a time. */
    static pthread_mutex_t cjson_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&cjson_lock);
    st->root = cJSON_ParseWithLengthOpts(text, (size_t)n, &end, 0);
    pthread_mutex_unlock(&cjson_lock);
    const size_t at = (size_t)(end - text);
    size_t trail = at;
    while (st->root && trail < n && is_space((unsigned char)text[trail])) trail++;
    free(text);
    if (!st->root) return fail(f, GRU_ERR_FORMAT, "malformed JSON header (error at byte %zu)", at);
    if (trail < n) return fail(f, GRU_ERR_FORMAT, "unexpected bytes after the JSON header at byte %zu", trail);
    if (!cJSON_IsObject(st->root)) return fail(f, GRU_ERR_FORMAT, "JSON header is not an object");

    size_t count = 0;
    for (const cJSON *e = st->root->child; e; e = e->next) count += strcmp(e->string, "__metadata__") != 0;
    const size_t total_dims = count_dims(st->root);
    st->t = malloc((count ? count : 1) * sizeof *st->t);
    st->by_name = malloc((count ? count : 1) * sizeof *st->by_name);
    st->dims = malloc((total_dims ? total_dims : 1) * sizeof *st->dims);
    if (!st->t || !st->by_name || !st->dims) return fail(f, GRU_ERR_NOMEM, "out of memory for %zu tensors", count);
    size_t *dims = st->dims;
    gru_status s;
    for (const cJSON *e = st->root->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__"))
            s = parse_metadata(st, e);
        else
            s = parse_tensor(st, e, &st->t[st->n++], &dims);
        if (s) return s;
    }
    return check_layout(st);
}

/* Takes ownership of buf (gru_malloc'd, may be NULL when size == 0). */
static gru_status open_owned(gru_safetensors **out, unsigned char *buf, size_t size, const char *name) {
    gru_safetensors *st = calloc(1, sizeof *st);
    const size_t len = strlen(name);
    if (!st || !(st->file = malloc(len + 1))) {
        free(st);
        gru_free(buf);
        return gru_error(GRU_ERR_NOMEM, "%s: out of memory", name);
    }
    memcpy(st->file, name, len + 1);
    st->buf = buf;
    st->data_size = size;
    const gru_status s = parse(st);
    if (s) {
        gru_safetensors_close(st);
        return s;
    }
    *out = st;
    return GRU_OK;
}

gru_status gru_safetensors_open(gru_safetensors **st, const char *path) {
    if (!st || !path) return gru_error(GRU_ERR_NULL, "gru_safetensors_open: NULL argument");
    void *buf;
    size_t size;
    const gru_status s = gru_file_read(path, &buf, &size);
    return s ? s : open_owned(st, buf, size, path);
}

gru_status gru_safetensors_open_memory(gru_safetensors **st, const void *data, size_t size, const char *name) {
    if (!st || (!data && size)) return gru_error(GRU_ERR_NULL, "gru_safetensors_open_memory: NULL argument");
    if (!name) name = "<memory>";
    unsigned char *buf = NULL;
    if (size && !(buf = gru_malloc(size))) return gru_error(GRU_ERR_NOMEM, "%s: cannot copy %zu bytes", name, size);
    if (size) memcpy(buf, data, size);
    return open_owned(st, buf, size, name);
}

void gru_safetensors_close(gru_safetensors *st) {
    if (!st) return;
    cJSON_Delete(st->root);
    free(st->meta);
    free(st->dims);
    free(st->by_name);
    free(st->t);
    gru_free(st->buf);
    free(st->file);
    free(st);
}

const char *gru_safetensors_file(const gru_safetensors *st) { return st->file; }

size_t gru_safetensors_count(const gru_safetensors *st) { return st ? st->n : 0; }

gru_status gru_safetensors_info(const gru_safetensors *st, size_t index, gru_tensor_info *info) {
    if (!st || !info) return gru_error(GRU_ERR_NULL, "gru_safetensors_info: NULL argument");
    if (index >= st->n)
        return fail(st->file, GRU_ERR_INVALID, "tensor index %zu out of range (%zu tensors)", index, st->n);
    const st_tensor *t = &st->t[index];
    *info = (gru_tensor_info){t->name, t->dtype, t->dtype_name, t->rank, t->shape, t->numel};
    return GRU_OK;
}

gru_status gru_safetensors_find(const gru_safetensors *st, const char *name, size_t *index) {
    if (!st || !name || !index) return gru_error(GRU_ERR_NULL, "gru_safetensors_find: NULL argument");
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = strcmp(st->by_name[mid]->name, name);
        if (!c) {
            *index = (size_t)(st->by_name[mid] - st->t);
            return GRU_OK;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return fail(st->file, GRU_ERR_FORMAT, "no tensor named '%s'", name);
}

gru_status gru_safetensors_read_f32(const gru_safetensors *st, size_t index, float *out, size_t count) {
    if (!st) return gru_error(GRU_ERR_NULL, "gru_safetensors_read_f32: NULL handle");
    if (index >= st->n)
        return fail(st->file, GRU_ERR_INVALID, "tensor index %zu out of range (%zu tensors)", index, st->n);
    const st_tensor *t = &st->t[index];
    if (count != t->numel)
        return fail(st->file, GRU_ERR_SHAPE, "tensor '%s' has %zu elements, the buffer %zu", t->name, t->numel, count);
    if (t->dtype != GRU_DTYPE_F32 && t->dtype != GRU_DTYPE_F16 && t->dtype != GRU_DTYPE_BF16)
        return fail(st->file, GRU_ERR_UNSUPPORTED, "tensor '%s' has dtype %s; only F32, F16 and BF16 convert to f32",
                    t->name, t->dtype_name);
    if (!count) return GRU_OK;
    if (!out) return gru_error(GRU_ERR_NULL, "gru_safetensors_read_f32: NULL output");
    const unsigned char *p = st->data + t->begin;
    if (t->dtype == GRU_DTYPE_F32)
        memcpy(out, p, count * sizeof *out);
    else if (t->dtype == GRU_DTYPE_F16)
        for (size_t i = 0; i < count; i++) out[i] = gru_f16_to_f32(gru_le16(p + 2 * i));
    else
        for (size_t i = 0; i < count; i++) out[i] = gru_bf16_to_f32(gru_le16(p + 2 * i));
    return GRU_OK;
}

static const cJSON *find_meta(const gru_safetensors *st, const char *key) {
    size_t lo = 0, hi = st->n_meta;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = strcmp(st->meta[mid]->string, key);
        if (!c) return st->meta[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

gru_status gru_safetensors_metadata(const gru_safetensors *st, const char *key, const char **value) {
    if (!st || !key || !value) return gru_error(GRU_ERR_NULL, "gru_safetensors_metadata: NULL argument");
    const cJSON *m = find_meta(st, key);
    *value = m ? m->valuestring : NULL;
    return GRU_OK;
}

size_t gru_safetensors_metadata_count(const gru_safetensors *st) { return st ? st->n_meta : 0; }

gru_status gru_safetensors_metadata_at(const gru_safetensors *st, size_t index, const char **key, const char **value) {
    if (!st || !key || !value) return gru_error(GRU_ERR_NULL, "gru_safetensors_metadata_at: NULL argument");
    if (index >= st->n_meta)
        return fail(st->file, GRU_ERR_INVALID, "metadata index %zu out of range (%zu entries)", index, st->n_meta);
    *key = st->meta[index]->string;
    *value = st->meta[index]->valuestring;
    return GRU_OK;
}
