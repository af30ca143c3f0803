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

/* How the model stores W_ih and W_hh (biases always stay fp32). Arithmetic is fp32 whatever the
 * type: each stored weight is widened exactly in registers. fp16/bf16: the weights rounded to
 * nearest even once, at gru_model_create; outputs bit-identical on every ISA for each type.
 * int8: per output row a scale s = max|w| / 127 and q = round(w / s) in [-127, 127]; each dot
 * product is fma(s, chain(0; q, x), start), one FMA chain over the integers from 0, also
 * bit-identical on every ISA.
 * int8dyn: W_ih stored and computed exactly as int8; W_hh int8 with the same per-row quantizer,
 * and the recurrent dot products run on integers: per step and batch row, the vector the step
 * multiplies (h, or r * h in RESET_BEFORE's n) is quantized the same way, s_x = max|x| / 127
 * over the H units, q_x = round-half-even(x / s_x) in [-127, 127] (a row holding inf or NaN: s_x
 * = NaN, q_x = 0, so what it feeds is NaN); acc = sum_k q_w[j][k] q_x[k] exactly in int32, and
 * the dot product is fma((float)acc, s_w[j] * s_x, start). Also bit-identical on every ISA.
 * hidden_size <= 133143 (= (2^31 - 1) / 127^2, so acc cannot overflow): GRU_ERR_INVALID above. */
typedef enum gru_weight_type {
    GRU_WEIGHTS_F32 = 0,      /* "fp32" (default: a zero-initialised config) */
    GRU_WEIGHTS_F16,          /* "fp16": IEEE binary16 */
    GRU_WEIGHTS_BF16,         /* "bf16": bfloat16 */
    GRU_WEIGHTS_INT8,         /* "int8": symmetric, one fp32 scale per output row */
    GRU_WEIGHTS_INT8_DYNAMIC  /* "int8dyn": int8 weights, h quantized per step, integer W_hh h */
} gru_weight_type;
/* "fp32", "fp16", "bf16", "int8", "int8dyn"; "unknown" for other values. */
GRU_API const char *gru_weight_type_name(gru_weight_type type);
/* Parses a name as above. GRU_ERR_INVALID for an unknown name. */
GRU_API gru_status gru_weight_type_from_name(const char *name, gru_weight_type *type);

typedef struct gru_config {
    size_t input_size;  /* I > 0 */
    size_t hidden_size; /* H > 0 */
    size_t num_layers;  /* L >= 1; layer l > 0 takes D*H inputs */
    int bidirectional;  /* 0: D = 1, nonzero: D = 2 */
    int bias;           /* nonzero: b_ih and b_hh are given */
    gru_variant variant;
    gru_weight_type weights; /* storage of W_ih and W_hh (GRU_ERR_INVALID if unknown) */
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
 * immutable, so one model serves any number of threads at once.
 * Every weight and bias must be finite, and every weight finite in the storage
 * type (fp16: |w| < 65520, bf16: |w| < 0x1.FFp127): else GRU_ERR_INVALID, the
 * message naming the entry, array, row and column. */
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

/* --------------------------------------------------------------- threads */
/* The number of threads a call runs on (gru_forward, gru_cell), process-wide: n >= 1 (at most
 * 1024), else GRU_ERR_INVALID and nothing changes. Thread-safe; affects calls that start
 * afterwards. The initial value comes from the environment variable GRU_NUM_THREADS, default 1;
 * a value that is not an integer in [1, 1024] prints one warning on stderr and 1 is used.
 * With n > 1 the library runs its work on a pthreadpool of n threads (the calling thread is
 * one of them) that it creates on first use and keeps until the process ends; with 1 no pool
 * is used at all. Outputs are bit-identical for every thread count: work is split over
 * directions, batch rows and hidden units, never inside a dot product; workers run with the
 * calling thread's floating-point control (rounding, FTZ/DAZ). Small calls may run on fewer
 * threads than asked when splitting them would be slower. */
GRU_API gru_status gru_set_num_threads(size_t n);
GRU_API size_t gru_get_num_threads(void);

/* --------------------------------------------------------------- forward */
struct pthreadpool; /* pthreadpool_t (pthreadpool.h) is a struct pthreadpool * */

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
    struct pthreadpool *threadpool; /* NULL: the library's (gru_set_num_threads); else this
                                       caller's pool and its thread count, used only during
                                       the call (calls on one pool are serialised; never call
                                       gru_forward from a task running on that same pool) */
} gru_forward_args;

