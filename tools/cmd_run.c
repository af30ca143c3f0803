/* SPDX-License-Identifier: MIT
 * gru run MODEL.safetensors INPUT.npy [options]: runs a GRU, or a whole GRUPredictor (detected
 * by the tensor classifier.0.weight), on .npy inputs and writes .npy outputs in PyTorch's shapes:
 * y [T, B, D*H] (or [B, T, D*H]), h_n [L*D, B, H]; a predictor's logits [B, C]. Every input is
 * checked before anything runs; errors name the file and the problem. Outputs appear whole or
 * not at all (gru_npy_write renames a complete temporary file; a second output that fails
 * removes the first). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gru/gru.h"

typedef struct run_opts {
    const char *model, *input, *out, *hn, *lengths, *h0, *tab, *prefix, *isa, *weights;
    int batch_first;
} run_opts;

static int fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("gru run: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_FAIL;
}

static int parse(int argc, char **argv, run_opts *o) {
    memset(o, 0, sizeof *o);
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = 0;
        static const char *const names[] = {"-o",       "--hn",  "--isa",     "--weights",
                                            "--lengths", "--h0", "--tab", "--prefix", "--threads"};
        const char **dst[] = {&o->out, &o->hn, &o->isa, &o->weights, &o->lengths, &o->h0, &o->tab, &o->prefix, NULL};
        size_t k;
        for (k = 0; k < sizeof names / sizeof *names; k++)
            if ((r = gru_cli_opt(argc, argv, &i, names[k], &v)) != 0) break;
        if (r < 0) return gru_cli_usage("run: %s needs a value", names[k]);
        if (r > 0) {
            if (dst[k]) {
                *dst[k] = v;
                continue;
            }
            size_t n;
            if (!gru_cli_size(v, 1, 1024, &n)) return gru_cli_usage("run: --threads: '%s' is not an integer in [1, 1024]", v);
            if (gru_set_num_threads(n) != GRU_OK) return fail("--threads %zu: %s", n, gru_last_error());
            continue;
        }
        if (!strcmp(argv[i], "--batch-first")) {
            o->batch_first = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return gru_cli_usage("run: unknown option '%s'", argv[i]);
        } else if (pos == 0) {
            o->model = argv[i], pos++;
        } else if (pos == 1) {
            o->input = argv[i], pos++;
        } else {
            return gru_cli_usage("run: unexpected argument '%s'", argv[i]);
        }
    }
    if (pos < 2) return gru_cli_usage("run: needs MODEL.safetensors and INPUT.npy");
    gru_weight_type wt;
    if (o->weights && gru_weight_type_from_name(o->weights, &wt) != GRU_OK)
        return gru_cli_usage("run: --weights: '%s' is not fp32, fp16, bf16 or int8", o->weights);
    if (o->isa) {
        gru_isa isa;
        if (gru_isa_from_name(o->isa, &isa) != GRU_OK)
            return gru_cli_usage("run: --isa: '%s' is not scalar, avx2, avx512 or neon", o->isa);
        if (gru_set_max_isa(isa) != GRU_OK) return fail("--isa %s: %s", o->isa, gru_last_error());
    }
    return CLI_OK;
}

/* Reads a float32 array of `rank` (and of shape `want`, where want[i] != 0). */
static int read_f32(const char *path, const char *what, size_t rank, const size_t *want, gru_array **a) {
    if (gru_npy_read(path, a) != GRU_OK) return fail("%s: %s", what, gru_last_error());
    if ((*a)->dtype != GRU_DTYPE_F32) return fail("%s: %s: dtype must be float32 ('<f4')", what, path);
    if ((*a)->rank != rank) return fail("%s: %s: rank %zu, expected %zu", what, path, (*a)->rank, rank);
    for (size_t i = 0; i < rank; i++)
        if (want && want[i] && (*a)->shape[i] != want[i])
            return fail("%s: %s: dimension %zu is %zu, expected %zu", what, path, i, (*a)->shape[i], want[i]);
    return CLI_OK;
}

