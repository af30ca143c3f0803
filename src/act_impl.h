/* SPDX-License-Identifier: MIT
 * sigmoid and tanh written once over the vector vocabulary; included after one vec_*.h, so the
 * scalar reference (vec_scalar.h, fmaf) and every SIMD build perform the same operations on the
 * same constants and give the same bits (docs NUMERICS.md §1-2).
 *
 * Accuracy, checked over all 2^32 inputs by tests/test_act_exhaustive.c against a double oracle:
 * sigmoid <= 2.49 ULP and tanh <= 2.61 ULP wherever the exact result is a normal float.
 * Special values: NaN -> NaN, tanh(+-0) = +-0, tanh(+-inf) = +-1, sigmoid(-inf) = +0,
 * sigmoid(+inf) = 1; sigmoid in [0, 1], tanh in [-1, 1]; both saturate exactly (1 wherever
 * the correctly rounded result is 1; tanh = +-1 for |x| >= TANH_XSAT); sigmoid(x) = +0 for
 * x < SIG_XMIN, where the exact result is below FLT_MIN, and is never subnormal.
 * FTZ/DAZ (MXCSR, FPCR) cannot change a sigmoid result, nor a tanh result unless x is subnormal:
 * no intermediate is subnormal except where it meets a term that dwarfs it (tests/test_act.c).
 * Coefficients: tools/act_coeffs.py (minimax relative error, Lawson iteration, numpy).
 * NaN: the result is x's NaN, quieted, with the sign cleared (sigmoid) or x's sign (tanh). Two
 * steps make it the same bits on every ISA: the scale 2^n, built from the bits of n, which are
 * garbage for a NaN x, goes through vf_min(s, +inf) (+inf for a NaN s, every other s unchanged),
 * so every NaN operand below carries x's payload; and the quotient's sign is cleared (a real
 * result is >= +0), because the sign of a NaN through an FMA with a negative factor, or with
 * two NaN operands, differs between ISAs, compilers and libm's fmaf. No x is kept live to the
 * end for this: the fused gates inline these functions with every register in use. */
#ifndef GRU_SRC_ACT_IMPL_H
#define GRU_SRC_ACT_IMPL_H

/* Range reduction x = n * ln2 / k + r, n = round(x * k / ln2), by the magic-number trick: n lands
 * in the low mantissa bits of x * k / ln2 + magic, and shifting those bits into the exponent field
 * gives *s = 2^(n + bias - 127), bias = magic - 1.5 * 2^23 (n + bias must be in [0, 255]; 0 gives
 * *s = +0, 255 gives *s = +inf). Returns the float n. */
static inline vf v_exp_round(vf x, float k_log2e, float magic, vf *s) {
    const vf vmagic = vf_set1(magic);
    const vf n = vf_fma(x, vf_set1(k_log2e), vmagic);
    *s = vf_min(vi_as_vf(vi_sll(vf_as_vi(n), 23)), vf_set1(__builtin_inff())); /* NaN x: +inf */
    return vf_sub(n, vmagic);
}

#define ACT_LOG2E 0x1.715476p+0f /* 1 / ln 2 */

/* ------------------------------------------------------------------ sigmoid
 * sigmoid(x) = 1 / (1 + E) with E = exp(-x) for every x: 1 + E never cancels, and the result is
 * never above 1 (no select between 1/(1+e) and e/(1+e)). E = 2^n q(t), n = round(-x / ln2),
 * -t = u = x + n ln2 in [-ln2/2, ln2/2] by a two-constant Cody-Waite reduction (SIG_LN2_HI has
 * 15 significant bits: n * SIG_LN2_HI is exact for |n| <= 128), and q(t) = 1 + t (c1 + c2 t + ...
 * + c6 t^5), the degree-6 minimax of exp on that interval (relative error 2.0e-9), evaluated in u
 * with the odd coefficients negated: q = 1 - u (c1 - c2 u + c3 u^2 - ...), which is exact
 * negation, so the same bits as in t. The denominator 1 + q 2^n is one fma.
 * Flush: x < SIG_XMIN (the exact result is below FLT_MIN) is replaced by SIG_XINF, where
 * n = 128 makes 2^n the bit pattern +inf, so 1 + E = +inf and the result is +0. For x >= SIG_XMIN,
 * 1 + E <= 2^126 (n <= 126, and n = 126 only with t <= 0, q <= 1), so the result is >= FLT_MIN.
 * x > SIG_XHI is clamped to it: n = -127 makes 2^n the bit pattern +0 and the result 1 / 1.
 * The only intermediate that can be subnormal is u for a subnormal x, and it only ever meets a
 * constant near 1 or n = 0: FTZ/DAZ cannot change a bit. */
