/*
 * gemmnet — feed-forward neural networks whose math is row-major sgemm calls.
 *
 * The one public header. Conventions:
 *  - Every fallible function returns an int status; GEMMNET_OK is zero and
 *    gemmnet_strerror() names the others.
 *  - Functions whose failure depends on data also take an optional
 *    `gemmnet_error *err` (NULL is allowed) that receives a one-line message
 *    saying what went wrong and where. Failures often happen before an object
 *    exists (a CSV that does not parse), so the message lives in a
 *    caller-owned struct rather than in a handle.
 *  - The library never prints, exits or aborts, and has no global mutable
 *    state of its own. Randomness comes only from seeds the caller passes.
 *  - Matrices are row-major float32. Weights are W[in×out], so a layer's
 *    forward pass is X·W as in the tutorial.
 *  - Output parameters are marked OUT.
 */
#ifndef GEMMNET_H
#define GEMMNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GEMMNET_BUILDING) && defined(__GNUC__)
#define GEMMNET_API __attribute__((visibility("default")))
#else
#define GEMMNET_API
#endif

#define GEMMNET_VERSION "0.1.0"
#define GEMMNET_VERSION_MAJOR 0
#define GEMMNET_VERSION_MINOR 1
#define GEMMNET_VERSION_PATCH 0

/* Largest number of weight layers (hidden layers + the output layer). */
#define GEMMNET_MAX_LAYERS 32

/* Status codes returned by every fallible function. */
enum gemmnet_status {
    GEMMNET_OK = 0,          /* success */
    GEMMNET_E_INVALID = 1,   /* an argument is outside its documented range */
    GEMMNET_E_NOMEM = 2,     /* an allocation failed */
    GEMMNET_E_OVERFLOW = 3,  /* a size computation would overflow */
    GEMMNET_E_IO = 4,        /* opening, reading or writing a file failed */
    GEMMNET_E_PARSE = 5,     /* malformed text input */
    GEMMNET_E_LABEL = 6,     /* a class label is out of range */
    GEMMNET_E_NONFINITE = 7, /* NaN or Inf in data, loss, gradients or weights */
    GEMMNET_E_SHAPE = 8,     /* dimensions of the arguments disagree */
    GEMMNET_E_STOPPED = 9    /* the progress callback asked training to stop */
};

/* Short English description of a status code; never NULL. */
GEMMNET_API const char *gemmnet_strerror(int status);

/* Detail for a failed call: the status again and a one-line message. */
typedef struct gemmnet_error {
    /* The status the failing call returned. */
    int status;
    /* NUL-terminated message, e.g. "data.csv:12:3: expected a number". */
    char message[512];
} gemmnet_error;

/* Allocator hooks for embedding. Pass NULL wherever one is accepted to use
 * malloc/free. An object remembers the allocator it was created with. */
typedef struct gemmnet_allocator {
    /* Returns size bytes aligned for any type, or NULL on failure. */
    void *(*alloc)(void *context, size_t size);
    /* Releases a block from alloc; ptr may be NULL. */
    void (*release)(void *context, void *ptr);
    /* Passed unchanged to both hooks. */
    void *context;
} gemmnet_allocator;

/* ------------------------------------------------------------------------ */
/* Random numbers: numpy's legacy RandomState (MT19937), bit for bit.       */

/* Generator state. Plain data: copy it to snapshot the stream. */
typedef struct gemmnet_rng {
    /* MT19937 state words. */
    uint32_t state[624];
    /* Index of the next word to temper; 624 means "twist first". */
    int32_t position;
    /* Non-zero when `gauss` holds a cached normal deviate. */
    int32_t has_gauss;
    /* Second deviate of the last polar-method pair. */
    double gauss;
} gemmnet_rng;

