/* SPDX-License-Identifier: MIT
 * Gates family, checkasm-style: the reference equals the formulas of gates.h evaluated naively
 * here, and every SIMD ISA equals the reference bit for bit, for both variants, hidden sizes
 * around every block boundary, batch tails, per-row activity, y strides, NaN garbage in every
 * padding lane (which must not leak), guard bytes and untouched gaps, the blocks computed in
 * separate ranges as threads do; for every weight storage type (the formulas use the weights
 * converted here: widened fp16/bf16, or int8 integers and the row scale). A row's bits must not
 * depend on the batch it is in. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "gates.h"
#include "pack.h"
#include "io/half.h"
#include "rig.h"
#include "weights.h"

/* One step's inputs in the logical layout (no padding). */
typedef struct gates_case {
    size_t B, H;
    int variant;
    float *w_hh;          /* [3H][H] */
    float *gx;            /* [B][3][H]: chain starts */
    float *bn;            /* [H] */
    float *h;             /* [B][H] */
    unsigned char *active; /* NULL or [B] */
    size_t ldy;           /* 0: y NULL */
    gru_weight_type wt;   /* storage type the kernels run with */
} gates_case;

typedef struct gates_out {
    float *h; /* [B][H] */
    float *y; /* [B][ldy] or NULL */
} gates_out;

static float qnan(void) { return nanf(""); }

/* Runs table c on the case: lays the inputs out for its nb with NaN in every padding lane, and
 * computes the blocks as `ranges` contiguous ranges (at most one per block), last range first, as
 * threads may: each pass over every range before the next pass. */
static gates_out run(const GruGatesDSP *c, const gates_case *t, size_t misalign, size_t ranges) {
    const size_t B = t->B, H = t->H, hp = (H + c->nb - 1) / c->nb * c->nb, ldgx = 3 * hp + misalign % 3;
    size_t wb;
    cr_assert(gru_pack_gates_bytes(H, c->nb, c->sub, t->wt, &wb));
    float *wp = rig_alloc((wb + 3) / 4, misalign);
    gru_pack_gates(wp, t->w_hh, H, c->nb, c->sub, t->wt);
    float *gx = rig_alloc(B * ldgx, (misalign + 3) % 16), *bn = rig_alloc(hp, misalign);
    float *h_in = rig_alloc(B * hp, (misalign + 7) % 16), *h_out = rig_alloc(B * hp, (misalign + 1) % 16);
    size_t sf;
    cr_assert(gru_gates_scratch_floats(B, hp, t->variant == GRU_VARIANT_RESET_BEFORE, t->wt, &sf));
    float *scratch = sf ? rig_alloc(sf, misalign) : NULL;
    for (size_t i = 0; i < B * ldgx; i++) gx[i] = qnan();
    for (size_t i = 0; i < B * hp; i++) h_in[i] = qnan();
    for (size_t j = 0; j < hp; j++) bn[j] = j < H ? t->bn[j] : qnan();
    for (size_t b = 0; b < B; b++) {
        for (size_t g = 0; g < 3; g++) memcpy(gx + b * ldgx + g * hp, t->gx + (b * 3 + g) * H, H * sizeof(float));
        memcpy(h_in + b * hp, t->h + b * H, H * sizeof(float));
    }
    gates_out o = {malloc(B * H * sizeof(float)), NULL};
    float *y = NULL;
    const size_t yn = t->ldy ? t->ldy * (B - 1) + H : 0;
    if (t->ldy) {
        y = rig_alloc(yn, (misalign + 5) % 16);
        for (size_t i = 0; i < yn; i++) y[i] = qnan();
    }
    const int lbr = t->variant == GRU_VARIANT_LINEAR_BEFORE_RESET;
    gru_gates_fn pass[GRU_GATES_MAX_PASSES];
    const size_t passes = gru_gates_step_passes(c, !lbr, t->wt, pass);
    const size_t nblk = hp / c->nb, nr = ranges < nblk ? ranges : nblk;
    for (size_t p = 0; p < passes; p++)
        for (size_t i = nr; i-- > 0;)
            pass[p](h_out, y, t->ldy, h_in, gx, ldgx, wp, lbr ? bn : NULL, t->active, scratch, B, H, i * nblk / nr,
                    (i + 1) * nblk / nr);
    if (scratch) rig_check_guard(scratch, "scratch");
    rig_check_guard(h_out, "h_out");
    if (y) {
        rig_check_guard(y, "y");
        for (size_t b = 0; b + 1 < B; b++)
            for (size_t j = H; j < t->ldy; j++) cr_assert(isnan(y[b * t->ldy + j]), "y gap after row %zu written", b);
        o.y = malloc(yn * sizeof(float));
        memcpy(o.y, y, yn * sizeof(float));
    }
    for (size_t b = 0; b < B; b++) memcpy(o.h + b * H, h_out + b * hp, H * sizeof(float));
    rig_free(wp), rig_free(gx), rig_free(bn), rig_free(h_in), rig_free(h_out), rig_free(scratch), rig_free(y);
    return o;
}