/* Bytes of workspace gru_forward needs for T steps of B items; the same for every thread count. */
GRU_API gru_status gru_forward_workspace_size(const gru_model *model, size_t seq_len,
                                              size_t batch, size_t *bytes);
/* Runs the whole GRU. `workspace` may be NULL (the library allocates and frees
 * it); otherwise it must hold gru_forward_workspace_size() bytes, any
 * alignment. Outputs are bit-identical for every ISA, batch size, batch position
 * and thread count. x at the steps it reads (t < lengths[b]) and h0 must be
 * finite, else GRU_ERR_INVALID naming the element, and nothing is written; x past
 * lengths[b] (padding) may hold anything, NaN included, without effect. Finite
 * data can still overflow inside the chains (|values| near FLT_MAX): then the
 * outputs hold inf or NaN, identically on every ISA except a NaN's sign and
 * payload. */
GRU_API gru_status gru_forward(const gru_model *model, const gru_forward_args *args,
                               void *workspace, size_t workspace_bytes);

/* ----------------------------------------------------------------- cell */
/* One step of one layer and direction (nn.GRUCell): h_out[B, H] from x[B, I_l]
 * and h[B, H] (NULL for zeros), both finite (else GRU_ERR_INVALID). h_out may
 * alias h. Same bits as that step inside gru_forward. Runs on
 * gru_get_num_threads() threads (the library's pool). */
GRU_API gru_status gru_cell_workspace_size(const gru_model *model, size_t batch,
                                           size_t *bytes);
GRU_API gru_status gru_cell(const gru_model *model, size_t layer, int reverse,
                            size_t batch, const float *x, const float *h, float *h_out,
                            void *workspace, size_t workspace_bytes);

/* ------------------------------------------------------------------- I/O */
/* Model files (.safetensors) and arrays (.npy). Readers take whole files into memory, validate
 * every size and offset before touching data, and report a malformed file as GRU_ERR_FORMAT
 * (a file that cannot be opened, read or written: GRU_ERR_IO) with a message that names the
 * file and the problem. Data is little-endian, as both formats define it. */

/* Element types found in files. */
typedef enum gru_dtype {
    GRU_DTYPE_F32 = 0,  /* IEEE binary32 */
    GRU_DTYPE_F16 = 1,  /* IEEE binary16: widened to f32 exactly on load */
    GRU_DTYPE_BF16 = 2, /* bfloat16: widened to f32 exactly on load */
    GRU_DTYPE_I32 = 3,
    GRU_DTYPE_I64 = 4,
    GRU_DTYPE_OTHER = 5 /* a type the format defines that this library does not convert */
} gru_dtype;

/* ----- safetensors: an 8-byte little-endian header length N, a JSON header of N bytes
 * ({"name": {"dtype", "shape", "data_offsets": [begin, end)}, "__metadata__": {str: str}}),
 * then the tensor bytes, offsets counted from the first byte after the header. */
typedef struct gru_safetensors gru_safetensors;

/* Opens a file: reads it whole and checks the header (length, JSON, dtypes, shapes against
 * offsets, offsets inside the data area, no two tensors overlapping, no duplicate names). */
GRU_API gru_status gru_safetensors_open(gru_safetensors **st, const char *path);
/* The same from `size` bytes in memory, which are copied (the caller keeps `data`). `name`
 * stands for the file in error messages (NULL: "<memory>"). */
GRU_API gru_status gru_safetensors_open_memory(gru_safetensors **st, const void *data, size_t size,
                                               const char *name);
GRU_API void gru_safetensors_close(gru_safetensors *st); /* NULL is a no-op */

typedef struct gru_tensor_info {
    const char *name;       /* owned by the handle, valid until close */
    gru_dtype dtype;
    const char *dtype_name; /* as written in the file: "F32", "BF16", "I8", ... */
    size_t rank;
    const size_t *shape;    /* rank entries (NULL when rank == 0), owned by the handle */
    size_t numel;           /* product of shape; 1 for rank 0 */
} gru_tensor_info;

