/* SPDX-License-Identifier: MIT
 * The probe loops over the vector vocabulary; included after one vec_*.h. */
#ifndef GRU_BENCH_PROBE_IMPL_H
#define GRU_BENCH_PROBE_IMPL_H

/* 12 chains cover FMA latency x pipes on the cores we target (4 cycles x 2 pipes = 8). */
#define PROBE_CHAINS 12

static inline double probe_fma_loop(long rounds) {
    vf a[PROBE_CHAINS];
    const vf b = vf_set1(0.999999f), c = vf_set1(1e-7f);
    for (int i = 0; i < PROBE_CHAINS; i++) a[i] = vf_set1((float)i);
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < PROBE_CHAINS; i++) a[i] = vf_fma(a[i], b, c);
    vf s = a[0];
    for (int i = 1; i < PROBE_CHAINS; i++) s = vf_add(s, a[i]);
    float out[VL];
    vf_store(out, s);
    volatile float sink = out[0];
    (void)sink;
    return (double)rounds * PROBE_CHAINS * VL * 2;
}

/* 8 accumulators: enough loads in flight for two loads per cycle at add latency 3-4. */
static inline float probe_read_loop(const float *p, size_t n, long reps) {
    vf s[8];
    for (int i = 0; i < 8; i++) s[i] = vf_set1(0.0f);
    for (long r = 0; r < reps; r++)
        for (size_t i = 0; i + 8 * VL <= n; i += 8 * VL)
            for (int j = 0; j < 8; j++) s[j] = vf_add(s[j], vf_load(p + i + (size_t)j * VL));
    for (int j = 1; j < 8; j++) s[0] = vf_add(s[0], s[j]);
    float out[VL];
    vf_store(out, s[0]);
    return out[0];
}

#endif /* GRU_BENCH_PROBE_IMPL_H */