static void free_out(gates_out *o) { free(o->h), free(o->y); }

static int is_int8(gru_weight_type wt) { return wt == GRU_WEIGHTS_INT8 || wt == GRU_WEIGHTS_INT8_DYNAMIC; }

/* The weights as the kernels of type wt see them: row i of W_hh widened (int8, int8dyn: the
 * integers q), scale[i] the int8 row scale. */
static void convert(const gates_case *t, float *wq, float *scale) {
    const size_t H = t->H;
    for (size_t i = 0; i < 3 * H; i++) {
        const float *w = t->w_hh + i * H;
        scale[i] = is_int8(t->wt) ? gru_int8_scale(w, H) : 1.0f;
        for (size_t k = 0; k < H; k++)
            wq[i * H + k] = t->wt == GRU_WEIGHTS_F16    ? gru_f16_to_f32(gru_f32_to_f16(w[k]))
                            : t->wt == GRU_WEIGHTS_BF16 ? gru_bf16_to_f32(gru_f32_to_bf16(w[k]))
                            : is_int8(t->wt)            ? (float)gru_int8_quantize(w[k], scale[i])
                                                         : w[k];
    }
}

/* int8dyn's step quantizer as gates.h defines it, written independently of the library (rint:
 * ties to even in the default rounding mode): q[0..n) and the returned scale. */
static float quant_oracle(const float *x, size_t n, int32_t *q) {
    float amax = 0.0f;
    int finite = 1;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(x[k])) finite = 0;
        else if (fabsf(x[k]) > amax) amax = fabsf(x[k]);
    }
    const float s = finite ? amax / 127.0f : qnan();
    for (size_t k = 0; k < n; k++) {
        const float v = s > 0.0f ? x[k] / s : 0.0f;
        q[k] = v >= 127.0f ? 127 : v <= -127.0f ? -127 : (int32_t)rintf(v);
    }
    return s;
}

/* x quantized for int8dyn's chains (unused by other types). */
typedef struct qrow {
    int32_t *q;
    float s;
} qrow;

/* chain(start; W row i, x) as gates.h defines it for the case's weight type; qx: x quantized. */
static float chain(const gates_case *t, const float *wq, const float *scale, size_t i, float start, const float *x,
                   const qrow *qx) {
    if (t->wt == GRU_WEIGHTS_INT8_DYNAMIC) {
        int64_t acc = 0;
        for (size_t k = 0; k < t->H; k++) acc += (int64_t)wq[i * t->H + k] * qx->q[k];
        cr_assert(acc >= INT32_MIN && acc <= INT32_MAX);
        return fmaf((float)acc, scale[i] * qx->s, start);
    }
    const int i8 = t->wt == GRU_WEIGHTS_INT8;
    float a = i8 ? 0.0f : start;
    for (size_t k = 0; k < t->H; k++) a = fmaf(x[k], wq[i * t->H + k], a);
    return i8 ? fmaf(scale[i], a, start) : a;
}

