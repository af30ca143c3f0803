/* SPDX-License-Identifier: MIT
 * The vector vocabulary (see src/vec_scalar.h for the contract of each operation) on AVX-512.
 * With GRU_SIMDE defined the same intrinsics come from SIMDe, so the AVX-512 kernels can be
 * checked bit for bit on an AVX2 machine (build with -mavx2 -mfma so SIMDe's FMA is fused).
 * Only intrinsics that SIMDe 0.7.4 implements are used: tails go through a 16-float buffer. */
#ifndef GRU_SRC_X86_VEC_AVX512_H
#define GRU_SRC_X86_VEC_AVX512_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef GRU_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#else
#include <immintrin.h>
#endif

#define VL 16
#define VEC_SUFFIX avx512
typedef __m512 vf;
typedef __m512i vi;
typedef __mmask16 vm;

static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf a) { _mm512_storeu_ps(p, a); }
static inline vf vf_load_n(const float *p, size_t n) {
    float t[16] = {0};
    memcpy(t, p, n * sizeof *p);
    return _mm512_loadu_ps(t);
}
static inline void vf_store_n(float *p, vf a, size_t n) {
    float t[16];
    _mm512_storeu_ps(t, a);
    memcpy(p, t, n * sizeof *p);
}
static inline vf vf_set1(float a) { return _mm512_set1_ps(a); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vi vf_as_vi(vf a) { return _mm512_castps_si512(a); }
static inline vf vi_as_vf(vi a) { return _mm512_castsi512_ps(a); }
static inline vf vf_and(vf a, vf b) { return vi_as_vf(_mm512_and_si512(vf_as_vi(a), vf_as_vi(b))); }
static inline vf vf_or(vf a, vf b) { return vi_as_vf(_mm512_or_si512(vf_as_vi(a), vf_as_vi(b))); }
static inline vf vf_xor(vf a, vf b) { return vi_as_vf(_mm512_xor_si512(vf_as_vi(a), vf_as_vi(b))); }
static inline vf vf_andnot(vf a, vf b) { return vi_as_vf(_mm512_andnot_si512(vf_as_vi(a), vf_as_vi(b))); }
static inline vm vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vm vf_le(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
static inline vm vf_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline vm vf_ge(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
static inline vm vf_eq(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline vm vf_unord(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q); }
static inline vf vf_select(vm m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
static inline vi vi_set1(int32_t a) { return _mm512_set1_epi32(a); }
static inline vi vi_add(vi a, vi b) { return _mm512_add_epi32(a, b); }
static inline vi vi_sub(vi a, vi b) { return _mm512_sub_epi32(a, b); }
static inline vi vi_and(vi a, vi b) { return _mm512_and_si512(a, b); }
#ifdef GRU_SIMDE /* SIMDe 0.7.4 lacks the 512-bit conversions: two AVX2 halves, the same values */
static inline vf vec_join(__m256 lo, __m256 hi) { return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1); }
static inline vf vf_load_f16(const uint16_t *p) {
    return vec_join(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)),
                    _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 8))));
}
static inline __m256 vec_bf16_half(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}
static inline vf vf_load_bf16(const uint16_t *p) { return vec_join(vec_bf16_half(p), vec_bf16_half(p + 8)); }
static inline __m256 vec_i8_half(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
static inline vf vf_load_i8(const int8_t *p) { return vec_join(vec_i8_half(p), vec_i8_half(p + 8)); }
#else
static inline vf vf_load_f16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
static inline vf vf_load_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
static inline vf vf_load_i8(const int8_t *p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
}
#endif
/* Pair c is 32-bit word c, p[2c] its low half: one shift or one and per vector. */
static inline void vf_load_bf16x2(const uint16_t *p, vf *lo, vf *hi) {
    const __m512i x = _mm512_loadu_si512((const void *)p);
    *lo = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
    *hi = _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32((int)0xFFFF0000u)));
}
typedef __m512i vq;
typedef __m512i vqw;
typedef __m512i vqx;
static inline vq vq_zero(void) { return _mm512_setzero_si512(); }
static inline vqw vqw_load(const int8_t *p) { return _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)p)); }
static inline vqx vqx_pair(const int16_t *x) {
    int32_t t;
    memcpy(&t, x, sizeof t);
    return _mm512_set1_epi32(t);
}
#ifdef GRU_SIMDE /* SIMDe 0.7.4's _mm512_madd_epi16 alias takes 4 arguments; no 512-bit cvtepi32_ps */
static inline vq vq_madd(vq a, vqw w, vqx x) { return _mm512_add_epi32(a, simde_mm512_madd_epi16(w, x)); }
static inline vf vq_to_f(vq a) {
    return vec_join(_mm256_cvtepi32_ps(_mm512_castsi512_si256(a)), _mm256_cvtepi32_ps(_mm512_extracti64x4_epi64(a, 1)));
}
#else
static inline vq vq_madd(vq a, vqw w, vqx x) { return _mm512_add_epi32(a, _mm512_madd_epi16(w, x)); }
static inline vf vq_to_f(vq a) { return _mm512_cvtepi32_ps(a); }
#endif
#define vi_sll(a, imm) _mm512_slli_epi32((a), (imm))
#define vi_srl(a, imm) _mm512_srli_epi32((a), (imm))

#endif /* GRU_SRC_X86_VEC_AVX512_H */
