/* SPDX-License-Identifier: MIT
 * Peer: oneDNN (Debian libdnnl 2.6, OpenMP build) LBR-GRU forward inference, the same shapes,
 * weights and inputs as ours, mapped from PyTorch's layout: oneDNN orders the gates (u, r, o) =
 * PyTorch's (z, r, n) and LBR-GRU's bias has four rows (b_iz + b_hz, b_ir + b_hr, b_in, b_hn);
 * weights are reordered once into oneDNN's preferred layout (format_tag_any). Setup runs one
 * call and compares its output with ours (same math up to rounding), so a mapping mistake
 * cannot pass as a timing. Threads: omp_set_num_threads(threads) (OMP_NUM_THREADS is read when
 * libgomp loads, too late to set from here). oneDNN's ISA is capped like ours (GRU_ISA). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.h>

#include "bench.h"
#include "common.h"
#include "data.h"
#include "gru_bench.h"
#include "sweep.h"

#define CK(x)                                                                                                          \
    do {                                                                                                               \
        dnnl_status_t s_ = (x);                                                                                        \
        if (s_ != dnnl_success) {                                                                                      \
            snprintf(why, why_len, "oneDNN: %s failed (status %d)", #x, (int)s_);                                      \
            goto fail;                                                                                                 \
        }                                                                                                              \
    } while (0)

enum { SRC_L, SRC_I, W_L, W_I, BIAS, DST_L, DST_I, N_ARGS };

typedef struct dnnl_state {
    dnnl_engine_t eng;
    dnnl_stream_t st;
    dnnl_primitive_t prim;
    dnnl_memory_t mem[N_ARGS];
    dnnl_exec_arg_t args[N_ARGS];
} dnnl_state;

static void dnnl_teardown(void *state) {
    dnnl_state *s = state;
    for (int i = 0; i < N_ARGS; i++)
        if (s->mem[i]) dnnl_memory_destroy(s->mem[i]);
    if (s->prim) dnnl_primitive_destroy(s->prim);
    if (s->st) dnnl_stream_destroy(s->st);
    if (s->eng) dnnl_engine_destroy(s->eng);
    free(s);
}

static void dnnl_run(void *state) {
    dnnl_state *s = state;
    dnnl_primitive_execute(s->prim, s->st, N_ARGS, s->args);
    dnnl_stream_wait(s->st);
}

/* PyTorch gate (r, z, n = 0, 1, 2) of oneDNN gate g (u, r, o). */
static const int pt_gate[3] = {1, 0, 2};

/* Writes layer l, direction d of PyTorch weights into oneDNN's ldigo / ldgo buffers. */
static void map_weights(const gru_bench_shape *sh, const gru_layer_weights *w, float *wl, float *wi, float *b) {
    const size_t H = sh->H, I = sh->I, G = 3;
    const int lbr = sh->variant == GRU_VARIANT_LINEAR_BEFORE_RESET;
    for (size_t ld = 0; ld < sh->L * (size_t)sh->D; ld++) {
        const gru_layer_weights *p = &w[ld];
        float *wl_ld = wl + ld * I * G * H, *wi_ld = wi + ld * H * G * H, *b_ld = b + ld * (lbr ? 4 : 3) * H;
        for (size_t g = 0; g < G; g++) {
            const size_t row0 = (size_t)pt_gate[g] * H;
            for (size_t o = 0; o < H; o++) {
                for (size_t i = 0; i < I; i++) wl_ld[(i * G + g) * H + o] = p->w_ih[(row0 + o) * I + i];
                for (size_t i = 0; i < H; i++) wi_ld[(i * G + g) * H + o] = p->w_hh[(row0 + o) * H + i];
                /* u, r: both biases; o: b_in (LBR, b_hn in row 3) or b_in + b_hn (reset-before). */
                b_ld[g * H + o] = p->b_ih[row0 + o] + (g < 2 || !lbr ? p->b_hh[row0 + o] : 0.0f);
                if (lbr && g == 2) b_ld[3 * H + o] = p->b_hh[row0 + o];
            }
        }
    }
}

static int reorder(dnnl_engine_t eng, dnnl_stream_t st, const dnnl_memory_desc_t *from, dnnl_memory_t src,
                   dnnl_memory_t dst) {
    const dnnl_memory_desc_t *to;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t r;
    if (dnnl_memory_get_memory_desc(dst, &to) != dnnl_success) return 0;
    if (dnnl_reorder_primitive_desc_create(&pd, from, eng, to, eng, NULL) != dnnl_success) return 0;
    dnnl_status_t s = dnnl_primitive_create(&r, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) return 0;
    dnnl_exec_arg_t a[] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    s = dnnl_primitive_execute(r, st, 2, a);
    if (s == dnnl_success) s = dnnl_stream_wait(st);
    dnnl_primitive_destroy(r);
    return s == dnnl_success;
}