/* The formulas of gates.h, one element at a time, with the scalar activations. */
static void naive(const gates_case *t, float *h_out) {
    GruActDSP act;
    gru_act_dsp_init(&act, 0);
    const size_t H = t->H;
    float *r = malloc(H * sizeof *r), *rh = malloc(H * sizeof *rh);
    float *wq = malloc(3 * H * H * sizeof *wq), *sc = malloc(3 * H * sizeof *sc);
    convert(t, wq, sc);
    qrow qh = {malloc(H * sizeof(int32_t)), 0}, qrh = {malloc(H * sizeof(int32_t)), 0};
    for (size_t b = 0; b < t->B; b++) {
        const float *h = t->h + b * H, *gx = t->gx + b * 3 * H;
        qh.s = quant_oracle(h, H, qh.q);
        for (size_t j = 0; j < H; j++) {
            const float a = chain(t, wq, sc, j, gx[j], h, &qh);
            act.sigmoid(&r[j], &a, 1);
            rh[j] = r[j] * h[j];
        }
        qrh.s = quant_oracle(rh, H, qrh.q);
        for (size_t j = 0; j < H; j++) {
            float an, z, n;
            const float az = chain(t, wq, sc, H + j, gx[H + j], h, &qh);
            act.sigmoid(&z, &az, 1);
            if (t->variant == GRU_VARIANT_LINEAR_BEFORE_RESET)
                an = fmaf(r[j], chain(t, wq, sc, 2 * H + j, t->bn[j], h, &qh), gx[2 * H + j]);
            else
                an = chain(t, wq, sc, 2 * H + j, gx[2 * H + j], rh, &qrh);
            act.tanh(&n, &an, 1);
            const int on = !t->active || t->active[b];
            h_out[b * H + j] = on ? fmaf(z, h[j] - n, n) : h[j];
        }
    }
    free(r), free(rh), free(wq), free(sc), free(qh.q), free(qrh.q);
}

static void make_case(rig_rng *r, gates_case *t, size_t B, size_t H, int variant) {
    t->B = B, t->H = H, t->variant = variant;
    t->w_hh = malloc(3 * H * H * sizeof(float));
    t->gx = malloc(B * 3 * H * sizeof(float));
    t->bn = malloc(H * sizeof(float));
    t->h = malloc(B * H * sizeof(float));
    const float ws = 2.0f / sqrtf((float)H);
    for (size_t i = 0; i < 3 * H * H; i++) t->w_hh[i] = rig_uniform(r, -ws, ws);
    for (size_t i = 0; i < B * 3 * H; i++) t->gx[i] = rig_uniform(r, -3.0f, 3.0f);
    for (size_t i = 0; i < H; i++) t->bn[i] = rig_uniform(r, -1.0f, 1.0f);
    for (size_t i = 0; i < B * H; i++) t->h[i] = rig_uniform(r, -1.0f, 1.0f);
    t->active = NULL;
    if (rig_below(r, 2)) {
        t->active = malloc(B);
        const uint32_t mode = rig_below(r, 4); /* 0: all inactive, 1: all active, else random */
        for (size_t b = 0; b < B; b++) t->active[b] = mode == 0 ? 0 : mode == 1 ? 1 : (unsigned char)rig_below(r, 2);
    }
    t->ldy = rig_below(r, 4) ? H + rig_below(r, 3) * (1 + rig_below(r, 7)) : 0;
    t->wt = GRU_WEIGHTS_F32;
}

static void free_case(gates_case *t) { free(t->w_hh), free(t->gx), free(t->bn), free(t->h), free(t->active); }

