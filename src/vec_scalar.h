/* SPDX-License-Identifier: MIT
 * The vector vocabulary with one lane: the scalar reference. Kernels written over this
 * vocabulary (act_impl.h, gates_impl.h, ...) are compiled once per ISA header; every
 * operation here is the single-lane twin of the SIMD headers' (same rounding, same
 * NaN/zero rules), so the reference and the SIMD builds produce the same bits.
 * Operations:
 *   vf: float lanes, vi: int32 lanes, vm: lane mask; VL lanes.
 *   vf_load/vf_store (unaligned), vf_load_n/vf_store_n (first n < VL lanes; the rest 0 / untouched),
 *   vf_set1, vf_add/sub/mul/div (IEEE), vf_fma(a, b, c) = a*b + c rounded once,
 *   vf_fnma(a, b, c) = c - a*b rounded once, vf_min(a, b) = a < b ? a : b,
 *   vf_max(a, b) = a > b ? a : b (x86 MINPS/MAXPS rules: the second operand when unordered),
 *   vf_and/or/xor/andnot(a, b) = ~a & b on bit patterns, vf_lt/le/gt/ge/eq (ordered: false on NaN),
 *   vf_unord(a, b) (either NaN), vf_select(m, a, b) = m ? a : b,
 *   vf_as_vi/vi_as_vf (bit casts), vi_set1, vi_add, vi_sub, vi_sll/vi_srl(a, imm), vi_and.
 *   Widening loads of VL stored weights (exact: every value has one binary32 image; unaligned,
 *   read exactly VL elements): vf_load_f16 (IEEE binary16; subnormals kept, a NaN keeps its
 *   payload, shifted up 13 bits), vf_load_bf16 (the 16 bits become the top half of a binary32),
 *   vf_load_i8 (int8 -> the integer as a float). vf_load_bf16x2(p, &lo, &hi): 2 * VL bf16 at p
 *   (unaligned) in pairs, as vf_load_bf16 widens them: lane c of lo is p[2c], of hi p[2c + 1].
 *   Exact integer dot products (int8dyn): vq: VL int32 accumulators (lane c: unit c), vqw: VL
 *   pairs of int16, vqx: one pair of int16 repeated. vq_zero; vqw_load(p): 2 * VL int8 at p
 *   (unaligned; unit c's pair at p[2c], p[2c + 1]) sign-extended; vqx_pair(x): x[0], x[1]
 *   (any alignment); vq_madd(a, w, x): lane c += w[2c] * x[0] + w[2c + 1] * x[1], exact while every
 *   lane stays within int32 (a lane may hold part sums internally: only the total of vq_to_f is
 *   defined); vq_to_f(a): each lane's total as float, rounded to nearest even.
 */
#ifndef GRU_SRC_VEC_SCALAR_H
#define GRU_SRC_VEC_SCALAR_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "io/half.h"

#define VL 1
#define VEC_SUFFIX c
typedef float vf;
typedef int32_t vi;
typedef int vm;

static inline vf vf_load(const float *p) { return *p; }
static inline void vf_store(float *p, vf a) { *p = a; }
static inline vf vf_load_n(const float *p, size_t n) { return n ? *p : 0.0f; }
static inline void vf_store_n(float *p, vf a, size_t n) { if (n) *p = a; }
static inline vf vf_set1(float a) { return a; }
static inline vf vf_add(vf a, vf b) { return a + b; }
static inline vf vf_sub(vf a, vf b) { return a - b; }
static inline vf vf_mul(vf a, vf b) { return a * b; }
static inline vf vf_div(vf a, vf b) { return a / b; }
static inline vf vf_fma(vf a, vf b, vf c) { return fmaf(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return fmaf(-a, b, c); }
static inline vf vf_min(vf a, vf b) { return a < b ? a : b; }
static inline vf vf_max(vf a, vf b) { return a > b ? a : b; }
static inline vi vf_as_vi(vf a) { vi r; memcpy(&r, &a, sizeof r); return r; }
static inline vf vi_as_vf(vi a) { vf r; memcpy(&r, &a, sizeof r); return r; }
static inline vf vf_and(vf a, vf b) { return vi_as_vf(vf_as_vi(a) & vf_as_vi(b)); }
static inline vf vf_or(vf a, vf b) { return vi_as_vf(vf_as_vi(a) | vf_as_vi(b)); }
static inline vf vf_xor(vf a, vf b) { return vi_as_vf(vf_as_vi(a) ^ vf_as_vi(b)); }
static inline vf vf_andnot(vf a, vf b) { return vi_as_vf(~vf_as_vi(a) & vf_as_vi(b)); }
static inline vm vf_lt(vf a, vf b) { return a < b; }
static inline vm vf_le(vf a, vf b) { return a <= b; }
static inline vm vf_gt(vf a, vf b) { return a > b; }
static inline vm vf_ge(vf a, vf b) { return a >= b; }
static inline vm vf_eq(vf a, vf b) { return a == b; }
static inline vm vf_unord(vf a, vf b) { return a != a || b != b; }
static inline vf vf_select(vm m, vf a, vf b) { return m ? a : b; }
static inline vi vi_set1(int32_t a) { return a; }
static inline vi vi_add(vi a, vi b) { return (vi)((uint32_t)a + (uint32_t)b); }
static inline vi vi_sub(vi a, vi b) { return (vi)((uint32_t)a - (uint32_t)b); }
static inline vi vi_and(vi a, vi b) { return a & b; }
static inline vf vf_load_f16(const uint16_t *p) { return gru_f16_to_f32(*p); }
static inline vf vf_load_bf16(const uint16_t *p) { return gru_bf16_to_f32(*p); }
static inline vf vf_load_i8(const int8_t *p) { return (float)*p; }
static inline void vf_load_bf16x2(const uint16_t *p, vf *lo, vf *hi) {
    *lo = gru_bf16_to_f32(p[0]);
    *hi = gru_bf16_to_f32(p[1]);
}
typedef int32_t vq;
typedef struct vqw {
    int32_t a, b;
} vqw;
typedef vqw vqx;
static inline vq vq_zero(void) { return 0; }
static inline vqw vqw_load(const int8_t *p) { return (vqw){p[0], p[1]}; }
static inline vqx vqx_pair(const int16_t *x) { return (vqx){x[0], x[1]}; }
static inline vq vq_madd(vq a, vqw w, vqx x) { return a + w.a * x.a + w.b * x.b; }
static inline vf vq_to_f(vq a) { return (float)a; }
#define vi_sll(a, imm) ((vi)((uint32_t)(a) << (imm)))
#define vi_srl(a, imm) ((vi)((uint32_t)(a) >> (imm)))

#endif /* GRU_SRC_VEC_SCALAR_H */