/* lengths [B] (int64 or int32) in [0, T], as int64. */
static int read_lengths(const char *path, size_t B, size_t T, int64_t **out) {
    gru_array *a = NULL;
    int rc = CLI_OK;
    if (gru_npy_read(path, &a) != GRU_OK) return fail("--lengths: %s", gru_last_error());
    if (a->dtype != GRU_DTYPE_I64 && a->dtype != GRU_DTYPE_I32)
        rc = fail("--lengths: %s: dtype must be int64 or int32", path);
    else if (a->rank != 1 || a->shape[0] != B)
        rc = fail("--lengths: %s: shape must be [%zu] (the batch)", path, B);
    int64_t *l = rc ? NULL : malloc(B * sizeof *l);
    if (!rc && !l) rc = fail("out of memory");
    for (size_t b = 0; !rc && b < B; b++) {
        l[b] = a->dtype == GRU_DTYPE_I64 ? ((const int64_t *)a->data)[b] : ((const int32_t *)a->data)[b];
        if (l[b] < 0 || (uint64_t)l[b] > T)
            rc = fail("--lengths: %s: lengths[%zu] = %lld is outside [0, %zu]", path, b, (long long)l[b], T);
    }
    gru_array_destroy(a);
    if (rc) free(l);
    else *out = l;
    return rc;
}

/* Writes the outputs; if the second fails, the first is removed. */
static int write_outputs(const char *p1, const float *d1, size_t r1, const size_t *s1, const char *p2, const float *d2,
                         size_t r2, const size_t *s2) {
    if (p1 && gru_npy_write(p1, GRU_DTYPE_F32, d1, r1, s1) != GRU_OK) return fail("%s", gru_last_error());
    if (p2 && gru_npy_write(p2, GRU_DTYPE_F32, d2, r2, s2) != GRU_OK) {
        const int rc = fail("%s", gru_last_error());
        if (p1) unlink(p1);
        return rc;
    }
    return CLI_OK;
}

static int run_predictor(const run_opts *o, const gru_safetensors *st) {
    if (o->hn || o->h0 || o->prefix)
        return gru_cli_usage("run: %s does not apply to a GRUPredictor (its output is logits, -o)",
                             o->hn ? "--hn" : o->h0 ? "--h0" : "--prefix");
    gru_predictor *p = NULL;
    if (o->weights && strcmp(o->weights, "fp32"))
        return fail("%s: a GRUPredictor runs fp32 weights only (--weights %s)", o->model, o->weights);
    if (gru_predictor_load(st, &p) != GRU_OK) return fail("%s: %s", o->model, gru_last_error());
    gru_predictor_config c;
    gru_predictor_get_config(p, &c);
    gru_array *x = NULL, *tab = NULL;
    int64_t *len = NULL;
    float *logits = NULL;
    const size_t gw[3] = {0, 0, c.graph_dim};
    int rc = read_f32(o->input, "input (graph embeddings [B, T, G])", 3, gw, &x);
    const size_t B = rc ? 0 : x->shape[0], T = rc ? 0 : x->shape[1];
    if (!rc && (!B || !T)) rc = fail("%s: batch and sequence length must be > 0", o->input);
    if (!rc && c.tab_dim && !o->tab) rc = fail("%s: this predictor takes --tab [B, T, %zu] or [B, %zu]", o->model, c.tab_dim, c.tab_dim);
    if (!rc && !c.tab_dim && o->tab) rc = fail("%s: this predictor takes no --tab (tab_dim = 0)", o->model);
    if (!rc && o->tab) {
        if (gru_npy_read(o->tab, &tab) != GRU_OK) rc = fail("--tab: %s", gru_last_error());
        else if (tab->dtype != GRU_DTYPE_F32) rc = fail("--tab: %s: dtype must be float32", o->tab);
        else if (!((tab->rank == 3 && tab->shape[0] == B && tab->shape[1] == T && tab->shape[2] == c.tab_dim) ||
                   (tab->rank == 2 && tab->shape[0] == B && tab->shape[1] == c.tab_dim)))
            rc = fail("--tab: %s: shape must be [%zu, %zu, %zu] or [%zu, %zu]", o->tab, B, T, c.tab_dim, B, c.tab_dim);
    }
    if (!rc && o->lengths) rc = read_lengths(o->lengths, B, T, &len);
    if (!rc && !(logits = malloc(B * c.num_classes * sizeof(float)))) rc = fail("out of memory");
    if (!rc) {
        const gru_predictor_args a = {B, T, x->data, tab ? tab->data : NULL, tab && tab->rank == 3, len, logits, NULL};
        if (gru_predictor_forward(p, &a) != GRU_OK) rc = fail("%s", gru_last_error());
    }
    if (!rc && o->out) {
        const size_t shape[2] = {B, c.num_classes};
        rc = write_outputs(o->out, logits, 2, shape, NULL, NULL, 0, NULL);
    } else if (!rc) {
        for (size_t b = 0; b < B; b++) {
            size_t best = 0;
            printf("logits[%zu] =", b);
            for (size_t k = 0; k < c.num_classes; k++) {
                printf(" %.9g", (double)logits[b * c.num_classes + k]);
                if (logits[b * c.num_classes + k] > logits[b * c.num_classes + best]) best = k;
            }
            printf("  (class %zu)\n", best);
        }
    }
    free(logits), free(len);
    gru_array_destroy(x), gru_array_destroy(tab);
    gru_predictor_destroy(p);
    return rc;
}