/* naive == reference == every SIMD ISA for one weight type; y = h_out for active rows, 0 for inactive ones. */
static int check_type(rig_rng *r, gates_case *tc, gru_weight_type wt) {
    gates_case t = *tc;
    t.wt = wt;
    const size_t B = t.B, H = t.H;
    const char *vname = t.variant == GRU_VARIANT_LINEAR_BEFORE_RESET ? "lbr" : "rb";
    GruGatesDSP c0;
    gru_gates_dsp_init(&c0, 0);
    gates_out ref = run(&c0, &t, rig_below(r, 16), 1);
    float *want = malloc(B * H * sizeof *want);
    naive(&t, want);
    for (size_t i = 0; i < B * H; i++)
        cr_assert(!memcmp(want + i, ref.h + i, sizeof *want),
                  "reference gates %s %s B=%zu H=%zu: h'[%zu][%zu] = %a, the formulas give %a", vname,
                  gru_weight_type_name(wt), B, H, i / H, i % H,
                  (double)ref.h[i], (double)want[i]);
    if (ref.y)
        for (size_t b = 0; b < B; b++) {
            const int on = !t.active || t.active[b];
            for (size_t j = 0; j < H; j++) {
                const float e = on ? ref.h[b * H + j] : 0.0f, g = ref.y[b * t.ldy + j];
                cr_assert(!memcmp(&e, &g, sizeof e), "reference gates %s: y[%zu][%zu] = %a, expected %a", vname, b, j,
                          (double)g, (double)e);
            }
        }
    free(want);
    int isas = 0;
    RIG_FOREACH_SIMD_ISA(isa) {
        GruGatesDSP c;
        gru_gates_dsp_init(&c, gru_isa_flags(isa));
        gates_out o = run(&c, &t, rig_below(r, 16), 1 + rig_below(r, 3));
        for (size_t i = 0; i < B * H; i++)
            if (memcmp(ref.h + i, o.h + i, sizeof *o.h))
                cr_assert_fail("gates %s %s %s B=%zu H=%zu active=%s: h'[%zu][%zu] = %a, reference %a",
                               gru_isa_name(isa), gru_weight_type_name(wt), vname, B, H, t.active ? "mask" : "NULL", i / H, i % H, (double)o.h[i], (double)ref.h[i]);
        if (ref.y)
            cr_assert(!memcmp(ref.y, o.y, (t.ldy * (B - 1) + H) * sizeof(float)),
                      "gates %s %s B=%zu H=%zu ldy=%zu: y differs from the reference", gru_isa_name(isa), vname, B, H,
                      t.ldy);
        free_out(&o);
        isas++;
    }
    free_out(&ref);
    return isas;
}

/* Checks one case for every weight type. Returns ISAs. */
static int check_case(rig_rng *r, size_t B, size_t H, int variant) {
    gates_case t;
    make_case(r, &t, B, H, variant);
    int isas = 0;
    for (unsigned wt = 0; wt < GRU_WEIGHT_TYPES; wt++) isas = check_type(r, &t, (gru_weight_type)wt);
    free_case(&t);
    return isas;
}

/* Hidden sizes around every block (4, 16, 32, 64 units) and vector width; batch tails past two
 * row tiles. */
static void sweep(int variant, uint64_t stream) {
    static const size_t hs[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100};
    rig_rng r = rig_rng_init(stream);
    int cases = 0, isas = 0;
    for (size_t i = 0; i < sizeof hs / sizeof *hs; i++)
        for (size_t B = 1; B <= 10; B += 1 + (hs[i] > 32)) {
            isas = check_case(&r, B, hs[i], variant);
            cases++;
        }
    /* Larger H with two or more full row tiles (several row tiles share each sub-block). */
    static const size_t big[][2] = {{13, 129}, {8, 177}, {9, 200}, {12, 353}};
    for (size_t i = 0; i < sizeof big / sizeof *big; i++, cases++) isas = check_case(&r, big[i][0], big[i][1], variant);
    cr_log_info("gates %s: %d shapes x %d weight types x (formulas, reference, %d SIMD ISAs) bit-identical",
                variant == GRU_VARIANT_LINEAR_BEFORE_RESET ? "linear-before-reset" : "reset-before", cases,
                GRU_WEIGHT_TYPES, isas);
}

Test(gates, linear_before_reset) { sweep(GRU_VARIANT_LINEAR_BEFORE_RESET, 21); }
Test(gates, reset_before) { sweep(GRU_VARIANT_RESET_BEFORE, 22); }

/* A row alone (B = 1) gives the same bits as the same row at every position of a batch. */
Test(gates, row_independent) {
    rig_rng r = rig_rng_init(23);
    int isas = 0;
    for (int vt = 0; vt < 2 * GRU_WEIGHT_TYPES; vt++) { /* every variant and weight type */
        const int variant = vt % 2;
        gates_case t;
        make_case(&r, &t, 11, 37, variant);
        t.wt = (gru_weight_type)(vt / 2);
        for (gru_isa isa = GRU_ISA_SCALAR; isa < GRU_ISA_COUNT; isa = (gru_isa)(isa + 1)) {
            if (isa != GRU_ISA_SCALAR && !rig_isa_available(isa)) continue;
            GruGatesDSP c;
            gru_gates_dsp_init(&c, gru_isa_flags(isa));
            gates_out all = run(&c, &t, 2, 1);
            for (size_t b = 0; b < t.B; b++) {
                gates_case one = t;
                one.B = 1;
                one.gx = t.gx + b * 3 * t.H;
                one.h = t.h + b * t.H;
                one.active = t.active ? t.active + b : NULL;
                gates_out o = run(&c, &one, 9, 2);
                cr_assert(!memcmp(o.h, all.h + b * t.H, t.H * sizeof(float)),
                          "gates %s variant %d: row %zu alone differs from in the batch", gru_isa_name(isa), variant, b);
                free_out(&o);
            }
            free_out(&all);
            isas += vt == 0;
        }
        free_case(&t);
    }
    cr_log_info("gates: 11 rows alone equal the rows of a batch, both variants, %d weight types, %d ISAs",
                GRU_WEIGHT_TYPES, isas);
}