#define SIG_XMIN (-0x1.5D589Ep+6f) /* -87.33654: the least float with sigmoid(x) >= FLT_MIN */
#define SIG_XINF (-0x1.62E430p+6f) /* -88.72284 = -128 ln2: n = 128, 2^n = +inf */
#define SIG_XHI 0x1.601E68p+6f     /* 88.02969 = 127 ln2: n = -127, 2^n = +0 */
#define SIG_MAGIC 0x1.8000FEp+23f  /* 1.5 * 2^23 + 127: s = 2^n */
#define SIG_LN2_HI 0x1.62E400p-1f  /* ln 2 rounded to 16 fractional bits */
#define SIG_LN2_LO 0x1.7F7D1Cp-20f /* ln 2 - SIG_LN2_HI, rounded to float */
#define SIG_C1 0x1.000000p+0f
#define SIG_C2 0x1.FFFFFCp-2f
#define SIG_C3 0x1.55541Ap-3f
#define SIG_C4 0x1.555822p-5f
#define SIG_C5 0x1.126792p-7f
#define SIG_C6 0x1.6AE720p-10f

/* The three stages of one sigmoid, split so that the array loop can overlap them (below). */
static inline void v_sigmoid_reduce(vf x, vf *u, vf *s) { /* u = x + n ln2, s = 2^n */
    const vf xf = vf_select(vf_lt(x, vf_set1(SIG_XMIN)), vf_set1(SIG_XINF), x); /* NaN stays */
    const vf xc = vf_min(vf_set1(SIG_XHI), xf);                                  /* NaN stays */
    const vf n = v_exp_round(xc, -ACT_LOG2E, SIG_MAGIC, s);
    *u = vf_fma(n, vf_set1(SIG_LN2_LO), vf_fma(n, vf_set1(SIG_LN2_HI), xc));
}

static inline vf v_sigmoid_denom(vf u, vf s) { /* 1 + E = 1 + q s */
    const vf one = vf_set1(1.0f);
    vf p = vf_fma(vf_set1(-SIG_C6), u, vf_set1(SIG_C5));
    p = vf_fma(p, u, vf_set1(-SIG_C4));
    p = vf_fma(p, u, vf_set1(SIG_C3));
    p = vf_fma(p, u, vf_set1(-SIG_C2));
    p = vf_fma(p, u, vf_set1(SIG_C1));
    const vf q = vf_fnma(p, u, one); /* exp(-u) */
    return vf_fma(q, s, one);
}

static inline vf v_sigmoid_quot(vf d) { /* the sign bit cleared by shifts: no mask constant to keep live */
    return vi_as_vf(vi_srl(vi_sll(vf_as_vi(vf_div(vf_set1(1.0f), d)), 1), 1));
}

static inline vf v_sigmoid(vf x) {
    vf u, s;
    v_sigmoid_reduce(x, &u, &s);
    return v_sigmoid_quot(v_sigmoid_denom(u, s));
}

/* --------------------------------------------------------------------- tanh
 * tanh|x| = m / (m + 2) with m = expm1(2|x|) >= 0: no cancellation anywhere, and an error in m is
 * damped by 2 / (m + 2). The sign of x is put back at the end (odd; -0 stays -0).
 * |x| = n ln2/2 + h, |h| <= ln2/4, with one constant: TANH_LN2_2 is within 1e-9 of ln2/2 and
 * n <= 26, so the reduction error is below 3e-8 in h and only reaches m where m is large and the
 * result is damped to 1. expm1(2|x|) = 2^n expm1(2h) + (2^n - 1), expm1(2h) = 2h + 2h^2 P(h) with
 * P of degree 4 (minimax relative error of expm1(2h): 1.3e-8), evaluated as u = h + h^2 P (one fma,
 * expm1(2h) / 2) and m = u s2 + (s2 / 2 - 1) (one fma), s2 = 2^(n+1), s2 / 2 - 1 rounded once.
 * |x| is clamped at TANH_XSAT, the least float where tanh rounds to 1: there m + 2 rounds to m, so
 * the quotient is exactly 1 (and no quotient exceeds 1). */
#define TANH_XSAT 0x1.205968p+3f   /* 9.0109138 */
#define TANH_MAGIC 0x1.800100p+23f /* 1.5 * 2^23 + 128: s2 = 2^(n+1) */
#define TANH_LN2_2 0x1.62E430p-2f  /* ln2 / 2 rounded to float */
#define TANH_P0 0x1.FFFFFEp-1f
#define TANH_P1 0x1.5554B0p-1f
#define TANH_P2 0x1.555674p-2f
#define TANH_P3 0x1.1227A0p-3f
#define TANH_P4 0x1.6BEC00p-5f

/* The three stages of one tanh, split like sigmoid's. The sign of x is taken by the last. */
static inline void v_tanh_reduce(vf x, vf *h, vf *s2) { /* |x| = n ln2/2 + h, s2 = 2^(n+1) */
    const vf a = vf_min(vf_set1(TANH_XSAT), vf_andnot(vf_set1(-0.0f), x)); /* NaN stays */
    const vf n = v_exp_round(a, 2.0f * ACT_LOG2E, TANH_MAGIC, s2);
    *h = vf_fma(n, vf_set1(-TANH_LN2_2), a);
}