static int run_gru(const run_opts *o, const gru_safetensors *st) {
    if (o->tab) return gru_cli_usage("run: --tab applies to a GRUPredictor only");
    gru_weights *w = NULL;
    gru_model *m = NULL;
    if (gru_safetensors_load_gru(st, o->prefix, &w) != GRU_OK) return fail("%s: %s", o->model, gru_last_error());
    gru_weights_info wi;
    gru_weights_get_info(w, &wi);
    gru_config cfg = wi.config;
    if (o->weights) gru_weight_type_from_name(o->weights, &cfg.weights); /* checked by parse */
    const gru_config *c = &cfg;
    const int bf = o->batch_first || wi.batch_first;
    const size_t D = c->bidirectional ? 2 : 1, H = c->hidden_size, LD = c->num_layers * D;
    gru_array *x = NULL, *h0 = NULL;
    int64_t *len = NULL;
    float *y = NULL, *hn = NULL;
    const size_t xw[3] = {0, 0, c->input_size};
    int rc = gru_model_create(&m, c, wi.layers) != GRU_OK ? fail("%s: %s", o->model, gru_last_error()) : CLI_OK;
    if (!rc) rc = read_f32(o->input, bf ? "input ([B, T, I], batch-first)" : "input ([T, B, I])", 3, xw, &x);
    const size_t T = rc ? 0 : x->shape[bf ? 1 : 0], B = rc ? 0 : x->shape[bf ? 0 : 1];
    if (!rc && (!B || !T)) rc = fail("%s: batch and sequence length must be > 0", o->input);
    if (!rc && o->h0) {
        const size_t hw[3] = {LD, B, H};
        rc = read_f32(o->h0, "--h0 ([L*D, B, H])", 3, hw, &h0);
    }
    if (!rc && o->lengths) rc = read_lengths(o->lengths, B, T, &len);
    if (!rc && (!(y = malloc(T * B * D * H * sizeof(float))) || !(hn = malloc(LD * B * H * sizeof(float)))))
        rc = fail("out of memory");
    if (!rc) {
        const gru_forward_args a = {T, B, bf, x->data, h0 ? h0->data : NULL, len, y, hn, NULL};
        if (gru_forward(m, &a, NULL, 0) != GRU_OK) rc = fail("%s", gru_last_error());
    }
    const size_t ys[3] = {bf ? B : T, bf ? T : B, D * H}, hs[3] = {LD, B, H};
    if (!rc && (o->out || o->hn)) {
        rc = write_outputs(o->out, y, 3, ys, o->hn, hn, 3, hs);
    } else if (!rc) {
        printf("y: [%zu, %zu, %zu]%s, h_n: [%zu, %zu, %zu] (write them with -o and --hn)\n", ys[0], ys[1], ys[2],
               bf ? " (batch-first)" : "", hs[0], hs[1], hs[2]);
        for (size_t b = 0; b < B; b++) {
            printf("h_n[%zu, %zu, :] =", LD - 1, b);
            for (size_t j = 0; j < H && j < 8; j++) printf(" %.6g", (double)hn[((LD - 1) * B + b) * H + j]);
            printf("%s\n", H > 8 ? " ..." : "");
        }
    }
    free(y), free(hn), free(len);
    gru_array_destroy(x), gru_array_destroy(h0);
    gru_model_destroy(m);
    gru_weights_destroy(w);
    return rc;
}

int gru_cli_run(int argc, char **argv) {
    run_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc;
    gru_safetensors *st = NULL;
    if (gru_safetensors_open(&st, o.model) != GRU_OK) return fail("%s", gru_last_error());
    size_t i;
    int is_pred = gru_safetensors_find(st, "classifier.0.weight", &i) == GRU_OK;
    rc = is_pred ? run_predictor(&o, st) : run_gru(&o, st);
    gru_safetensors_close(st);
    return rc;
}