/* int8dyn's step quantizer (gru_gates_quantize_row) equals the independent oracle: random rows of
 * every magnitude (subnormal scales included), exact ties, zero rows, rows with inf or NaN
 * (s = NaN, q = 0), and zeros written past n. */
static void check_quant(const float *x, size_t n) {
    int16_t q[300];
    int32_t want[300];
    float s = 0.0f;
    for (size_t k = 0; k < 300; k++) q[k] = 0x5555;
    const size_t np = n + 3;
    gru_gates_quantize_row(q, &s, x, n, np);
    const float ws = quant_oracle(x, n, want);
    cr_assert(rig_to_bits(s) == rig_to_bits(ws) || (isnan(s) && isnan(ws)), "quantizer scale %a, oracle %a", (double)s,
              (double)ws);
    for (size_t k = 0; k < n; k++)
        cr_assert(q[k] == want[k], "quantizer q(%a, s = %a) = %d, oracle %d", (double)x[k], (double)s, q[k], want[k]);
    for (size_t k = n; k < np; k++) cr_assert(q[k] == 0, "quantizer: q[%zu] past n = %zu is %d", k, n, q[k]);
    cr_assert(q[np] == 0x5555, "quantizer wrote past np");
}

Test(gates, int8dyn_quantizer) {
    rig_rng r = rig_rng_init(24);
    float x[297];
    for (int row = 0; row < 3000; row++) {
        const size_t n = 1 + rig_below(&r, 296);
        const float mag = ldexpf(1.0f, (int)rig_below(&r, 300) - 150); /* subnormal to huge */
        for (size_t k = 0; k < n; k++) {
            x[k] = rig_uniform(&r, -mag, mag);
            if (rig_below(&r, 8) == 0) x[k] = rintf(x[k] / mag * 127.0f) * mag / 127.0f; /* near ties */
        }
        check_quant(x, n);
    }
    /* max 127: s = 1, so x / s is x and the halves are exact ties (to even). */
    const float ties[] = {127.0f, 2.5f, -2.5f, 3.5f, -3.5f, 0.5f, -0.5f, 1.5f, 126.5f, -126.5f, -127.0f};
    const int16_t tq[] = {127, 2, -2, 4, -4, 0, 0, 2, 126, -126, -127};
    const size_t nt = sizeof ties / sizeof *ties;
    check_quant(ties, nt);
    int16_t q[16];
    float s;
    gru_gates_quantize_row(q, &s, ties, nt, nt);
    cr_assert(s == 1.0f && !memcmp(q, tq, sizeof tq), "ties are not rounded to even");
    const float zero[4] = {0.0f, -0.0f, 0.0f, -0.0f};
    check_quant(zero, 4);
    gru_gates_quantize_row(q, &s, zero, 4, 6);
    cr_assert(s == 0.0f, "a zero row has scale 0");
    const float inf[4] = {1.0f, -INFINITY, 2.0f, 3.0f}, nan4[4] = {1.0f, 2.0f, 3.0f, NAN};
    const float *bad[2] = {inf, nan4};
    for (int b = 0; b < 2; b++) {
        check_quant(bad[b], 4);
        gru_gates_quantize_row(q, &s, bad[b], 4, 4);
        cr_assert(isnan(s) && !q[0] && !q[1] && !q[2] && !q[3], "a row with inf or NaN: s = NaN, q = 0");
    }
    const float sub[3] = {0x1p-149f, -0x1p-140f, 0x1p-145f}; /* scale 0 and a subnormal scale */
    check_quant(sub, 1);
    check_quant(sub, 3);
    cr_log_info("int8dyn quantizer: 3000 random rows, ties, zero, inf, NaN and subnormal rows equal the oracle");
}