/* Seeds like numpy.random.seed(seed); clears the cached normal deviate. */
GEMMNET_API void gemmnet_rng_seed(gemmnet_rng *rng, uint32_t seed);
/* Next 32-bit word of the MT19937 stream. */
GEMMNET_API uint32_t gemmnet_rng_next32(gemmnet_rng *rng);
/* Uniform double in [0, 1) with 53 random bits (numpy random_sample). */
GEMMNET_API double gemmnet_rng_uniform(gemmnet_rng *rng);
/* Standard normal deviate, numpy's legacy polar method (randn). */
GEMMNET_API double gemmnet_rng_normal(gemmnet_rng *rng);
/* Uniform integer in [0, max] by masked rejection (numpy rk_interval). */
GEMMNET_API uint64_t gemmnet_rng_interval(gemmnet_rng *rng, uint64_t max);
/* Fisher–Yates shuffle of items[0..n) exactly as numpy's shuffle. */
GEMMNET_API void gemmnet_rng_shuffle(gemmnet_rng *rng, int32_t *items, size_t n);

/* ------------------------------------------------------------------------ */
/* Data sets.                                                               */

/* N labelled examples of D features, owned by the struct. */
typedef struct gemmnet_dataset {
    /* Number of examples, N. */
    size_t rows;
    /* Features per example, D. */
    size_t features;
    /* Number of classes, K: one more than the largest label, at least 2. */
    int32_t classes;
    /* Features, [N×D] row-major. */
    float *x;
    /* Labels, [N], each in [0, K). */
    int32_t *y;
    /* The allocator x and y came from. */
    gemmnet_allocator allocator;
} gemmnet_dataset;

/* Allocates room for rows×features values and rows labels (uninitialised,
 * classes set to 0). Checks the sizes for overflow first. */
GEMMNET_API int gemmnet_dataset_alloc(gemmnet_dataset *data /* OUT */,
                                      size_t rows,
                                      size_t features,
                                      const gemmnet_allocator *allocator,
                                      gemmnet_error *err);
/* Frees what gemmnet_dataset_alloc or a reader allocated; zeroes the struct. */
GEMMNET_API void gemmnet_dataset_free(gemmnet_dataset *data);

/* How gemmnet_dataset_read_csv interprets its input. */
typedef struct gemmnet_csv_options {
    /* Column holding the integer label: 0-based, or -1 for the last one. */
    int32_t label_column;
    /* If > 0, the number of classes; labels >= it are errors. If 0, the
     * classes are inferred as 1 + the largest label (at least 2). */
    int32_t classes;
} gemmnet_csv_options;

/* Reads a CSV file of numbers with an integer label column. A first line
 * that is not all numbers is taken as a header. Rows must all have the same
 * number of fields. Malformed input returns GEMMNET_E_PARSE (or
 * GEMMNET_E_NONFINITE for NaN/Inf, GEMMNET_E_LABEL for a bad label) with
 * "FILE:LINE:COLUMN: what was expected" in err. options may be NULL. */
GEMMNET_API int gemmnet_dataset_read_csv(gemmnet_dataset *data /* OUT */,
                                         const char *path,
                                         const gemmnet_csv_options *options,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_error *err);

/* Two interleaving half circles, exactly as scikit-learn's
 * make_moons(n, noise=noise, random_state=seed) computes them with numpy's
 * legacy generator (cos/sin from the C library). Writes x[n×2] and y[n];
 * needs no other memory. n must be at least 2. */
GEMMNET_API int gemmnet_moons(size_t n,
                              double noise,
                              uint32_t seed,
                              double *x /* OUT [n×2] */,
                              int32_t *y /* OUT [n] */);

