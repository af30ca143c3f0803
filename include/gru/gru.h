/* SPDX-License-Identifier: MIT
 * libgru: GRU inference on CPUs with numerics that are identical on every ISA.
 *
 * This header is the whole public API. Conventions:
 *  - every call that can fail returns a gru_status; GRU_OK is 0;
 *  - a failing call writes nothing to its outputs and leaves a one-line message
 *    for the calling thread in gru_last_error();
 *  - sizes are size_t, checked for overflow; nothing aborts the host process;
 *  - the library leaves the floating-point environment (MXCSR/FPCR) as it finds it.
 */
#ifndef GRU_GRU_H
#define GRU_GRU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define GRU_API
#else
#define GRU_API __attribute__((visibility("default")))
#endif

#define GRU_VERSION_MAJOR 0
#define GRU_VERSION_MINOR 1
#define GRU_VERSION_PATCH 0
GRU_API const char *gru_version(void);

/* ---------------------------------------------------------------- status */
typedef enum gru_status {
    GRU_OK = 0,
    GRU_ERR_NULL,        /* a required pointer is NULL */
    GRU_ERR_INVALID,     /* an argument has a value outside its domain */
    GRU_ERR_OVERFLOW,    /* a size or a product of sizes overflows */
    GRU_ERR_NOMEM,       /* an allocation failed */
    GRU_ERR_UNSUPPORTED, /* the CPU (or this build) lacks what was asked for */
    GRU_ERR_SHAPE,       /* shapes of weights or buffers disagree */
    GRU_ERR_WORKSPACE,   /* the workspace handed in is too small */
    GRU_ERR_IO,          /* a file could not be read or written */
    GRU_ERR_FORMAT       /* a file is malformed */
} gru_status;

/* A constant English name for a status ("GRU_ERR_NULL: NULL pointer"). */
GRU_API const char *gru_status_str(gru_status s);
/* The message left by the last failing call on this thread ("" if none). */
GRU_API const char *gru_last_error(void);

/* ------------------------------------------------------- ISA and dispatch */
typedef enum gru_isa {
    GRU_ISA_SCALAR = 0, /* the portable C reference: defines the numerics */
    GRU_ISA_AVX2 = 1,   /* x86-64: AVX2 + FMA + F16C, OS-saved YMM state */
    GRU_ISA_AVX512 = 2, /* x86-64: AVX-512 F/BW/DQ/VL, OS-saved ZMM and opmask state */
    GRU_ISA_NEON = 3    /* AArch64 Advanced SIMD (baseline on AArch64) */
} gru_isa;

/* The best ISA this CPU (and this build) supports. */
GRU_API gru_isa gru_isa_detected(void);
/* The ISA kernels dispatch to now: the detected one unless capped. */
GRU_API gru_isa gru_isa_active(void);
/* "scalar", "avx2", "avx512", "neon"; "unknown" for other values. */
GRU_API const char *gru_isa_name(gru_isa isa);
/* Parses a name as above. GRU_ERR_INVALID for an unknown name. */
GRU_API gru_status gru_isa_from_name(const char *name, gru_isa *isa);
/* Caps dispatch at `isa` (scalar is always allowed). GRU_ERR_UNSUPPORTED if
 * the CPU lacks it; then nothing changes. Thread-safe; affects calls that start
 * afterwards. Models keep the ISA that was active when they were created.
 * The environment variable GRU_ISA=scalar|avx2|avx512|neon sets the initial
 * cap; an unknown or unsupported value prints one warning on stderr and the
 * detected ISA is used. */
GRU_API gru_status gru_set_max_isa(gru_isa isa);

/* ----------------------------------------------------------- activations */
/* y[i] = sigmoid(x[i]) / tanh(x[i]) for i < n, on the active ISA.
 * In place (y == x) allowed; any alignment; n == 0 is a no-op.
 * Accuracy: within 4 ULP of the exact value wherever that is a normal float,
 * bit-identical on every ISA. GRU_ERR_NULL if n > 0 and a pointer is NULL,
 * GRU_ERR_OVERFLOW if n * sizeof(float) overflows. */
GRU_API gru_status gru_sigmoid_f32(float *y, const float *x, size_t n);
GRU_API gru_status gru_tanh_f32(float *y, const float *x, size_t n);