/* max |a - b| over n floats. */
static double max_diff(const float *a, const float *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - (double)b[i]));
    return m;
}

static void *dnnl_setup(const gru_bench_entry *e, char *why, size_t why_len) {
    const gru_bench_shape *sh = e->params;
    const gru_config c = gru_bench_shape_config(sh);
    const gru_bench_weights *w = gru_bench_weights_get(&c);
    const float *x = gru_bench_input_get(sh->T * sh->B * sh->I, 0), *h0 = sh->state ? gru_bench_shape_h0(sh) : NULL;
    dnnl_state *s = calloc(1, sizeof *s);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_t wl_usr = NULL, wi_usr = NULL;
    float *ours = NULL;
    if (!s || !w || !x || (sh->state && !h0)) {
        snprintf(why, why_len, "out of memory");
        goto fail;
    }
    const int lbr = sh->variant == GRU_VARIANT_LINEAR_BEFORE_RESET;
    const dnnl_dim_t T = (dnnl_dim_t)sh->T, B = (dnnl_dim_t)sh->B, I = (dnnl_dim_t)sh->I, H = (dnnl_dim_t)sh->H,
                     L = (dnnl_dim_t)sh->L, D = sh->D;
    dnnl_dims_t d_src = {T, B, I}, d_iter = {L, D, B, H}, d_wl = {L, D, I, 3, H}, d_wi = {L, D, H, 3, H},
                d_b = {L, D, lbr ? 4 : 3, H}, d_dst = {T, B, H * D};
    dnnl_memory_desc_t md[N_ARGS], wl_any, wi_any;
    CK(dnnl_engine_create(&s->eng, dnnl_cpu, 0));
    CK(dnnl_stream_create(&s->st, s->eng, dnnl_stream_default_flags));
    CK(dnnl_memory_desc_init_by_tag(&md[SRC_L], 3, d_src, dnnl_f32, dnnl_tnc));
    CK(dnnl_memory_desc_init_by_tag(&md[SRC_I], 4, d_iter, dnnl_f32, dnnl_ldnc));
    CK(dnnl_memory_desc_init_by_tag(&md[W_L], 5, d_wl, dnnl_f32, dnnl_ldigo));
    CK(dnnl_memory_desc_init_by_tag(&md[W_I], 5, d_wi, dnnl_f32, dnnl_ldigo));
    CK(dnnl_memory_desc_init_by_tag(&md[BIAS], 4, d_b, dnnl_f32, dnnl_ldgo));
    CK(dnnl_memory_desc_init_by_tag(&md[DST_L], 3, d_dst, dnnl_f32, dnnl_tnc));
    CK(dnnl_memory_desc_init_by_tag(&md[DST_I], 4, d_iter, dnnl_f32, dnnl_ldnc));
    CK(dnnl_memory_desc_init_by_tag(&wl_any, 5, d_wl, dnnl_f32, dnnl_format_tag_any));
    CK(dnnl_memory_desc_init_by_tag(&wi_any, 5, d_wi, dnnl_f32, dnnl_format_tag_any));
    dnnl_rnn_desc_t rd;
    const dnnl_rnn_direction_t dir = D == 2 ? dnnl_bidirectional_concat : dnnl_unidirectional_left2right;
    if (lbr)
        CK(dnnl_lbr_gru_forward_desc_init(&rd, dnnl_forward_inference, dir, &md[SRC_L], &md[SRC_I], &wl_any, &wi_any,
                                          &md[BIAS], &md[DST_L], &md[DST_I], 0));
    else
        CK(dnnl_gru_forward_desc_init(&rd, dnnl_forward_inference, dir, &md[SRC_L], &md[SRC_I], &wl_any, &wi_any,
                                      &md[BIAS], &md[DST_L], &md[DST_I], 0));
    CK(dnnl_primitive_desc_create(&pd, &rd, NULL, s->eng, NULL));
    const int arg_of[N_ARGS] = {DNNL_ARG_SRC_LAYER, DNNL_ARG_SRC_ITER,  DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER,
                                DNNL_ARG_BIAS,      DNNL_ARG_DST_LAYER, DNNL_ARG_DST_ITER};
    for (int i = 0; i < N_ARGS; i++) {
        const dnnl_memory_desc_t *m = &md[i];
        if (i == W_L || i == W_I) m = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, i == W_L ? 0 : 1);
        CK(dnnl_memory_create(&s->mem[i], m, s->eng, DNNL_MEMORY_ALLOCATE));
        s->args[i].arg = arg_of[i];
        s->args[i].memory = s->mem[i];
    }
    CK(dnnl_memory_create(&wl_usr, &md[W_L], s->eng, DNNL_MEMORY_ALLOCATE));
    CK(dnnl_memory_create(&wi_usr, &md[W_I], s->eng, DNNL_MEMORY_ALLOCATE));
    float *p[N_ARGS], *pwl, *pwi;
    for (int i = 0; i < N_ARGS; i++) CK(dnnl_memory_get_data_handle(s->mem[i], (void **)&p[i]));
    CK(dnnl_memory_get_data_handle(wl_usr, (void **)&pwl));
    CK(dnnl_memory_get_data_handle(wi_usr, (void **)&pwi));
    memcpy(p[SRC_L], x, sh->T * sh->B * sh->I * sizeof(float));
    if (h0) /* ldnc: libgru's [L*D, B, H] */
        memcpy(p[SRC_I], h0, sh->L * (size_t)sh->D * sh->B * sh->H * sizeof(float));
    else
        memset(p[SRC_I], 0, dnnl_memory_desc_get_size(&md[SRC_I]));
    map_weights(sh, w->layers, pwl, pwi, p[BIAS]);
    if (!reorder(s->eng, s->st, &md[W_L], wl_usr, s->mem[W_L]) ||
        !reorder(s->eng, s->st, &md[W_I], wi_usr, s->mem[W_I])) {
        snprintf(why, why_len, "oneDNN: weight reorder failed");
        goto fail;
    }
    CK(dnnl_primitive_create(&s->prim, pd));
    CK(dnnl_primitive_execute(s->prim, s->st, N_ARGS, s->args));
    CK(dnnl_stream_wait(s->st));

    /* Same problem as ours? Our output on the active ISA, compared within fp32 rounding. */
    const gru_model *model;
    const size_t ny = sh->T * sh->B * (size_t)sh->D * sh->H;
    if (gru_bench_model_get(&c, gru_isa_active(), &model, why, why_len) != GRU_OK) goto fail;
    ours = gru_malloc(ny * sizeof(float));
    gru_forward_args a = {.seq_len = sh->T, .batch = sh->B, .x = x, .h0 = h0, .y = ours};
    if (!ours || gru_forward(model, &a, NULL, 0) != GRU_OK) {
        snprintf(why, why_len, "our forward failed: %s", gru_last_error());
        goto fail;
    }
    /* Rounding differences of two fp32 summation orders grow like sqrt(terms): 1e-3 at the I + H
     * = 128 terms of the smallest shapes (measured ~1e-6 there), scaled by sqrt((I + H) / 128) (at
     * H = 1024 oneDNN on 2 threads differs by 1.1e-3). A wrong weight or gate mapping differs by
     * ~0.1 or more, far above that at every shape of the sweep. */
    const double tol = 1e-3 * sqrt(fmax(1.0, (double)(sh->I + sh->H) / 128.0));
    const double diff = max_diff(ours, p[DST_L], ny);
    if (!(diff <= tol)) {
        snprintf(why, why_len, "oneDNN output differs from ours by %g (> %g): not the same GRU", diff, tol);
        goto fail;
    }
    gru_free(ours);
    dnnl_memory_destroy(wl_usr);
    dnnl_memory_destroy(wi_usr);
    dnnl_primitive_desc_destroy(pd);
    return s;