/* Tensors are numbered 0 .. count-1 in the order of the header. */
GRU_API size_t gru_safetensors_count(const gru_safetensors *st);
GRU_API gru_status gru_safetensors_info(const gru_safetensors *st, size_t index, gru_tensor_info *info);
/* GRU_ERR_FORMAT (message names the tensor) if the file has no tensor called `name`. */
GRU_API gru_status gru_safetensors_find(const gru_safetensors *st, const char *name, size_t *index);
/* Copies tensor `index` into out[count] as f32; count must equal its numel (else GRU_ERR_SHAPE).
 * F32 is copied as is, F16 and BF16 are widened exactly; any other dtype is
 * GRU_ERR_UNSUPPORTED with a message naming it. */
GRU_API gru_status gru_safetensors_read_f32(const gru_safetensors *st, size_t index, float *out, size_t count);
/* *value = the metadata string for `key`, or NULL if the file has none (still GRU_OK).
 * Strings are owned by the handle. */
GRU_API gru_status gru_safetensors_metadata(const gru_safetensors *st, const char *key, const char **value);
/* Metadata entries in key order (strcmp), for listing. */
GRU_API size_t gru_safetensors_metadata_count(const gru_safetensors *st);
GRU_API gru_status gru_safetensors_metadata_at(const gru_safetensors *st, size_t index, const char **key,
                                               const char **value);

/* ----- a GRU from a PyTorch state_dict saved as safetensors.
 * Tensors <prefix>weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, each also with
 * the suffix _reverse for a bidirectional GRU. I, H, L, bidirectional and bias come from the
 * tensors, which must all be present and agree (w_ih [3H, I] for layer 0 and [3H, D*H] above,
 * w_hh [3H, H], biases [3H]); the variant and the layout from the metadata:
 *   "gru.variant"     = "linear_before_reset" (default, nn.GRU) | "reset_before"
 *   "gru.batch_first" = "0" (default) | "1"
 * prefix: e.g. "gru." or "rnn."; NULL or "" finds it: the one prefix p for which a tensor
 * p + "weight_ih_l0" exists (GRU_ERR_FORMAT if there are none or several). A prefix given
 * without its final '.' is also tried with it. Weights are widened to f32 when stored as
 * F16/BF16. */
typedef struct gru_weights gru_weights;
GRU_API gru_status gru_safetensors_load_gru(const gru_safetensors *st, const char *prefix, gru_weights **weights);
/* Opens `path`, loads its GRU and closes it. */
GRU_API gru_status gru_load_gru_file(const char *path, const char *prefix, gru_weights **weights);
GRU_API void gru_weights_destroy(gru_weights *weights); /* NULL is a no-op */

typedef struct gru_weights_info {
    gru_config config;               /* ready for gru_model_create */
    const gru_layer_weights *layers; /* L*D entries, l*D + d, as gru_model_create takes them */
    int batch_first;                 /* from "gru.batch_first" */
    const char *prefix;              /* the prefix the tensors were found under ("" for none) */
} gru_weights_info;
/* Pointers stay valid until gru_weights_destroy. */
GRU_API gru_status gru_weights_get_info(const gru_weights *weights, gru_weights_info *info);

/* ----- NumPy .npy, format versions 1.0, 2.0 and 3.0: little-endian, C order. */
#define GRU_NPY_MAX_RANK 32

typedef struct gru_array {
    gru_dtype dtype;                 /* GRU_DTYPE_F32 ("<f4"), I32 ("<i4") or I64 ("<i8") */
    size_t rank;
    size_t shape[GRU_NPY_MAX_RANK];  /* rank entries used */
    size_t numel;                    /* product of shape; 1 for rank 0 */
    void *data;                      /* numel elements, 64-byte aligned; NULL when numel == 0 */
} gru_array;

/* Reads a .npy file. Big-endian data, Fortran order, other dtypes, bad magic or version,
 * a malformed header, a shape that overflows, and truncated or trailing data are
 * GRU_ERR_FORMAT. */
GRU_API gru_status gru_npy_read(const char *path, gru_array **array);
/* The same from memory (`name` as in gru_safetensors_open_memory). */
GRU_API gru_status gru_npy_read_memory(const void *data, size_t size, const char *name, gru_array **array);
GRU_API void gru_array_destroy(gru_array *array); /* NULL is a no-op */
/* Writes data[numel] of `dtype` (F32, I32 or I64) with the given shape (rank <= GRU_NPY_MAX_RANK)
 * in format 1.0, the header exactly as np.save writes it (its 65535-byte limit is never reached at
 * this rank, so 2.0 is never needed). The file appears complete or not at all: it is written to a
 * temporary file beside `path`, flushed, then renamed. GRU_ERR_IO if that fails. */