/* ----------------------------------------------------------------- model */
typedef enum gru_variant {
    /* n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): PyTorch nn.GRU, ONNX
     * linear_before_reset=1, oneDNN lbr_gru, Keras reset_after=True. */
    GRU_VARIANT_LINEAR_BEFORE_RESET = 0,
    /* n = tanh(W_in x + b_in + W_hn (r * h) + b_hn): Cho et al. 2014,
     * Keras reset_after=False, ONNX linear_before_reset=0. */
    GRU_VARIANT_RESET_BEFORE = 1
} gru_variant;

typedef struct gru_config {
    size_t input_size;  /* I > 0 */
    size_t hidden_size; /* H > 0 */
    size_t num_layers;  /* L >= 1; layer l > 0 takes D*H inputs */
    int bidirectional;  /* 0: D = 1, nonzero: D = 2 */
    int bias;           /* nonzero: b_ih and b_hh are given */
    gru_variant variant;
} gru_config;

/* One layer and direction, in PyTorch's layout and gate order (r, z, n):
 * w_ih [3H, I_l] (weight_ih_l{k}[_reverse]), w_hh [3H, H], b_ih [3H], b_hh [3H].
 * Row-major, contiguous. Biases are ignored (may be NULL) when config.bias == 0. */
typedef struct gru_layer_weights {
    const float *w_ih;
    const float *w_hh;
    const float *b_ih;
    const float *b_hh;
} gru_layer_weights;

typedef struct gru_model gru_model;

/* Packs the weights into the layout of the active ISA's kernels. `weights` has
 * L * D entries, entry l * D + d for layer l, direction d (1 = reverse). The
 * model owns its memory and copies nothing from the caller afterwards; it is
 * immutable, so one model serves any number of threads at once. */
GRU_API gru_status gru_model_create(gru_model **model, const gru_config *config,
                                    const gru_layer_weights *weights);
GRU_API void gru_model_destroy(gru_model *model); /* NULL is a no-op */

typedef struct gru_model_info {
    gru_config config;
    gru_isa isa;                /* the ISA its kernels and packing were chosen for */
    size_t packed_weight_bytes; /* memory owned for packed weights and biases */
    size_t raw_weight_bytes;    /* the same weights as PyTorch fp32 tensors */
} gru_model_info;
GRU_API gru_status gru_model_get_info(const gru_model *model, gru_model_info *info);

/* --------------------------------------------------------------- forward */
typedef struct gru_forward_args {
    size_t seq_len;          /* T >= 1 */
    size_t batch;            /* B >= 1 */
    int batch_first;         /* x and y as [B, T, ...] instead of [T, B, ...] */
    const float *x;          /* [T, B, I] (or [B, T, I]) */
    const float *h0;         /* [L*D, B, H], or NULL for zeros */
    const int64_t *lengths;  /* [B] with 0 <= lengths[b] <= T, or NULL for all T.
                                Packed-sequence semantics: the reverse direction
                                of item b starts at step lengths[b]-1; y is zero
                                past lengths[b]; h_n is the state after the last
                                valid step (h0 when lengths[b] == 0). */
    float *y;                /* [T, B, D*H] (or [B, T, D*H]), or NULL */
    float *h_n;              /* [L*D, B, H], or NULL */
} gru_forward_args;

/* Bytes of workspace gru_forward needs for T steps of B items. */
GRU_API gru_status gru_forward_workspace_size(const gru_model *model, size_t seq_len,
                                              size_t batch, size_t *bytes);
/* Runs the whole GRU. `workspace` may be NULL (the library allocates and frees
 * it); otherwise it must hold gru_forward_workspace_size() bytes, any
 * alignment. Outputs are bit-identical for every ISA, batch size, batch position
 * and thread count. */
GRU_API gru_status gru_forward(const gru_model *model, const gru_forward_args *args,
                               void *workspace, size_t workspace_bytes);

/* ----------------------------------------------------------------- cell */
/* One step of one layer and direction (nn.GRUCell): h_out[B, H] from x[B, I_l]
 * and h[B, H] (NULL for zeros). h_out may alias h. Same bits as that step
 * inside gru_forward. */
GRU_API gru_status gru_cell_workspace_size(const gru_model *model, size_t batch,
                                           size_t *bytes);
GRU_API gru_status gru_cell(const gru_model *model, size_t layer, int reverse,
                            size_t batch, const float *x, const float *h, float *h_out,
                            void *workspace, size_t workspace_bytes);

#ifdef __cplusplus
}
#endif
#endif /* GRU_GRU_H */
