/* SPDX-License-Identifier: MIT
 * sigmoid and tanh written once over the vector vocabulary; included after one vec_*.h, so the
 * scalar reference (vec_scalar.h, fmaf) and every SIMD build perform the same operations on the
 * same constants and give the same bits (docs NUMERICS.md §1-2).
 *
 * Accuracy, checked over all 2^32 inputs by tests/test_act_exhaustive.c against a double oracle:
 * sigmoid <= 2.5 ULP and tanh <= 2.6 ULP wherever the exact result is a normal float.
 * Special values: NaN -> NaN, tanh(+-0) = +-0, tanh(+-inf) = +-1, sigmoid(-inf) = +0,
 * sigmoid(+inf) = 1; sigmoid in [0, 1], tanh in [-1, 1]; both saturate exactly (1 wherever
 * the correctly rounded result is 1; tanh = +-1 for |x| >= TANH_XSAT); sigmoid(x) = +0 for
 * x < SIG_XMIN, where the exact result is below FLT_MIN, and no intermediate is ever subnormal
 * for inputs >= SIG_XMIN, so the result does not depend on FTZ/DAZ (MXCSR, FPCR).
 * Coefficients: tools/act_coeffs.py (minimax relative error, Lawson iteration, numpy).
 *
 * Comparison order matters for NaN: vf_max(c, v) and vf_min(c, v) return v when v is NaN. */
#ifndef GRU_SRC_ACT_IMPL_H
#define GRU_SRC_ACT_IMPL_H

/* Two-constant Cody-Waite split of ln 2: LN2_HI has 15 significant bits, so n * LN2_HI is exact
 * for |n| < 512 and the reduction below loses nothing but the LN2_LO term's rounding. */
#define ACT_LN2_HI 0x1.62E400p-1f  /* ln 2 rounded to 16 fractional bits */
#define ACT_LN2_LO 0x1.7F7D1Cp-20f /* ln 2 - ACT_LN2_HI, rounded to float */
#define ACT_LOG2E 0x1.715476p+0f   /* 1 / ln 2 */

/* Range reduction x = n * ln2 / k + r with n = round(k * x / ln 2) (k = 1 or 2 through `scale`),
 * by the magic-number trick: n lands in the low mantissa bits of x * scale / ln 2 + magic, and
 * shifting those bits into the exponent field gives 2^(n + bias - 127) with bias = magic -
 * 1.5 * 2^23. Requires n + bias in [1, 254]. Returns r; *s = that power of two. */
static inline vf v_exp_reduce(vf x, float log2e_k, float magic, float ln2_hi_k, float ln2_lo_k, vf *s) {
    const vf vmagic = vf_set1(magic);
    vf n = vf_fma(x, vf_set1(log2e_k), vmagic);
    *s = vi_as_vf(vi_sll(vf_as_vi(n), 23));
    n = vf_sub(n, vmagic);
    vf r = vf_fma(n, vf_set1(-ln2_hi_k), x);
    return vf_fma(n, vf_set1(-ln2_lo_k), r);
}

/* ------------------------------------------------------------------ sigmoid
 * e = exp(-|x|) = 2^n * q(t), q(t) = 1 + t * (c1 + c2 t + ... + c6 t^5) on |t| <= ln2 / 2
 * (degree-6 minimax of exp(t), relative error 2.0e-9); sigmoid = e / (1 + e) for x <= 0 and
 * 1 / (1 + e) for x > 0 (both stable: no cancellation, one true division).
 * -|x| is clamped at SIG_XMIN before the reduction (nothing can overflow or go subnormal:
 * e >= FLT_MIN there) and e is set to 0 below it. */
#define SIG_XMIN (-0x1.5D589Ep+6f)   /* -87.33654: the least float x with sigmoid(x) >= FLT_MIN */
#define SIG_MAGIC 0x1.8000FEp+23f   /* 1.5 * 2^23 + 127: s = 2^n */
#define SIG_C1 0x1.000000p+0f
#define SIG_C2 0x1.FFFFFCp-2f
#define SIG_C3 0x1.55541Ap-3f
#define SIG_C4 0x1.555822p-5f
#define SIG_C5 0x1.126792p-7f
#define SIG_C6 0x1.6AE720p-10f