GRU_API gru_status gru_npy_write(const char *path, gru_dtype dtype, const void *data, size_t rank,
                                 const size_t *shape);

/* --------------------------------------------------------------- systems */
/* Networks built on the engine (src/nets/). Same conventions as above; the dense layers of their
 * heads compute every output as one FMA chain from its bias in increasing k, so every system's
 * outputs are bit-identical on every ISA too. Each object is immutable once created and keeps the
 * ISA active at its creation. */

/* ----- GRUPredictor (tools/export_pytorch.py): an nn.GRU (batch_first) over graph embeddings
 * [B, T, G], optionally with tabular embeddings [B, T, Tab] (or [B, Tab], the same every step)
 * concatenated on the feature axis, packed by lengths; the last layer's final state (forward then
 * reverse when bidirectional) -> Linear(D*H, F) -> ReLU -> Linear(F, C) = logits [B, C].
 * The concat is never built: layer 0's projection is chain(b_ih [+ b_hh]; W_graph, graph) +
 * chain(0; W_tab, tab), the two chains added once, in this order (PyTorch's single chain over the
 * concat rounds differently; both are within NUMERICS.md section 2). Without tab (Tab = 0) the
 * GRU part is exactly gru_forward's. */
typedef struct gru_predictor_config {
    size_t graph_dim;   /* G >= 1 */
    size_t tab_dim;     /* Tab >= 0 */
    size_t hidden_size; /* H >= 1 */
    size_t num_layers;  /* L >= 1 */
    int bidirectional;
    size_t head_dim;    /* F >= 1: width of the hidden Linear (64 in the exporter) */
    size_t num_classes; /* C >= 1 */
    gru_weight_type weights; /* storage of the GRU's W_ih, W_hh (gru_config.weights); the head stays fp32 */
} gru_predictor_config;

/* gru: L*D entries as gru_model_create takes them, layer 0's w_ih [3H, G + Tab] (graph columns
 * first), biases required; fc1_w [F, D*H], fc1_b [F], fc2_w [C, F], fc2_b [C]. All finite (the
 * GRU's as gru_model_create requires), else GRU_ERR_INVALID. */
typedef struct gru_predictor_weights {
    const gru_layer_weights *gru;
    const float *fc1_w, *fc1_b, *fc2_w, *fc2_b;
} gru_predictor_weights;

typedef struct gru_predictor gru_predictor;
GRU_API gru_status gru_predictor_create(gru_predictor **pred, const gru_predictor_config *config,
                                        const gru_predictor_weights *weights);
/* From the exporter's state_dict: gru.* (nn.GRU), classifier.0.{weight,bias}, classifier.3.{weight,bias};
 * G and Tab from the metadata "predictor.graph_dim" / "predictor.tab_dim" (absent: G = the GRU's
 * input size, Tab = 0; they must add up to it). */
GRU_API gru_status gru_predictor_load(const gru_safetensors *st, gru_predictor **pred);
GRU_API gru_status gru_predictor_load_file(const char *path, gru_predictor **pred);
GRU_API void gru_predictor_destroy(gru_predictor *pred); /* NULL is a no-op */
GRU_API gru_status gru_predictor_get_config(const gru_predictor *pred, gru_predictor_config *config);

typedef struct gru_predictor_args {
    size_t batch, seq_len;  /* B, T >= 1 */
    const float *graph;     /* [B, T, G]; graph and tab finite at t < lengths[b] (else GRU_ERR_INVALID) */
    const float *tab;       /* [B, T, Tab] or [B, Tab] (tab_per_step = 0); NULL iff Tab = 0 */
    int tab_per_step;       /* nonzero: tab is [B, T, Tab] */
    const int64_t *lengths; /* [B], 0 <= lengths[b] <= T, or NULL for all T; 0 gives the zero state */
    float *logits;          /* [B, C] */
    float *state;           /* NULL or [B, D*H]: the final state the head reads */
} gru_predictor_args;
/* The recurrence runs on gru_get_num_threads() threads (the library's pool), the same bits. */
GRU_API gru_status gru_predictor_forward(const gru_predictor *pred, const gru_predictor_args *args);

