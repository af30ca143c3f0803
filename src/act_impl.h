/* SPDX-License-Identifier: MIT
 * sigmoid and tanh written once over the vector vocabulary; included after one vec_*.h.
 * PLACEHOLDER ALGORITHMS: correct shape, accuracy not yet to the contract. */
#ifndef GRU_SRC_ACT_IMPL_H
#define GRU_SRC_ACT_IMPL_H

/* exp(x) for x <= 0 (x >= ln(FLT_MIN) is not checked). */
static inline vf v_exp_neg(vf x) {
    const vf magic = vf_set1(0x1.8000FEp23f);
    vf n = vf_fma(x, vf_set1(0x1.715476p+0f), magic);
    vf s = vi_as_vf(vi_sll(vf_as_vi(n), 23));
    n = vf_sub(n, magic);
    vf r = vf_fma(n, vf_set1(-0x1.62E400p-1f), x);
    r = vf_fma(n, vf_set1(-0x1.7F7D1Cp-20f), r);
    vf p = vf_set1(1.0f / 720.0f);
    p = vf_fma(p, r, vf_set1(1.0f / 120.0f));
    p = vf_fma(p, r, vf_set1(1.0f / 24.0f));
    p = vf_fma(p, r, vf_set1(1.0f / 6.0f));
    p = vf_fma(p, r, vf_set1(0.5f));
    p = vf_fma(p, r, vf_set1(1.0f));
    p = vf_fma(p, r, vf_set1(1.0f));
    return vf_mul(p, s);
}

static inline vf v_sigmoid(vf x) {
    vf z = vf_max(vf_or(x, vf_set1(-0.0f)), vf_set1(-87.0f));
    vf e = v_exp_neg(z);
    vf f = vf_div(e, vf_add(e, vf_set1(1.0f)));
    return vf_select(vf_gt(x, vf_set1(0.0f)), vf_sub(vf_set1(1.0f), f), f);
}

static inline vf v_tanh(vf x) {
    vf s = vf_and(x, vf_set1(-0.0f));
    vf z = vf_max(vf_or(x, vf_set1(-0.0f)), vf_set1(-20.0f));
    vf e = v_exp_neg(vf_add(z, z));
    vf t = vf_div(vf_sub(vf_set1(1.0f), e), vf_add(vf_set1(1.0f), e));
    return vf_or(t, s);
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