static inline vf v_sigmoid(vf x) {
    const vf one = vf_set1(1.0f), xmin = vf_set1(SIG_XMIN);
    const vf z = vf_or(x, vf_set1(-0.0f)); /* -|x| */
    const vf zc = vf_max(xmin, z);
    vf s;
    const vf t = v_exp_reduce(zc, ACT_LOG2E, SIG_MAGIC, ACT_LN2_HI, ACT_LN2_LO, &s);
    vf p = vf_fma(vf_set1(SIG_C6), t, vf_set1(SIG_C5));
    p = vf_fma(p, t, vf_set1(SIG_C4));
    p = vf_fma(p, t, vf_set1(SIG_C3));
    p = vf_fma(p, t, vf_set1(SIG_C2));
    p = vf_fma(p, t, vf_set1(SIG_C1));
    const vf q = vf_fma(p, t, one);
    vf e = vf_mul(q, s);               /* exact: s is a power of two and e is normal */
    const vf d = vf_fma(q, s, one);    /* = 1 + e, rounded once */
    e = vf_select(vf_lt(z, xmin), vf_set1(0.0f), e);
    const vf num = vf_select(vf_gt(x, vf_set1(0.0f)), one, e);
    return vf_div(num, d);
}

/* --------------------------------------------------------------------- tanh
 * tanh|x| = m / (m + 2) with m = expm1(2|x|) >= 0 (no cancellation anywhere, and errors in m are
 * damped by 2 / (m + 2)); the sign of x is put back at the end (odd, keeps -0).
 * expm1(2a) = 2^n * expm1(2h) + (2^n - 1) with a = n * ln2 / 2 + h, |h| <= ln2 / 4, and
 * expm1(2h) = 2h + 2h^2 * P(h), P of degree 4 (minimax relative error of expm1: 1.3e-8).
 * |x| is clamped at TANH_XSAT, the least float where tanh rounds to 1: there m + 2 and m round
 * to the same float, so the quotient is exactly 1 and never above. */
#define TANH_XSAT 0x1.205968p+3f   /* 9.0109138 */
#define TANH_MAGIC 0x1.800100p+23f /* 1.5 * 2^23 + 128: s2 = 2^(n+1) */
#define TANH_P0 0x1.FFFFFEp-1f
#define TANH_P1 0x1.5554B0p-1f
#define TANH_P2 0x1.555674p-2f
#define TANH_P3 0x1.1227A0p-3f
#define TANH_P4 0x1.6BEC00p-5f

static inline vf v_tanh(vf x) {
    const vf sign_bit = vf_set1(-0.0f);
    const vf sign = vf_and(x, sign_bit);
    const vf a = vf_min(vf_set1(TANH_XSAT), vf_andnot(sign_bit, x));
    vf s2;
    const vf h = v_exp_reduce(a, 2.0f * ACT_LOG2E, TANH_MAGIC, 0.5f * ACT_LN2_HI, 0.5f * ACT_LN2_LO, &s2);
    vf p = vf_fma(vf_set1(TANH_P4), h, vf_set1(TANH_P3));
    p = vf_fma(p, h, vf_set1(TANH_P2));
    p = vf_fma(p, h, vf_set1(TANH_P1));
    p = vf_fma(p, h, vf_set1(TANH_P0));
    const vf hs = vf_mul(h, s2);  /* 2^n * 2h, exact */
    const vf hhs = vf_mul(h, hs); /* 2^n * 2h^2 */
    const vf m = vf_add(vf_fma(s2, vf_set1(0.5f), vf_set1(-1.0f)), vf_fma(p, hhs, hs));
    const vf y = vf_div(m, vf_add(m, vf_set1(2.0f)));
    return vf_or(y, sign);
}

/* The array loops: VL lanes at a time, then one partial vector. */
static inline void act_sigmoid_loop(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + VL <= n; i += VL) vf_store(y + i, v_sigmoid(vf_load(x + i)));
    if (i < n) vf_store_n(y + i, v_sigmoid(vf_load_n(x + i, n - i)), n - i);
}

static inline void act_tanh_loop(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + VL <= n; i += VL) vf_store(y + i, v_tanh(vf_load(x + i)));
    if (i < n) vf_store_n(y + i, v_tanh(vf_load_n(x + i, n - i)), n - i);
}

#endif /* GRU_SRC_ACT_IMPL_H */
