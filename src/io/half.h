/* SPDX-License-Identifier: MIT
 * Exact widening of IEEE binary16 and bfloat16 to binary32. Every 16-bit value, NaN payloads
 * included, has exactly one binary32 image, so narrowing that image again gives the same bits. */
#ifndef GRU_SRC_IO_HALF_H
#define GRU_SRC_IO_HALF_H

#include <stdint.h>
#include <string.h>

static inline float gru_bits_to_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* bfloat16 is the top half of a binary32. */
static inline float gru_bf16_to_f32(uint16_t h) { return gru_bits_to_f32((uint32_t)h << 16); }

/* binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits. */
static inline float gru_f16_to_f32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu, frac = h & 0x3FFu;
    if (exp == 0x1F) return gru_bits_to_f32(sign | 0x7F800000u | (frac << 13)); /* inf, NaN (payload kept) */
    if (exp == 0) {
        if (frac == 0) return gru_bits_to_f32(sign); /* +-0 */
        /* Subnormal: frac * 2^-24, normal in binary32. Shift the leading 1 into bit 10. */
        int e = -14;
        while (!(frac & 0x400u)) frac <<= 1, e--;
        return gru_bits_to_f32(sign | (uint32_t)(e + 127) << 23 | (frac & 0x3FFu) << 13);
    }
    return gru_bits_to_f32(sign | (exp + 112u) << 23 | frac << 13); /* rebias 15 -> 127 */
}

#endif /* GRU_SRC_IO_HALF_H */