static inline void v_tanh_terms(vf h, vf s2, vf *m, vf *d) { /* m = expm1(2|x|), d = m + 2 */
    const vf h2 = vf_mul(h, h);
    const vf p01 = vf_fma(vf_set1(TANH_P1), h, vf_set1(TANH_P0));
    vf p = vf_fma(vf_set1(TANH_P3), h, vf_set1(TANH_P2));
    p = vf_fma(vf_set1(TANH_P4), h2, p);
    p = vf_fma(p, h2, p01);
    const vf u = vf_fma(p, h2, h); /* expm1(2h) / 2 */
    *m = vf_fma(u, s2, vf_fma(s2, vf_set1(0.5f), vf_set1(-1.0f)));
    *d = vf_add(*m, vf_set1(2.0f));
}

static inline vf v_tanh_quot(vf m, vf d, vf x) {
    const vf sign_bit = vf_set1(-0.0f);
    return vf_or(vf_andnot(sign_bit, vf_div(m, d)), vf_and(x, sign_bit));
}

static inline vf v_tanh(vf x) {
    vf h, s2, m, d;
    v_tanh_reduce(x, &h, &s2);
    v_tanh_terms(h, s2, &m, &d);
    return v_tanh_quot(m, d, x);
}

/* The array loops, software-pipelined: each iteration reduces vector i + 2, computes the terms of
 * vector i + 1 and divides and stores vector i; then at most one more full vector and one partial
 * one. Every element goes through exactly the operations of v_sigmoid / v_tanh (the bits of the
 * one-vector functions, and of the scalar reference, VL = 1); only the order in which independent
 * vectors are issued changes. Why: one activation is a chain of ~17 dependent vector operations
 * (~60 cycles with the load and the division); issued in order, the out-of-order window fills
 * with operations waiting for their inputs. Issuing each stage one iteration after the stage it
 * depends on measured +15-20% (sigmoid) and +5-8% (tanh) on Zen 4 with AVX2; plain unrolling by
 * 2, loop fission over a block and a 4th stage measured no better. Loads run ahead of stores, so
 * y == x is safe; tanh reloads x[i] for its sign just before storing y[i] (one register fewer
 * carried across iterations: AVX2 has 16). */
static inline void act_sigmoid_loop(float *y, const float *x, size_t n) {
    size_t i = 0;
    if (n >= 2 * VL) {
        vf u, s;
        v_sigmoid_reduce(vf_load(x), &u, &s);
        vf d = v_sigmoid_denom(u, s);
        v_sigmoid_reduce(vf_load(x + VL), &u, &s);
        for (; i + 3 * VL <= n; i += VL) {
            vf u2, s2;
            v_sigmoid_reduce(vf_load(x + i + 2 * VL), &u2, &s2);
            const vf d1 = v_sigmoid_denom(u, s);
            vf_store(y + i, v_sigmoid_quot(d));
            d = d1;
            u = u2;
            s = s2;
        }
        vf_store(y + i, v_sigmoid_quot(d));
        vf_store(y + i + VL, v_sigmoid_quot(v_sigmoid_denom(u, s)));
        i += 2 * VL;
    }
    if (i + VL <= n) {
        vf_store(y + i, v_sigmoid(vf_load(x + i)));
        i += VL;
    }
    if (i < n) vf_store_n(y + i, v_sigmoid(vf_load_n(x + i, n - i)), n - i);
}

static inline void act_tanh_loop(float *y, const float *x, size_t n) {
    size_t i = 0;
    if (n >= 2 * VL) {
        vf h, s2, m, d;
        v_tanh_reduce(vf_load(x), &h, &s2);
        v_tanh_terms(h, s2, &m, &d);
        v_tanh_reduce(vf_load(x + VL), &h, &s2);
        for (; i + 3 * VL <= n; i += VL) {
            vf h2, s22, m1, d1;
            v_tanh_reduce(vf_load(x + i + 2 * VL), &h2, &s22);
            v_tanh_terms(h, s2, &m1, &d1);
            vf_store(y + i, v_tanh_quot(m, d, vf_load(x + i)));
            m = m1;
            d = d1;
            h = h2;
            s2 = s22;
        }
        vf_store(y + i, v_tanh_quot(m, d, vf_load(x + i)));
        v_tanh_terms(h, s2, &m, &d);
        vf_store(y + i + VL, v_tanh_quot(m, d, vf_load(x + i + VL)));
        i += 2 * VL;
    }
    if (i + VL <= n) {
        vf_store(y + i, v_tanh(vf_load(x + i)));
        i += VL;
    }
    if (i < n) vf_store_n(y + i, v_tanh(vf_load_n(x + i, n - i)), n - i);
}

#endif /* GRU_SRC_ACT_IMPL_H */