/* ----- Forecaster (export_pytorch.py forecaster): an nn.GRU (batch_first, any L, D) over x
 * [B, T, I], then Linear(D*H, O) on the output of the last time step: y [B, O].
 * state_dict: gru.* and head.{weight,bias}. */
typedef struct gru_forecaster gru_forecaster;
/* gru: L*D entries; head_w [O, D*H], head_b [O]; all finite (else GRU_ERR_INVALID). */
GRU_API gru_status gru_forecaster_create(gru_forecaster **fc, const gru_config *config,
                                         const gru_layer_weights *gru, size_t outputs,
                                         const float *head_w, const float *head_b);
GRU_API gru_status gru_forecaster_load(const gru_safetensors *st, gru_forecaster **fc);
GRU_API void gru_forecaster_destroy(gru_forecaster *fc); /* NULL is a no-op */
/* *config: the GRU's; *outputs: O. Either may be NULL. */
GRU_API gru_status gru_forecaster_get_info(const gru_forecaster *fc, gru_config *config, size_t *outputs);
/* x [B, T, I], finite (else GRU_ERR_INVALID) -> y [B, O]. */
GRU_API gru_status gru_forecaster_forward(const gru_forecaster *fc, size_t batch, size_t seq_len,
                                          const float *x, float *y);

/* ----- Neighbour-list GRU: S sequences of rows of one feature table [N, I], given as CSR
 * (offsets[S + 1], offsets[0] = 0, non-decreasing; indices[offsets[S]], each < N): sequence s is
 * table[indices[offsets[s] .. offsets[s+1])], in that order. Layer 0's projection runs once per
 * table row (a [N, I] x [I, D*3H] GEMM) and the projected rows are gathered per step, so the
 * results are bit-identical to gathering x and calling gru_forward with lengths (packed
 * semantics; an empty sequence keeps h0 = 0). Models with one layer (either direction count,
 * either variant); more layers are GRU_ERR_UNSUPPORTED. */
typedef struct gru_neighbor_args {
    size_t num_rows;         /* N >= 1 */
    const float *table;      /* [N, I]; the rows indices name must be finite (else GRU_ERR_INVALID) */
    size_t num_seqs;         /* S >= 1 */
    const int64_t *offsets;  /* [S + 1] */
    const int64_t *indices;  /* [offsets[S]] */
    float *h_n;              /* NULL or [D, S, H], as gru_forward's h_n */
    float *y;                /* NULL or [offsets[S], D*H]: row offsets[s] + t is step t of sequence s */
} gru_neighbor_args;
GRU_API gru_status gru_neighbor_forward(const gru_model *model, const gru_neighbor_args *args);

/* ----- Cells from hand-written PyTorch modules, as one-layer unidirectional models for gru_cell
 * (layer 0, reverse 0) and gru_forward. A prefix (NULL: "") is tried as given, then with a '.'.
 * nn.GRUCell: <prefix>weight_ih [3H, I], weight_hh [3H, H], bias_ih, bias_hh [3H] (both or neither). */
GRU_API gru_status gru_safetensors_load_grucell(const gru_safetensors *st, const char *prefix, gru_model **model);
/* The reset-before cell (export_pytorch.py ResetBeforeCell), with c = [x, h] and c' = [x, r * h]:
 *   [r, z] = sigmoid(linear_rz(c)),  n = tanh(linear_n(c')),  h' = (1 - z) * n + z * h,
 * linear_rz: Linear(I + H, 2H), linear_n: Linear(I + H, H). Mapped exactly onto
 * GRU_VARIANT_RESET_BEFORE: W_ih = the x columns of [linear_rz; linear_n], W_hh = their h columns,
 * b_ih = [linear_rz.bias; linear_n.bias], b_hh = 0. w_rz [2H, I + H], b_rz [2H], w_n [H, I + H],
 * b_n [H]; biases may both be NULL (none). */
GRU_API gru_status gru_rbcell_create(gru_model **model, size_t input_size, size_t hidden_size, const float *w_rz,
                                     const float *b_rz, const float *w_n, const float *b_n);
/* <prefix>linear_rz.weight, linear_rz.bias, linear_n.weight, linear_n.bias. */
GRU_API gru_status gru_safetensors_load_rbcell(const gru_safetensors *st, const char *prefix, gru_model **model);

#ifdef __cplusplus
}
#endif
#endif /* GRU_GRU_H */
