/* SPDX-License-Identifier: MIT
 * The vector vocabulary (see src/vec_scalar.h for the contract of each operation) on AArch64 NEON.
 * vminq/vmaxq propagate NaN unlike x86, so min/max are written as compare + select to keep the
 * scalar reference's rule (the second operand when unordered). */
#ifndef GRU_SRC_ARM_VEC_NEON_H
#define GRU_SRC_ARM_VEC_NEON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VL 4
#define VEC_SUFFIX neon
typedef float32x4_t vf;
typedef int32x4_t vi;
typedef uint32x4_t vm;

static inline vf vf_load(const float *p) { return vld1q_f32(p); }
static inline void vf_store(float *p, vf a) { vst1q_f32(p, a); }
static inline vf vf_load_n(const float *p, size_t n) {
    float t[4] = {0};
    memcpy(t, p, n * sizeof *p);
    return vld1q_f32(t);
}
static inline void vf_store_n(float *p, vf a, size_t n) {
    float t[4];
    vst1q_f32(t, a);
    memcpy(p, t, n * sizeof *p);
}
static inline vf vf_set1(float a) { return vdupq_n_f32(a); }
static inline vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
static inline vf vf_fnma(vf a, vf b, vf c) { return vfmsq_f32(c, a, b); }
static inline vf vf_min(vf a, vf b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline vf vf_max(vf a, vf b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline vi vf_as_vi(vf a) { return vreinterpretq_s32_f32(a); }
static inline vf vi_as_vf(vi a) { return vreinterpretq_f32_s32(a); }
static inline vf vf_and(vf a, vf b) { return vi_as_vf(vandq_s32(vf_as_vi(a), vf_as_vi(b))); }
static inline vf vf_or(vf a, vf b) { return vi_as_vf(vorrq_s32(vf_as_vi(a), vf_as_vi(b))); }
static inline vf vf_xor(vf a, vf b) { return vi_as_vf(veorq_s32(vf_as_vi(a), vf_as_vi(b))); }
static inline vf vf_andnot(vf a, vf b) { return vi_as_vf(vbicq_s32(vf_as_vi(b), vf_as_vi(a))); }
static inline vm vf_lt(vf a, vf b) { return vcltq_f32(a, b); }
static inline vm vf_le(vf a, vf b) { return vcleq_f32(a, b); }
static inline vm vf_gt(vf a, vf b) { return vcgtq_f32(a, b); }
static inline vm vf_ge(vf a, vf b) { return vcgeq_f32(a, b); }
static inline vm vf_eq(vf a, vf b) { return vceqq_f32(a, b); }
static inline vm vf_unord(vf a, vf b) { return vmvnq_u32(vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b))); }
static inline vf vf_select(vm m, vf a, vf b) { return vbslq_f32(m, a, b); }
static inline vi vi_set1(int32_t a) { return vdupq_n_s32(a); }
static inline vi vi_add(vi a, vi b) { return vaddq_s32(a, b); }
static inline vi vi_sub(vi a, vi b) { return vsubq_s32(a, b); }
static inline vi vi_and(vi a, vi b) { return vandq_s32(a, b); }
static inline vf vf_load_f16(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
static inline vf vf_load_bf16(const uint16_t *p) { return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16)); }
static inline vf vf_load_i8(const int8_t *p) { /* exactly 4 bytes: no read past the last weight */
    int32_t t;
    memcpy(&t, p, sizeof t);
    return vcvtq_f32_s32(vmovl_s16(vget_low_s16(vmovl_s8(vreinterpret_s8_s32(vdup_n_s32(t))))));
}
static inline void vf_load_bf16x2(const uint16_t *p, vf *lo, vf *hi) { /* ld2 splits the pairs */
    const uint16x4x2_t x = vld2_u16(p);
    *lo = vreinterpretq_f32_u32(vshll_n_u16(x.val[0], 16));
    *hi = vreinterpretq_f32_u32(vshll_n_u16(x.val[1], 16));
}
/* vq: lanes 2c, 2c + 1 of lo (units 0, 1) and hi (units 2, 3) hold unit c's part sums of even
 * and odd k; vq_to_f adds the pairs. */
typedef struct vq {
    int32x4_t lo, hi;
} vq;
typedef int16x8_t vqw;
typedef int16x8_t vqx;
static inline vq vq_zero(void) { return (vq){vdupq_n_s32(0), vdupq_n_s32(0)}; }
static inline vqw vqw_load(const int8_t *p) { return vmovl_s8(vld1_s8(p)); }
static inline vqx vqx_pair(const int16_t *x) {
    int32_t t;
    memcpy(&t, x, sizeof t);
    return vreinterpretq_s16_s32(vdupq_n_s32(t));
}
static inline vq vq_madd(vq a, vqw w, vqx x) {
    return (vq){vmlal_s16(a.lo, vget_low_s16(w), vget_low_s16(x)), vmlal_high_s16(a.hi, w, x)};
}
static inline vf vq_to_f(vq a) { return vcvtq_f32_s32(vpaddq_s32(a.lo, a.hi)); }
#define vi_sll(a, imm) vreinterpretq_s32_u32(vshlq_n_u32(vreinterpretq_u32_s32(a), (imm)))
#define vi_srl(a, imm) vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(a), (imm)))

#endif /* GRU_SRC_ARM_VEC_NEON_H */
