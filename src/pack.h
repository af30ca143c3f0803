/* SPDX-License-Identifier: MIT
 * Packing: weights in PyTorch's layout -> the layouts the kernel families read, in one of the
 * storage types of weights.h (converted here, once, at model creation and by the kernel tests);
 * portable C, no ISA flags. */
#ifndef GRU_SRC_PACK_H
#define GRU_SRC_PACK_H

#include <stddef.h>

#include "weights.h"

/* Bytes of a GEMM packing of n columns of depth kdim in panels of nr:
 * round_up(n, nr) / nr * gru_gemm_panel_bytes(kdim, nr, t). Returns 0 on overflow. */
int gru_pack_gemm_bytes(size_t n, size_t kdim, size_t nr, gru_weight_type t, size_t *bytes);
/* Panel p at dst + p * gru_gemm_panel_bytes(): w[k][c] = cols[p * nr + c][k] for k < kdim,
 * c < nr, stored as type t (int8 and int8dyn: quantized per column j over its kdim weights, scale[c] after the
 * weights): column j of the GEMM's W is the kdim floats at cols[j], or zeros where cols[j] is
 * NULL or j >= n. Returns 0 if a weight read is not below gru_weight_limit() of the stored type
 * (inf, NaN, or out of range: the packing is then complete but not meaningful), else 1. */
int gru_pack_gemm(void *dst, const float *const *cols, size_t n, size_t kdim, size_t nr, gru_weight_type t);

/* Bytes of a gates packing of W_hh for H hidden units padded to a multiple of nb:
 * round_up(H, nb) / sub * gru_gates_sub_bytes(H, sub, t). Returns 0 on overflow. */
int gru_pack_gates_bytes(size_t hidden, size_t nb, size_t sub, gru_weight_type t, size_t *bytes);
/* w_hh [3H, H] row-major (gate order r, z, n) -> sub-block s at dst + s * gru_gates_sub_bytes():
 * w[k][g][c] = w_hh[g * H + s * sub + c][k] for k < H, stored as type t (int8: quantized per row
 * g * H + j over its H weights, scale[g][c] after the weights), zero where s * sub + c >= H;
 * int8dyn: the same integers and scales, k in pairs (w[k / 2][g][c][k % 2], weights.h); bf16: k
 * in pairs the same way, the pad after an odd H +0.
 * nb % sub == 0. Returns 0 or 1 as gru_pack_gemm. */
int gru_pack_gates(void *dst, const float *w_hh, size_t hidden, size_t nb, size_t sub, gru_weight_type t);

#endif /* GRU_SRC_PACK_H */