/* gemmnet_moons into a freshly allocated float32 dataset with K = 2. */
GEMMNET_API int gemmnet_dataset_moons(gemmnet_dataset *data /* OUT */,
                                      size_t n,
                                      double noise,
                                      uint32_t seed,
                                      const gemmnet_allocator *allocator,
                                      gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* Models.                                                                  */

/* Hidden-layer activation functions. */
typedef enum gemmnet_activation {
    GEMMNET_ACT_TANH = 0 /* tanh(z); derivative 1 − a² */
} gemmnet_activation;

/* How per-example gradients combine over a batch. */
typedef enum gemmnet_reduction {
    /* The tutorial's: gradients summed over the batch; the reported loss is
     * (Σ CE + λ/2·Σ‖W‖²) / N. */
    GEMMNET_REDUCTION_SUM = 0,
    /* Gradients averaged over the batch; loss Σ CE / N + λ/2·Σ‖W‖². */
    GEMMNET_REDUCTION_MEAN = 1
} gemmnet_reduction;

/* Shape of a network: D inputs, hidden widths, K softmax outputs. */
typedef struct gemmnet_architecture {
    /* Number of input features, D ≥ 1. */
    int32_t inputs;
    /* Number of classes, K ≥ 2. */
    int32_t classes;
    /* Number of hidden layers, 0 (softmax regression) to
     * GEMMNET_MAX_LAYERS − 1. */
    int32_t hidden_layers;
    /* Widths of the hidden layers, [hidden_layers], each ≥ 1. */
    const int32_t *hidden;
    /* Activation of each hidden layer, [hidden_layers]; NULL means tanh. */
    const gemmnet_activation *activations;
} gemmnet_architecture;

/* A network's shape and its parameters in one contiguous block. Opaque. */
typedef struct gemmnet_model gemmnet_model;

/* Creates a model with all parameters zero. */
GEMMNET_API int gemmnet_model_create(const gemmnet_architecture *arch,
                                     const gemmnet_allocator *allocator,
                                     gemmnet_model **model /* OUT */,
                                     gemmnet_error *err);
/* Frees a model; NULL is allowed. */
GEMMNET_API void gemmnet_model_destroy(gemmnet_model *model);

/* The tutorial's initialisation: re-seeds a numpy-compatible generator with
 * seed, then draws every W_l = randn(in, out) / sqrt(in) in layer order
 * (row-major) and sets every bias to 0. */
GEMMNET_API void gemmnet_model_init_tutorial(gemmnet_model *model, uint32_t seed);

/* Number of weight layers, L = hidden layers + 1. */
GEMMNET_API int32_t gemmnet_model_layers(const gemmnet_model *model);
/* Width of layer i: 0 gives D, L gives K, others the hidden widths. */
GEMMNET_API int32_t gemmnet_model_width(const gemmnet_model *model, int32_t i);
/* Total number of parameters (all weights and biases). */
GEMMNET_API size_t gemmnet_model_parameter_count(const gemmnet_model *model);
/* W_l[in×out] of weight layer l in [1, L], row-major; NULL if l is invalid. */
GEMMNET_API float *gemmnet_model_weights(gemmnet_model *model, int32_t l);
/* b_l[out] of weight layer l in [1, L]; NULL if l is invalid. */
GEMMNET_API float *gemmnet_model_biases(gemmnet_model *model, int32_t l);

/* ------------------------------------------------------------------------ */
/* Inference. A model is read-only here: any number of threads may predict
 * from one model at once, each with its own workspace.                      */

/* Scratch memory for inference on up to a fixed block of rows. Opaque. */
typedef struct gemmnet_workspace gemmnet_workspace;

/* Creates a workspace for model (its shape only is used). */
GEMMNET_API int gemmnet_workspace_create(const gemmnet_model *model,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_workspace **workspace /* OUT */,
                                         gemmnet_error *err);
/* Frees a workspace; NULL is allowed. */
GEMMNET_API void gemmnet_workspace_destroy(gemmnet_workspace *workspace);

/* Class probabilities proba[n×K] for the rows x[n×D]. The workspace must
 * have been created for a model of the same shape. */
GEMMNET_API int gemmnet_predict_proba(const gemmnet_model *model,
                                      gemmnet_workspace *workspace,
                                      const float *x,
                                      size_t n,
                                      float *proba /* OUT [n×K] */);
/* Most probable class of each row (lowest index on ties). */
GEMMNET_API int gemmnet_predict(const gemmnet_model *model,
                                gemmnet_workspace *workspace,
                                const float *x,
                                size_t n,
                                int32_t *labels /* OUT [n] */);

/* Loss and accuracy of a model on a data set. */
typedef struct gemmnet_evaluation {
    /* Reported loss under the given reduction and L2 strength. */
    double loss;
    /* Mean cross-entropy per example, without the L2 term. */
    double cross_entropy;
    /* Number of rows whose most probable class is the label. */
    size_t correct;
    /* correct / rows. */
    double accuracy;
} gemmnet_evaluation;

/* Evaluates model on data; l2 and reduction define the reported loss.
 * Checks the data first: D features, labels in [0, K), finite values. */
GEMMNET_API int gemmnet_evaluate(const gemmnet_model *model,
                                 gemmnet_workspace *workspace,
                                 const gemmnet_dataset *data,
                                 float l2,
                                 gemmnet_reduction reduction,
                                 gemmnet_evaluation *result /* OUT */);

/* ------------------------------------------------------------------------ */
/* Training.                                                                */

/* What the progress callback receives. */
typedef struct gemmnet_progress {
    /* 0-based index of the epoch just finished (after its update). */
    int32_t epoch;
    /* The model evaluated on the whole training set after that update. */
    gemmnet_evaluation train;
} gemmnet_progress;

/* Called every report_every epochs; a non-zero return stops training, which
 * then returns GEMMNET_E_STOPPED. */
typedef int (*gemmnet_progress_fn)(void *context, const gemmnet_progress *progress);

/* Settings of gemmnet_train. gemmnet_train_options_init sets the tutorial's. */
typedef struct gemmnet_train_options {
    /* Number of passes over the data (tutorial: 20000). */
    int32_t epochs;
    /* Step size ε (tutorial: 0.01). */
    float learning_rate;
    /* L2 strength λ on the weights, not the biases (tutorial: 0.01). */
    float l2;
    /* Gradient convention (tutorial: GEMMNET_REDUCTION_SUM). */
    gemmnet_reduction reduction;
    /* Call progress after epoch e when e % report_every == 0 (the
     * tutorial's "Loss after iteration e"); 0 never calls it (tutorial:
     * 1000). */
    int32_t report_every;
    /* Progress callback, or NULL. */
    gemmnet_progress_fn progress;
    /* Passed unchanged to progress. */
    void *progress_context;
    /* Rows per cache block; 0 chooses from the layer widths. The result
     * does not depend on it beyond float32 summation order. */
    size_t block_rows;
    /* Allocator for the training buffers, or NULL for malloc. */
    const gemmnet_allocator *allocator;
} gemmnet_train_options;

/* Fills options with the tutorial's settings. */
GEMMNET_API void gemmnet_train_options_init(gemmnet_train_options *options /* OUT */);

/* Full-batch gradient descent: per epoch, the forward pass, the backward
 * pass and W ← W − ε·(∇W + λ·W), b ← b − ε·∇b. Allocates its buffers once;
 * epochs allocate nothing. Stops with GEMMNET_E_NONFINITE, naming the epoch,
 * if a gradient becomes NaN or Inf; the model then holds the weights from
 * before that epoch's update. */
GEMMNET_API int gemmnet_train(gemmnet_model *model,
                              const gemmnet_dataset *data,
                              const gemmnet_train_options *options,
                              gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* The BLAS backend.                                                        */

/* Name of the CBLAS library gemmnet was built against, e.g. "openblas". */
GEMMNET_API const char *gemmnet_blas_name(void);
/* Sets the backend's thread count (n ≥ 1), where the backend allows it.
 * This is the backend's process-wide setting, not gemmnet state. */
GEMMNET_API int gemmnet_blas_set_threads(int n);
/* The backend's current thread count (1 where it cannot be queried). */
GEMMNET_API int gemmnet_blas_threads(void);

#ifdef __cplusplus
}
#endif
#endif /* GEMMNET_H */
