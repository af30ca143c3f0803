/* SPDX-License-Identifier: MIT
 * Packing: weights in PyTorch's layout -> the layouts the kernel families read. Done once, at
 * model creation (and by the kernel tests); portable C, no ISA flags. */
#ifndef GRU_SRC_PACK_H
#define GRU_SRC_PACK_H

#include <stddef.h>

/* Floats of a GEMM packing of n columns of depth kdim in panels of nr: round_up(n, nr) * kdim.
 * Returns 0 on overflow. */
int gru_pack_gemm_floats(size_t n, size_t kdim, size_t nr, size_t *floats);
/* dst[p][k][c] = cols[p * nr + c][k] for every panel p, k < kdim, c < nr: column j of the
 * GEMM's W is the kdim floats at cols[j], or zeros where cols[j] is NULL or j >= n. */
void gru_pack_gemm(float *dst, const float *const *cols, size_t n, size_t kdim, size_t nr);

/* Floats of a gates packing of W_hh for H hidden units padded to a multiple of nb:
 * 3 * round_up(H, nb) * H. Returns 0 on overflow. */
int gru_pack_gates_floats(size_t hidden, size_t nb, size_t *floats);
/* w_hh [3H, H] row-major (gate order r, z, n) -> dst[s][k][g][c] = w_hh[g * H + s * sub + c][k]
 * for sub-blocks s < round_up(H, nb) / sub, zero where s * sub + c >= H. nb % sub == 0. */
void gru_pack_gates(float *dst, const float *w_hh, size_t hidden, size_t nb, size_t sub);

#endif /* GRU_SRC_PACK_H */