fail:
    gru_free(ours);
    if (wl_usr) dnnl_memory_destroy(wl_usr);
    if (wi_usr) dnnl_memory_destroy(wi_usr);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (s) dnnl_teardown(s);
    return NULL;
}

int gru_bench_have_onednn(void) { return 1; }

const char *gru_bench_onednn_isa(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41:
        return "sse41";
    case dnnl_cpu_isa_avx:
        return "avx";
    case dnnl_cpu_isa_avx2:
        return "avx2";
    case dnnl_cpu_isa_avx2_vnni:
        return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core:
        return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni:
        return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16:
        return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx:
        return "avx512_core_amx";
    default:
        return "other";
    }
}

void gru_bench_add_onednn(gru_bench_list *l, const gru_bench_options *o) {
    omp_set_num_threads(o->threads);
    /* The same ISA ceiling as ours, so GRU_ISA=avx2 compares AVX2 with AVX2. */
    const gru_isa cap = gru_isa_active();
    dnnl_set_max_cpu_isa(cap == GRU_ISA_SCALAR ? dnnl_cpu_isa_sse41
                         : cap == GRU_ISA_AVX2 ? dnnl_cpu_isa_avx2
                                               : dnnl_cpu_isa_all);
    size_t n;
    const gru_bench_shape *shapes = gru_bench_shapes(&n);
    for (size_t k = 0; k < n; k++) {
        const gru_bench_shape *sh = &shapes[k];
        if (!(sh->sets & o->set) || sh->weights != GRU_WEIGHTS_F32) continue; /* fp32 only */
        gru_bench_entry *e = gru_bench_list_add(l);
        gru_bench_fill_shape(e, sh, o, "onednn");
        e->setup = dnnl_setup;
        e->run = dnnl_run;
        e->teardown = dnnl_teardown;
        if (sh->L > 1 && (sh->I != sh->H || sh->D != 1))
            snprintf(e->skip, sizeof e->skip, "oneDNN: more than one layer needs I == H and one direction");
    }
}
