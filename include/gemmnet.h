/*
 * gemmnet — feed-forward neural networks whose math is row-major sgemm calls.
 *
 * The one public header. Matrices are row-major float32; weights are
 * W[in×out], so a layer's forward pass is X·W as in the tutorial. Output
 * parameters are marked OUT.
 *
 * The contract every function below keeps (tests/test_api_contract.c walks
 * every exported function and checks it):
 *  - Status. Every fallible function returns an int status: GEMMNET_OK
 *    (zero) or one of enum gemmnet_status; gemmnet_strerror() names it.
 *  - err. Every function whose failure can depend on its data (files,
 *    rows, weights, sizes) takes a last `gemmnet_error *err`. NULL is
 *    allowed. On failure err->status is the returned status and
 *    err->message one printable line saying what went wrong and where; on
 *    success err is not written.
 *  - NULL. A NULL handle, a NULL required pointer, or a NULL array with a
 *    non-zero count gives GEMMNET_E_INVALID (with a message in err), never
 *    a crash. Before any check, an OUT handle pointer (`T **out`) is set to
 *    NULL and an OUT struct (a data set) is zeroed, so that freeing it
 *    after a failure is always safe. Destroy and free functions accept
 *    NULL. A function that returns a value rather than a status returns
 *    the neutral one for a NULL handle: 0, NULL, −1 for an index, or the
 *    documented default; void functions then do nothing.
 *  - Sizes. A count or index outside its documented range gives
 *    GEMMNET_E_INVALID; a size whose product overflows size_t gives
 *    GEMMNET_E_OVERFLOW; a size beyond the machine's memory gives
 *    GEMMNET_E_NOMEM, in each case before anything is written.
 *    Dimensions that disagree with a model (a workspace made for another
 *    shape, a data set with other features) give GEMMNET_E_SHAPE.
 *  - Non-finite values. NaN or Inf in the inputs (data rows, parameters,
 *    statistics) gives GEMMNET_E_NONFINITE and the first place it was
 *    found; so does an answer that is not finite although the inputs were
 *    (probabilities, activations or a loss that overflow float32 on huge
 *    weights). A result is never NaN with GEMMNET_OK.
 *  - The library never prints, exits or aborts, and has no global mutable
 *    state of its own. Randomness comes only from seeds the caller passes.
 *    Failures often happen before an object exists (a CSV that does not
 *    parse), so the message lives in a caller-owned struct rather than in
 *    a handle, which also makes it thread-safe.
 *  - Matrices are row-major float32. Weights are W[in×out], so a layer's
 *    forward pass is X·W as in the tutorial.
 *  - Output parameters are marked OUT.
 *
 * Example: the tutorial's network, trained (the tests compile every example)
 *     gemmnet_error err = {0};
 *     gemmnet_dataset data;
 *     gemmnet_model *model = NULL;
 *     int32_t hidden[] = {3};
 *     gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1,
 *                                  .hidden = hidden};
 *     gemmnet_train_options options;
 *     gemmnet_train_options_init(&options);
 *     if (gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL,
 *                                  &err) != GEMMNET_OK ||
 *         gemmnet_model_create(&arch, NULL, &model, &err) != GEMMNET_OK ||
 *         gemmnet_model_init(model, GEMMNET_INIT_TUTORIAL, 0, &err) != GEMMNET_OK ||
 *         gemmnet_train(model, &data, &options, &err) != GEMMNET_OK)
 *         fprintf(stderr, "%s\n", err.message);
 *     gemmnet_model_destroy(model);
 *     gemmnet_dataset_free(&data);
 */
#ifndef GEMMNET_H
#define GEMMNET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GEMMNET_BUILDING) && defined(__GNUC__)
#define GEMMNET_API __attribute__((visibility("default")))
#else
#define GEMMNET_API
#endif

#define GEMMNET_VERSION "0.2.0"
#define GEMMNET_VERSION_MAJOR 0
#define GEMMNET_VERSION_MINOR 2
#define GEMMNET_VERSION_PATCH 0

/* Largest number of weight layers (hidden layers + the output layer). */
#define GEMMNET_MAX_LAYERS 32

/* Status codes returned by every fallible function. */
enum gemmnet_status {
    GEMMNET_OK = 0, /* success */
    GEMMNET_E_INVALID = 1, /* an argument is outside its documented range */
    GEMMNET_E_NOMEM = 2, /* an allocation failed */
    GEMMNET_E_OVERFLOW = 3, /* a size computation would overflow */
    GEMMNET_E_IO = 4, /* opening, reading or writing a file failed */
    GEMMNET_E_PARSE = 5, /* malformed text input */
    GEMMNET_E_LABEL = 6, /* a class label is out of range */
    GEMMNET_E_NONFINITE = 7, /* NaN or Inf in data, loss, gradients or weights */
    GEMMNET_E_SHAPE = 8, /* dimensions of the arguments disagree */
    GEMMNET_E_STOPPED = 9, /* the progress callback asked training to stop */
    GEMMNET_E_FORMAT = 10, /* not a gemmnet model (bad magic), or contents that contradict
                              themselves */
    GEMMNET_E_VERSION = 11, /* a model format version (or feature flag) this build cannot read */
    GEMMNET_E_TRUNCATED = 12, /* a model file ends before the size its header declares */
    GEMMNET_E_CHECKSUM = 13, /* a model file's CRC-32 does not match its contents */
    GEMMNET_E_TOO_LARGE = 14, /* a model declares absurd sizes: a width above 2^24, or more
                                parameters than the file can hold */
    GEMMNET_E_COLLECTIVE = 20 /* a collective hook (e.g. an MPI reduction) failed */
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
 * malloc/free. An object remembers the allocator it was created with.
 * With malloc, a block larger than the machine's physical memory is
 * refused up front (GEMMNET_E_NOMEM with the byte count) rather than
 * overcommitted and paid for by the OOM killer; so are a synthetic data
 * set or a training run whose buffers together exceed it. Hooks of your
 * own set their own limits. */
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
    /* Names of the K classes when the labels were text: [classes]
     * NUL-terminated strings, class k named class_names[k]; NULL when the
     * labels were integers. One allocation, freed by gemmnet_dataset_free. */
    char **class_names;
    /* The allocator x, y and class_names came from. */
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

/* Longest class name in bytes (names are UTF-8 text). */
#define GEMMNET_MAX_CLASS_NAME 1024

/* Whether a CSV file's first line is a header (gemmnet_csv_options). */
typedef enum gemmnet_csv_header {
    GEMMNET_CSV_HEADER_AUTO = 0,
    GEMMNET_CSV_HEADER_YES = 1,
    GEMMNET_CSV_HEADER_NO = 2
} gemmnet_csv_header;

/* Which labels a CSV reader accepts (gemmnet_csv_options). */
typedef enum gemmnet_csv_labels {
    GEMMNET_CSV_LABELS_AUTO = 0,
    GEMMNET_CSV_LABELS_INTEGER = 1
} gemmnet_csv_labels;

/* How the CSV readers interpret their input. Zero-initialise it and set
 * what you need: {0} means "label in the last column, classes inferred",
 * exactly as passing NULL does. */
typedef struct gemmnet_csv_options {
    /* Field holding the label, counted from 1 (1 is the first column);
     * 0, the zero value, means the last column. Negative is invalid. */
    int32_t label_field;
    /* If > 0, the number of classes; integer labels >= it are errors. If 0,
     * the classes are inferred: 1 + the largest integer label (at least 2),
     * or the number of distinct text labels. */
    int32_t classes;
    /* If not NULL, the header name of the label column; it overrides
     * label_field, and the file must then start with a header. */
    const char *label_name;
    /* If not NULL, the names of the `classes` classes (classes must then be
     * ≥ 2): every label is text and must be one of them, and class k is
     * class_names[k] (a model's names, so that test data maps like the
     * training data did). */
    const char *const *class_names;
    /* With parts > 1, keep only part `part` (0-based) of the data rows:
     * rows [N·part/parts, N·(part+1)/parts) of the N in the file, e.g. one
     * process's shard. Every row is still checked, so errors and the
     * inferred classes are those of the whole file; only the kept rows are
     * stored. 0 or 1 parts keeps everything. */
    uint32_t part;
    uint32_t parts;
    /* Whether the first non-blank line is a header: AUTO (0) decides by
     * the rules of gemmnet_dataset_read_csv, YES and NO override them. */
    gemmnet_csv_header header;
    /* AUTO (0): integer or text labels, as the data has them; INTEGER: a
     * text label is an error (data for a model without class names). */
    gemmnet_csv_labels labels;
} gemmnet_csv_options;

/* Reads a CSV file of numbers with one label column.
 *  - The first non-blank line is a header when options->header says so,
 *    or (AUTO) when options->label_name is given, when one of its feature
 *    fields is not a number, when its label is a number over text labels
 *    or text over numbers (those of the next line), or when it is column
 *    numbers (fields 0,1,2,... at their 0-based columns, as pandas writes
 *    unnamed columns; the label may be a name) whose label no other row
 *    has. Column numbers whose label other rows have are ambiguous: an
 *    error asks for options->header (docs/data.md).
 *  - Labels are integers 0..K−1 when the first data row's label is a number;
 *    then every label must be one. Otherwise every label is a class name, and
 *    names map to classes in sorted (byte-wise strcmp) order, kept in
 *    data->class_names; with options->class_names they map to those.
 *  - Rows must all have the same number of fields.
 *  - Labels name at most 2^24 classes (a model's widest layer): integers
 *    0..2^24 − 1, or 2^24 distinct names.
 * Malformed input returns GEMMNET_E_PARSE (or GEMMNET_E_NONFINITE for
 * NaN/Inf, GEMMNET_E_LABEL for a bad label) with
 * "FILE:LINE:COLUMN: what was expected" in err. options may be NULL. */
GEMMNET_API int gemmnet_dataset_read_csv(gemmnet_dataset *data /* OUT */,
                                         const char *path,
                                         const gemmnet_csv_options *options,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_error *err);

/* Reads feature rows from a CSV stream a block at a time, so that input of
 * any length, and input that cannot be re-read (a pipe, stdin), can be
 * classified in constant memory. Opaque. */
typedef struct gemmnet_csv_reader gemmnet_csv_reader;

/* Prepares to read rows of `features` values (D ≥ 1) from file, which the
 * caller opened and closes after gemmnet_csv_reader_destroy; name is used
 * in messages. The first non-blank line fixes the layout: D fields are all
 * features; D + 1 fields include a label column (options->label_name, or
 * options->label_field, the last by default) whose values are skipped
 * unchecked, except that with options->labels INTEGER a text label is an
 * error. The number grammar and header rules are gemmnet_dataset_read_csv's,
 * but a stream cannot look at every row: a line of column numbers is a
 * header when its label cannot be a class (not one of options->class_names,
 * or ≥ options->classes), else, and always without a label column, it is
 * ambiguous (an error asking for options->header). options may be NULL. */
GEMMNET_API int gemmnet_csv_reader_create(FILE *file,
                                          const char *name,
                                          size_t features,
                                          const gemmnet_csv_options *options,
                                          const gemmnet_allocator *allocator,
                                          gemmnet_csv_reader **reader /* OUT */,
                                          gemmnet_error *err);
/* Reads up to max_rows rows into x[max_rows×D]; *rows is how many were
 * read, 0 only at the end of the input. Errors name FILE:LINE:COLUMN. */
GEMMNET_API int gemmnet_csv_reader_read(gemmnet_csv_reader *reader,
                                        float *x /* OUT [max_rows×D] */,
                                        size_t max_rows,
                                        size_t *rows /* OUT */,
                                        gemmnet_error *err);
/* Frees a reader (not its file); NULL is allowed. */
GEMMNET_API void gemmnet_csv_reader_destroy(gemmnet_csv_reader *reader);

/* Standardises data in place, feature by feature: x ← (x − mean) / scale,
 * where mean and scale (the population standard deviation, or 1 for a
 * constant feature) are computed over all rows in double and rounded to
 * float. Writes them to mean[D] and scale[D]: store them in the model with
 * gemmnet_model_set_standardization so that prediction applies the same
 * transform to raw rows. */
GEMMNET_API int gemmnet_dataset_standardize(gemmnet_dataset *data,
                                            float *mean /* OUT [D] */,
                                            float *scale /* OUT [D] */,
                                            gemmnet_error *err);
/* Computes mean[D] and scale[D] as gemmnet_dataset_standardize does,
 * without changing data. Set them on a model before training
 * (gemmnet_model_set_standardization) and training standardises the raw
 * rows itself, block by block, exactly as prediction will. */
GEMMNET_API int gemmnet_dataset_statistics(const gemmnet_dataset *data,
                                           float *mean /* OUT [D] */,
                                           float *scale /* OUT [D] */,
                                           gemmnet_error *err);
/* Applies x ← (x − mean) / scale with given statistics (e.g. a training
 * set's, to a validation set); scale must be finite and > 0. */
GEMMNET_API int gemmnet_dataset_apply_standardization(gemmnet_dataset *data,
                                                      const float *mean,
                                                      const float *scale,
                                                      gemmnet_error *err);

/* Synthetic two-dimensional data sets. */
typedef enum gemmnet_synthetic {
    /* scikit-learn make_moons(n, noise=noise, random_state=seed), exactly
     * as it computes them with numpy's legacy generator (cos/sin from the
     * C library): two interleaving half circles, K = 2. */
    GEMMNET_SYNTH_MOONS = 0,
    /* K interleaved spiral arms (r = 0..1, angle 4 radians per arm plus
     * noise·N(0,1)), rows grouped by class. */
    GEMMNET_SYNTH_SPIRAL = 1,
    /* K Gaussian blobs with standard deviation noise around centres drawn
     * uniformly from [−10, 10]², rows grouped by class. */
    GEMMNET_SYNTH_BLOBS = 2,
    /* scikit-learn make_circles(factor = 0.8): a unit circle (label 0) around
     * a circle of radius 0.8 (label 1), shuffled, plus noise, K = 2. */
    GEMMNET_SYNTH_CIRCLES = 3,
    /* Points uniform in [−1, 1]², label 1 where x1·x2 < 0, plus noise, K = 2. */
    GEMMNET_SYNTH_XOR = 4
} gemmnet_synthetic;

/* Writes x[n×2] and y[n] for a synthetic data set from a numpy-compatible
 * generator seeded with seed, in double precision as numpy computes them
 * (what `gemmnet moons` prints); needs no other memory. classes is used by
 * spiral and blobs (2..64) and must be 2 for the others. n ≥ 2 and
 * n ≥ classes, noise finite and ≥ 0. */
GEMMNET_API int gemmnet_generate(gemmnet_synthetic kind,
                                 size_t n,
                                 int32_t classes,
                                 double noise,
                                 uint32_t seed,
                                 double *x /* OUT [n×2] */,
                                 int32_t *y /* OUT [n] */);

/* gemmnet_generate into a freshly allocated float32 data set with K =
 * classes, e.g. the tutorial's moons:
 * gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, &err). */
GEMMNET_API int gemmnet_dataset_generate(gemmnet_dataset *data /* OUT */,
                                         gemmnet_synthetic kind,
                                         size_t n,
                                         int32_t classes,
                                         double noise,
                                         uint32_t seed,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_error *err);

/* Copies rows [first, first + count) of data into a new data set (same
 * features, classes and allocator), e.g. one process's shard. */
GEMMNET_API int gemmnet_dataset_slice(const gemmnet_dataset *data,
                                      size_t first,
                                      size_t count,
                                      gemmnet_dataset *out /* OUT */,
                                      gemmnet_error *err);

/* Splits data into a training part and a held-out part of
 * round(fraction·N) rows (0 < fraction < 1, both parts non-empty), chosen by
 * a numpy-compatible shuffle seeded with seed; row order within each part
 * follows that shuffle. train and validation are allocated like data. */
GEMMNET_API int gemmnet_dataset_split(const gemmnet_dataset *data,
                                      double fraction,
                                      uint32_t seed,
                                      gemmnet_dataset *train /* OUT */,
                                      gemmnet_dataset *validation /* OUT */,
                                      gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* Models.                                                                  */

/* Hidden-layer activation functions. */
typedef enum gemmnet_activation {
    GEMMNET_ACT_TANH = 0, /* tanh(z); derivative 1 − a² */
    GEMMNET_ACT_RELU = 1, /* max(z, 0); derivative [a > 0] */
    GEMMNET_ACT_LEAKY_RELU = 2, /* z if z > 0 else 0.01·z; derivative 1 or 0.01 */
    GEMMNET_ACT_SIGMOID = 3 /* 1 / (1 + e^−z); derivative a·(1 − a) */
} gemmnet_activation;

/* Number of activation functions (valid values are 0 .. this − 1). */
#define GEMMNET_ACTIVATION_COUNT 4

/* The name of an activation, as the CLI, the JSON form and the docs spell
 * it: "tanh", "relu", "leaky_relu", "sigmoid"; NULL for a value outside
 * gemmnet_activation. */
GEMMNET_API const char *gemmnet_activation_name(gemmnet_activation activation);

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

/* Weight initialisations; every bias starts at 0. */
typedef enum gemmnet_init {
    /* The tutorial's: W = randn(in, out) / sqrt(in). */
    GEMMNET_INIT_TUTORIAL = 0,
    /* Glorot/Xavier normal: W = randn(in, out) · sqrt(2 / (in + out)). */
    GEMMNET_INIT_XAVIER = 1,
    /* He normal, for relu: W = randn(in, out) · sqrt(2 / in). */
    GEMMNET_INIT_HE = 2,
    /* Orthogonal: W has orthonormal columns (in ≥ out) or rows (in < out),
     * the Q factor of a QR factorisation of a randn matrix (LAPACKE sgeqrf +
     * sorgqr) with signs fixed by diag(R). */
    GEMMNET_INIT_ORTHOGONAL = 3
} gemmnet_init;

/* Initialises every layer with scheme from a numpy-compatible generator
 * seeded with seed, drawing layer by layer, row-major, and sets every bias
 * to 0. GEMMNET_INIT_TUTORIAL is the tutorial's: it re-seeds the generator
 * with seed, then draws every W_l = randn(in, out) / sqrt(in) in layer
 * order. Any training state the model carried (from a checkpoint file) is
 * dropped: it described other weights. */
GEMMNET_API int
gemmnet_model_init(gemmnet_model *model, gemmnet_init scheme, uint32_t seed, gemmnet_error *err);

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
/* Activation of hidden layer l in [1, L−1] (tanh for an invalid l). */
GEMMNET_API gemmnet_activation gemmnet_model_activation(const gemmnet_model *model, int32_t l);

/* Metadata a model carries into its file: the loss convention it was
 * trained with, the standardisation its inputs need, its class names. */

/* Records the loss convention (reported by eval). New models: SUM, 0. */
GEMMNET_API int gemmnet_model_set_loss(gemmnet_model *model, gemmnet_reduction reduction, float l2);
/* The recorded reduction. */
GEMMNET_API gemmnet_reduction gemmnet_model_reduction(const gemmnet_model *model);
/* The recorded L2 strength λ. */
GEMMNET_API float gemmnet_model_l2(const gemmnet_model *model);
/* Makes predict, predict_proba and evaluate standardise raw rows first:
 * x ← (x − mean) / scale, as gemmnet_dataset_standardize did to the
 * training data (copies mean[D], scale[D]; finite, scale > 0). Both NULL
 * removes it. Set before training, training standardises the raw rows
 * the same way (the usual way: one copy of the data, stored statistics);
 * set after training on pre-standardised data, it only affects inference. */
GEMMNET_API int gemmnet_model_set_standardization(gemmnet_model *model,
                                                  const float *mean,
                                                  const float *scale,
                                                  gemmnet_error *err);
/* mean[D] of the standardisation, or NULL when the model has none. */
GEMMNET_API const float *gemmnet_model_mean(const gemmnet_model *model);
/* scale[D] of the standardisation, or NULL when the model has none. */
GEMMNET_API const float *gemmnet_model_scale(const gemmnet_model *model);
/* Copies names[K] as the class names (each 1..GEMMNET_MAX_CLASS_NAME bytes
 * of UTF-8 without control characters, commas or blanks at either end, all
 * distinct); NULL removes them. */
GEMMNET_API int
gemmnet_model_set_class_names(gemmnet_model *model, const char *const *names, gemmnet_error *err);
/* Name of class k, or NULL when the model has no names or k is invalid. */
GEMMNET_API const char *gemmnet_model_class_name(const gemmnet_model *model, int32_t k);

/* GEMMNET_OK if model has exactly the shape arch describes (inputs,
 * classes, hidden widths and activations, NULL activations meaning tanh);
 * otherwise GEMMNET_E_SHAPE with the first difference in err, e.g.
 * "width of hidden layer 1: 8 in the model, 3 expected". What a warm start
 * checks: see gemmnet_trainer_create. */
GEMMNET_API int gemmnet_model_check_architecture(const gemmnet_model *model,
                                                 const gemmnet_architecture *arch,
                                                 gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* Inference. A model is read-only here: any number of threads may predict
 * from one model at once, each with its own workspace. Rows are raw: a
 * model with a standardisation applies it to a copy in the workspace.       */

/* Scratch memory for inference on up to a fixed block of rows. Opaque. */
typedef struct gemmnet_workspace gemmnet_workspace;

/* Creates a workspace for model (its shape only is used), for up to 1024
 * rows a block, fewer for a wide model (about 64 MiB of scratch at most,
 * but at least one row); calls with more rows run block by block. */
GEMMNET_API int gemmnet_workspace_create(const gemmnet_model *model,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_workspace **workspace /* OUT */,
                                         gemmnet_error *err);
/* Frees a workspace; NULL is allowed. */
GEMMNET_API void gemmnet_workspace_destroy(gemmnet_workspace *workspace);

/* Class probabilities proba[n×K] for the rows x[n×D]. The workspace must
 * have been created for a model of the same shape (GEMMNET_E_SHAPE
 * otherwise). A NaN or Inf in x, or probabilities that are not finite
 * (weights so large that the logits overflow float32), give
 * GEMMNET_E_NONFINITE naming the row; proba is then unspecified. */
GEMMNET_API int gemmnet_predict_proba(const gemmnet_model *model,
                                      gemmnet_workspace *workspace,
                                      const float *x,
                                      size_t n,
                                      float *proba /* OUT [n×K] */,
                                      gemmnet_error *err);
/* Most probable class of each row (lowest index on ties); the checks of
 * gemmnet_predict_proba. */
GEMMNET_API int gemmnet_predict(const gemmnet_model *model,
                                gemmnet_workspace *workspace,
                                const float *x,
                                size_t n,
                                int32_t *labels /* OUT [n] */,
                                gemmnet_error *err);
/* Activations A_layer[n×H] of hidden layer `layer` in [1, L−1] (H =
 * gemmnet_model_width(model, layer)) for the raw rows x[n×D]: what the
 * network feeds forward from there, e.g. to plot how the hidden layer
 * separates the classes. Applies the model's standardisation like
 * gemmnet_predict, and its checks. GEMMNET_E_INVALID for a layer outside
 * [1, L−1]. */
GEMMNET_API int gemmnet_hidden_activations(const gemmnet_model *model,
                                           gemmnet_workspace *workspace,
                                           const float *x,
                                           size_t n,
                                           int32_t layer,
                                           float *out /* OUT [n×H] */,
                                           gemmnet_error *err);

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
    /* Balanced accuracy: the mean over the classes that have rows in the
     * data of their recall (correct rows of the class / its rows), as
     * sklearn's balanced_accuracy_score. Filled by gemmnet_evaluate;
     * progress reports during training leave it 0. */
    double balanced_accuracy;
} gemmnet_evaluation;

/* Evaluates model on data (raw rows); l2 and reduction define the reported
 * loss (gemmnet_model_l2 and gemmnet_model_reduction give the ones the
 * model was trained with). Checks the data first: rows ≥ 1, D features
 * (GEMMNET_E_SHAPE), labels in [0, K) (GEMMNET_E_LABEL), finite
 * (GEMMNET_E_NONFINITE); a loss that is not finite (weights so large that
 * the logits overflow) is GEMMNET_E_NONFINITE too. */
GEMMNET_API int gemmnet_evaluate(const gemmnet_model *model,
                                 gemmnet_workspace *workspace,
                                 const gemmnet_dataset *data,
                                 float l2,
                                 gemmnet_reduction reduction,
                                 gemmnet_evaluation *result /* OUT */,
                                 gemmnet_error *err);
/* Counts matrix[K×K]: matrix[true·K + predicted] over the rows of data,
 * with the checks of gemmnet_evaluate. */
GEMMNET_API int gemmnet_confusion_matrix(const gemmnet_model *model,
                                         gemmnet_workspace *workspace,
                                         const gemmnet_dataset *data,
                                         size_t *matrix /* OUT [K×K] */,
                                         gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* Model files. The format (version 1) is little-endian with fixed-width
 * fields: magic, version, flags, file size, layer widths and activations,
 * loss convention, optional standardisation and class names, float32
 * parameters, an optional training-state section, then a CRC-32 of
 * everything before it. docs/formats.md has the table, byte by byte.       */

/* The model file format version this library writes and reads. */
#define GEMMNET_MODEL_FORMAT_VERSION 1

/* Writes model to path atomically: a temporary file in the same directory,
 * fsync, rename. On any failure the previous file at path is untouched and
 * the temporary file removed. Non-finite parameters are refused. A model
 * loaded from a checkpoint (file or JSON) is saved with its training state
 * unchanged, as long as nothing dropped it (gemmnet_model_init, training). */
GEMMNET_API int
gemmnet_model_save(const gemmnet_model *model, const char *path, gemmnet_error *err);
/* Bytes the file of model takes (0 for NULL). */
GEMMNET_API size_t gemmnet_model_file_size(const gemmnet_model *model);
/* Writes the file's bytes into buffer[size], size ≥ gemmnet_model_file_size. */
GEMMNET_API int gemmnet_model_save_buffer(const gemmnet_model *model,
                                          void *buffer /* OUT [size] */,
                                          size_t size,
                                          gemmnet_error *err);
/* Reads a model file. Every size is checked before anything is allocated
 * for it; faults have their own status: GEMMNET_E_FORMAT (bad magic,
 * inconsistent contents), GEMMNET_E_VERSION, GEMMNET_E_TRUNCATED,
 * GEMMNET_E_CHECKSUM, GEMMNET_E_TOO_LARGE, GEMMNET_E_NONFINITE. */
GEMMNET_API int gemmnet_model_load(const char *path,
                                   const gemmnet_allocator *allocator,
                                   gemmnet_model **model /* OUT */,
                                   gemmnet_error *err);
/* gemmnet_model_load from bytes[size] in memory (e.g. for fuzzing). */
GEMMNET_API int gemmnet_model_load_buffer(const void *bytes,
                                          size_t size,
                                          const gemmnet_allocator *allocator,
                                          gemmnet_model **model /* OUT */,
                                          gemmnet_error *err);

/* Writes model as JSON to file: architecture, loss convention,
 * standardisation, class names and weights, floats as %.9g (exact for
 * float32) with '.' as the decimal point whatever the locale; then, for a
 * model loaded from a checkpoint, its training state (base64 of the
 * file's training-state section, docs/formats.md). */
GEMMNET_API int
gemmnet_model_write_json(const gemmnet_model *model, FILE *file, gemmnet_error *err);
/* Parses text[length] as written by gemmnet_model_write_json (same keys in
 * the same order, any whitespace) into a new model; saving it gives the
 * original model file byte for byte, a checkpoint's training state
 * included (so it stays resumable). Errors say "LINE:COLUMN: ...". */
GEMMNET_API int gemmnet_model_read_json(const char *text,
                                        size_t length,
                                        const gemmnet_allocator *allocator,
                                        gemmnet_model **model /* OUT */,
                                        gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* Training.                                                                */

/* Update rules. g is the gradient plus λ·W for weights (plain gradient for
 * biases), η the scheduled learning rate, t the update count from 1.
 *
 * Momentum and Nesterov keep the learning rate inside the velocity
 * (v ← μ·v − η·g, as Sutskever et al. 2013 and the tutorial's lineage
 * write it), where PyTorch's SGD keeps it outside (v ← μ·v + g,
 * W ← W − η·v). The two give the same weights while η is constant. Under
 * a schedule they part: here each step's η scales only that step's
 * gradient, so the velocity still carries the larger steps of earlier
 * epochs and a drop in η takes effect gradually (over about 1/(1 − μ)
 * updates); in PyTorch's form a drop in η rescales the whole velocity at
 * once. To reproduce a PyTorch run with a schedule, expect that
 * difference. Adam is unaffected (η multiplies the step, not a state). */
typedef enum gemmnet_optimizer {
    /* W ← W − η·g */
    GEMMNET_OPT_GD = 0,
    /* v ← μ·v − η·g;  W ← W + v */
    GEMMNET_OPT_MOMENTUM = 1,
    /* v' ← μ·v − η·g;  W ← W − μ·v + (1 + μ)·v';  v ← v' (Nesterov's
     * look-ahead, written for the gradient at W) */
    GEMMNET_OPT_NESTEROV = 2,
    /* m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
     * W ← W − η·(m / (1 − β₁ᵗ)) / (sqrt(v / (1 − β₂ᵗ)) + ε) */
    GEMMNET_OPT_ADAM = 3,
    /* AdamW (Loshchilov & Hutter, decoupled weight decay): Adam's m̂, v̂
     * as above, then W ← W − η·(m̂ / (sqrt(v̂) + ε) + λ_wd·W) with
     * λ_wd = options.weight_decay and W the weights before the step. The
     * decay never enters m, v or the reported loss; biases are not decayed.
     * options.l2, if not 0, still adds the coupled λ·W to g. */
    GEMMNET_OPT_ADAMW = 4
} gemmnet_optimizer;

/* Learning-rate schedules: η(e) for epoch e (0-based) from η₀. */
typedef enum gemmnet_schedule_kind {
    /* η = η₀ */
    GEMMNET_SCHEDULE_CONSTANT = 0,
    /* η = η₀ · factor^⌊e / every⌋ */
    GEMMNET_SCHEDULE_STEP = 1,
    /* η = η₀ · e^(−k·e) */
    GEMMNET_SCHEDULE_EXP = 2,
    /* η = η₀ / (1 + k·e) */
    GEMMNET_SCHEDULE_INV = 3
} gemmnet_schedule_kind;

/* A learning-rate schedule. */
typedef struct gemmnet_schedule {
    /* Which formula. */
    gemmnet_schedule_kind kind;
    /* Epochs per step (STEP), ≥ 1. */
    int32_t every;
    /* Multiplier per step (STEP), > 0. */
    float factor;
    /* Decay rate k (EXP, INV), ≥ 0. */
    float k;
} gemmnet_schedule;

/* η(epoch) for schedule s starting from learning_rate. */
GEMMNET_API float
gemmnet_schedule_rate(const gemmnet_schedule *s, float learning_rate, int32_t epoch);

/* What the progress callback receives. */
typedef struct gemmnet_progress {
    /* 0-based index of the epoch just finished (after its updates). */
    int32_t epoch;
    /* Learning rate the epoch used. */
    float learning_rate;
    /* The model evaluated on the whole training set after that epoch. */
    gemmnet_evaluation train;
    /* Non-zero when a validation set was given; then `validation` holds
     * the model evaluated on it. */
    int32_t has_validation;
    /* Evaluation on the validation set (when has_validation). */
    gemmnet_evaluation validation;
} gemmnet_progress;

/* Called every report_every epochs; a non-zero return stops training, which
 * then returns GEMMNET_E_STOPPED. */
typedef int (*gemmnet_progress_fn)(void *context, const gemmnet_progress *progress);

/* Data-parallel training across processes (e.g. MPI ranks): each process
 * holds a shard of the rows, computes gradients and statistics on it, and
 * these hooks sum them over all processes, so every process applies the
 * same update. The library itself knows nothing of the transport. */
typedef struct gemmnet_collective {
    /* Sums buf[n] element-wise over all processes, in place, identically on
     * every process; returns 0 on success. Called once per update on the
     * whole gradient block. */
    int (*sum_floats)(void *context, float *buf, size_t n);
    /* The same for doubles (loss and accuracy statistics). */
    int (*sum_doubles)(void *context, double *buf, size_t n);
    /* Passed unchanged to both hooks. */
    void *context;
    /* Rows over all processes, N. */
    size_t global_rows;
    /* Global index of this process's first row: its shard is rows
     * [first_row, first_row + data->rows) of the whole data set. */
    size_t first_row;
    /* Validation rows over all processes and this process's first one
     * (when a validation set is given). */
    size_t validation_global_rows;
    size_t validation_first_row;
} gemmnet_collective;

/* Settings of training. gemmnet_train_options_init sets the tutorial's. */
typedef struct gemmnet_train_options {
    /* Number of passes over the data (tutorial: 20000). */
    int32_t epochs;
    /* Initial step size η₀ (tutorial: 0.01). */
    float learning_rate;
    /* L2 strength λ on the weights, not the biases (tutorial: 0.01). */
    float l2;
    /* Gradient convention (tutorial: GEMMNET_REDUCTION_SUM). With
     * minibatches, MEAN keeps the step size independent of the batch size;
     * SUM is the tutorial's full-batch convention. */
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
    /* Examples per update; 0 (or ≥ N) is full batch. Minibatches are drawn
     * from a permutation reshuffled every epoch; the last one of an epoch
     * holds the remaining N mod B rows. */
    size_t batch_size;
    /* Seed of the minibatch shuffles. */
    uint32_t shuffle_seed;
    /* Update rule (tutorial: GEMMNET_OPT_GD). */
    gemmnet_optimizer optimizer;
    /* μ for momentum and Nesterov (default 0.9). */
    float momentum;
    /* β₁, β₂, ε for Adam (defaults 0.9, 0.999, 1e-8). */
    float beta1;
    float beta2;
    float epsilon;
    /* Learning-rate schedule (default constant). */
    gemmnet_schedule schedule;
    /* Held-out data evaluated at each report, or NULL. */
    const gemmnet_dataset *validation;
    /* With a validation set: stop when its loss has not improved for this
     * many epochs (evaluated every epoch) and restore the best weights;
     * the best weights are also restored when the run reaches `epochs`
     * first (a run stopped short of it keeps the last ones, so that a
     * checkpoint continues bit for bit). 0 disables early stopping. */
    int32_t patience;
    /* Data-parallel training hooks, or NULL for a single process. With
     * them, minibatches are cut from one permutation of all global rows
     * (the same on every process), each process computes the part of each
     * batch it holds, and the sums make every step equal to the
     * single-process step up to float32 reassociation. */
    const gemmnet_collective *collective;
    /* Row-block threads: each batch's rows (this process's part of it) are
     * split over this many workers, from a pool made with the trainer,
     * each running forward and backward on its own rows with
     * single-threaded BLAS into a private gradient; the gradients are
     * summed in worker order, so a run is deterministic for a given count
     * and equals 1 up to float32 reassociation. 0 (the default) chooses:
     * gemmnet_blas_threads() workers when a batch gives each at least
     * about 2.6e5 multiply-adds of forward pass, else the calling thread
     * alone (with the BLAS's own threads). 1: never split; 2..64: always
     * split batches of at least that many rows. With a collective, every
     * process splits its own rows (processes × threads). */
    int32_t threads;
    /* λ_wd, AdamW's decoupled weight decay (default 0.01, finite, ≥ 0);
     * the other rules ignore it. */
    float weight_decay;
    /* If > 0, gradient clipping: before each update (and after the
     * collective sum, so every process clips alike) the gradient g of the
     * data loss over the whole parameter block — all weights and biases,
     * without the L2 term, which the update adds — is scaled by
     * clip_norm / ‖g‖₂ when ‖g‖₂ > clip_norm. 0 (the default) never clips.
     * The reported loss is unchanged. */
    float clip_norm;
    /* Per-row weights sample_weights[N] of the training rows (finite, ≥ 0,
     * not all 0), or NULL for all 1. Row n counts w_n = sample_weights[n]·
     * class_weights[y_n] times: the loss is Σ_n w_n·CE_n (+ the L2 term),
     * divided by Σ w over the batch with GEMMNET_REDUCTION_MEAN (PyTorch's
     * weighted cross-entropy with reduction='mean') and not at all with
     * SUM; the gradient and the reported training loss use the same w
     * (progress reports: cross_entropy = Σ w·CE / Σ w, loss likewise, with
     * Σ w in place of the row count). With a collective, the array holds
     * this process's rows and every process passes weights or none; the
     * MEAN divisor is Σ w of the whole batch over all processes. The
     * trainer keeps the pointer: the array must outlive it. Weights that
     * are all 1 train bit-identically to NULL. A checkpoint records a
     * fingerprint of the weights (folded into the training rows'), so
     * resuming with other weights is refused. */
    const float *sample_weights;
    /* Per-class weights class_weights[K] (finite, ≥ 0), or NULL for all 1
     * (see sample_weights; gemmnet_class_weights_balanced computes
     * sklearn's 'balanced' ones). They also weight the validation loss
     * (with which early stopping compares), which has no sample weights. */
    const float *class_weights;
    /* Inverted dropout, 0 ≤ p < 1 (default 0: off, bit-identical to a
     * build without it): during each update's forward pass every hidden
     * layer's activations become A ⊙ M / (1 − p), M a mask keeping each
     * unit with probability 1 − p, and the backward pass goes through the
     * same mask. Masks come from a hash of (shuffle_seed, update count,
     * row, layer, unit), so a run does not depend on block_rows or threads
     * beyond float32 summation order, and a checkpoint resumes it bit for
     * bit. The row is the global row with full batch; with minibatches it
     * is the batch's first position in the epoch's permutation plus the
     * row's index among this process's rows of the batch, so minibatches
     * under a collective draw other masks than one process does.
     * Prediction, evaluation, validation and the reported training loss
     * (computed after the update) use no dropout. */
    float dropout;
} gemmnet_train_options;

/* sklearn's class_weight='balanced': out[k] = N / (K·count_k) over the
 * labels of data, K = classes (≥ 2, the model's output width). A class
 * with no rows gets 0 (it contributes no loss either way). Needs
 * data->rows ≥ 1 and labels in [0, K) (GEMMNET_E_LABEL). */
GEMMNET_API int gemmnet_class_weights_balanced(const gemmnet_dataset *data,
                                               int32_t classes,
                                               float *out /* OUT [classes] */,
                                               gemmnet_error *err);

/* Fills options with the tutorial's settings. */
GEMMNET_API void gemmnet_train_options_init(gemmnet_train_options *options /* OUT */);

/* A training run in progress: buffers, optimizer state, shuffle generator
 * and epoch counter. Opaque. */
typedef struct gemmnet_trainer gemmnet_trainer;

/* Prepares to train model on data with options (both must outlive the
 * trainer). Checks everything and allocates every buffer the epochs need.
 * Records options' reduction and l2 in the model (gemmnet_model_reduction,
 * gemmnet_model_l2, its file), so that eval reports the training loss, and
 * drops any training state the model carried from a checkpoint file.
 *
 * Training never initialises: it starts from whatever weights the model
 * holds, and from its standardisation if it has one. A fresh run calls
 * gemmnet_model_init first; a warm start (fine-tuning, training on from
 * any model file, including one gemmnet_model_read_json made) loads the
 * model with gemmnet_model_load, optionally checks it with
 * gemmnet_model_check_architecture, and skips gemmnet_model_init. Its
 * optimizer state starts fresh (zero moments, update count 0); to continue
 * a run bit for bit instead, use a checkpoint (gemmnet_trainer_restore). */
GEMMNET_API int gemmnet_trainer_create(gemmnet_model *model,
                                       const gemmnet_dataset *data,
                                       const gemmnet_train_options *options,
                                       gemmnet_trainer **trainer /* OUT */,
                                       gemmnet_error *err);
/* Runs up to `epochs` more epochs (stopping early by patience). An epoch
 * allocates nothing. Stops with GEMMNET_E_NONFINITE, naming the epoch and
 * batch, if a gradient, the weights after an update, or a loss it
 * evaluates (reports, validation) becomes NaN or Inf; the model then
 * keeps the finite weights from before that update (the optimizer state
 * is not rolled back: create a new trainer to go on). */
GEMMNET_API int gemmnet_trainer_run(gemmnet_trainer *trainer, int32_t epochs, gemmnet_error *err);
/* Epochs completed so far. */
GEMMNET_API int32_t gemmnet_trainer_epochs_done(const gemmnet_trainer *trainer);
/* Epoch (0-based) with the best validation loss when early stopping is on,
 * and whether it stopped training; −1 and 0 otherwise. */
GEMMNET_API int32_t gemmnet_trainer_best_epoch(const gemmnet_trainer *trainer, int *stopped_early);
/* Frees a trainer; NULL is allowed. The model keeps its weights. */
GEMMNET_API void gemmnet_trainer_destroy(gemmnet_trainer *trainer);

/* ---- Checkpoints: stop, then continue bit for bit. ---- */

/* Saves the model together with the trainer's state (optimizer moments,
 * shuffle generator, epoch and update counts, early-stopping record and
 * the training settings) as one model file, atomically: a checkpoint.
 * gemmnet_model_load reads it as a plain model (predict, eval);
 * gemmnet_checkpoint_load resumes from it. */
GEMMNET_API int
gemmnet_trainer_save(const gemmnet_trainer *trainer, const char *path, gemmnet_error *err);

/* The training state read from a checkpoint. Opaque. */
typedef struct gemmnet_checkpoint gemmnet_checkpoint;

/* Loads a checkpoint's model and training state; GEMMNET_E_FORMAT if the
 * file is a model without training state. */
GEMMNET_API int gemmnet_checkpoint_load(const char *path,
                                        const gemmnet_allocator *allocator,
                                        gemmnet_model **model /* OUT */,
                                        gemmnet_checkpoint **checkpoint /* OUT */,
                                        gemmnet_error *err);
/* The settings of the checkpointed run (progress callback, validation set,
 * collective and allocator NULL: set them again). */
GEMMNET_API void gemmnet_checkpoint_options(const gemmnet_checkpoint *checkpoint,
                                            gemmnet_train_options *options /* OUT */);
/* Epochs the checkpointed run had completed. */
GEMMNET_API int32_t gemmnet_checkpoint_epochs_done(const gemmnet_checkpoint *checkpoint);
/* Puts a fresh trainer, created for the checkpoint's model with its options
 * on the same data (and split), into the checkpoint's state, so that
 * running it on gives the weights an uninterrupted run would have (same
 * backend and threads). GEMMNET_E_SHAPE if the data's sizes differ, or if
 * its rows differ from the ones the checkpoint recorded a fingerprint of
 * (same size, other values or order). With a collective, every process
 * must call it. */
GEMMNET_API int gemmnet_trainer_restore(gemmnet_trainer *trainer,
                                        const gemmnet_checkpoint *checkpoint,
                                        gemmnet_error *err);
/* Frees a checkpoint; NULL is allowed. */
GEMMNET_API void gemmnet_checkpoint_free(gemmnet_checkpoint *checkpoint);

/* gemmnet_trainer_create + gemmnet_trainer_run(options->epochs) + destroy. */
GEMMNET_API int gemmnet_train(gemmnet_model *model,
                              const gemmnet_dataset *data,
                              const gemmnet_train_options *options,
                              gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* Linear baseline.                                                         */

/* Fits a closed-form ridge least-squares linear classifier, like the
 * tutorial's logistic-regression baseline: [X 1]·B ≈ onehot(y) with
 * B = ([X 1]ᵀ[X 1] + λ·I′)⁻¹·[X 1]ᵀ·onehot(y) (λ not applied to the
 * intercept), solved by Cholesky (LAPACKE sposv). The result is a model
 * with no hidden layer whose most probable class is argmax of [x 1]·B. */
GEMMNET_API int gemmnet_baseline_ridge(const gemmnet_dataset *data,
                                       float l2,
                                       const gemmnet_allocator *allocator,
                                       gemmnet_model **model /* OUT */,
                                       gemmnet_error *err);

/* ------------------------------------------------------------------------ */
/* The BLAS backend.                                                        */

/* The backend gemmnet was configured with (meson -Dblas=...): "openblas",
 * "blis", "atlas" or "netlib". */
GEMMNET_API const char *gemmnet_blas_name(void);
/* Sets the backend's thread count. This is the backend's process-wide
 * setting, not gemmnet state. OpenBLAS and BLIS take any n ≥ 1; ATLAS and
 * the reference BLAS (as Debian builds them) run one thread, so for them
 * n = 1 succeeds and n > 1 returns GEMMNET_E_INVALID. */
GEMMNET_API int gemmnet_blas_set_threads(int n);
/* The backend's current thread count (1 for single-threaded backends). */
GEMMNET_API int gemmnet_blas_threads(void);

/* What the backend is doing on this machine, for `gemmnet info` and bug
 * reports. Every string is NUL-terminated (truncated if need be). */
typedef struct gemmnet_blas_report {
    /* The configured backend, as gemmnet_blas_name(). */
    char backend[16];
    /* Version and build configuration, then the LAPACK version, e.g.
     * "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... Haswell MAX_THREADS=64;
     * LAPACK 3.11.0". */
    char version[256];
    /* Kernel set in use: OpenBLAS's core ("Haswell"), BLIS's
     * sub-configuration ("zen3"), ATLAS's build architecture; "n/a" for the
     * reference BLAS. */
    char kernel[64];
    /* How that kernel was chosen, e.g. "set by OPENBLAS_CORETYPE=Haswell". */
    char kernel_source[128];
    /* The backend's thread count, as gemmnet_blas_threads(). */
    int32_t threads;
    /* CPU model name from /proc/cpuinfo, or "unknown". */
    char cpu_model[96];
    /* CPU vendor, e.g. "AuthenticAMD", or "unknown". */
    char cpu_vendor[16];
    /* CPU family and model numbers (what backends dispatch on; AMD Zen 4
     * is family 0x19, Zen 5 0x1A), −1 if unknown. */
    int32_t cpu_family;
    int32_t cpu_model_number;
    /* Shared object the process resolves the GEMM gemmnet calls to
     * (cblas_sgemm; dnnl_sgemm with -Dblas=onednn), or "". */
    char blas_library[256];
    /* Shared object it resolves sgels_ (LAPACK, as LAPACKE calls it) to,
     * or "". */
    char lapack_library[256];
    /* "" or one line on why the backend may be slow here, e.g. a generic
     * kernel on a CPU the backend does not recognise. */
    char warning[320];
} gemmnet_blas_report;

/* Fills report from the backend and /proc/cpuinfo (whose absence only
 * leaves the CPU fields "unknown"). GEMMNET_E_INVALID if report is NULL. */
GEMMNET_API int gemmnet_blas_report_get(gemmnet_blas_report *report /* OUT */);

/* ------------------------------------------------------------------------ */
/* Models that travel: ONNX files and C source (docs/interop.md).           */

/* Flag of gemmnet_model_write_onnx: fold the standardisation into the first
 * layer (W1' = diag(1/scale)·W1, b1' = b1 − (mean/scale)·W1, computed in
 * double) instead of writing it as Sub and Div nodes. */
#define GEMMNET_ONNX_FOLD_STANDARDIZATION 1u

/* Writes model to file as an ONNX model (IR version 8, opset 13): input
 * "input"[N×D] with a symbolic N, the standardisation as Sub/Div nodes
 * (or folded, by flag), one Gemm per layer (B = W[in×out]), the hidden
 * activations (Tanh, Relu, LeakyRelu alpha 0.01, Sigmoid), Softmax over
 * axis 1, output "probabilities"[N×K]. The metadata holds gemmnet_version,
 * class_names (one per line), gemmnet_loss and gemmnet_l2; producer_name is
 * "gemmnet". Without folding, gemmnet_model_read_onnx of the bytes gives
 * back a model whose file is byte for byte this model's. Non-finite
 * parameters are refused (GEMMNET_E_NONFINITE). */
GEMMNET_API int gemmnet_model_write_onnx(const gemmnet_model *model,
                                         FILE *file,
                                         unsigned flags,
                                         gemmnet_error *err);

/* Reads an ONNX model from bytes[size] if its graph is a multilayer
 * perceptron gemmnet can hold: one float input [N×D] (or Flatten of it),
 * optionally Sub(x, mean[D]) then Div(·, scale[D]); layers that are Gemm
 * (alpha = beta = 1, transA = 0, either transB) or MatMul then Add of a
 * bias, each hidden one followed by Tanh, Relu, Sigmoid or LeakyRelu with
 * alpha 0.01; then Softmax over the last axis, or nothing (logits: gemmnet
 * then predicts softmax of them, the same classes). Identity nodes are
 * skipped. Weights and biases are float32 initializers (raw_data or
 * float_data). gemmnet's metadata keys, when present, restore the class
 * names and loss convention. Anything else is refused with a message
 * naming the node and its op (GEMMNET_E_FORMAT), as are undecodable bytes;
 * widths that disagree between nodes give GEMMNET_E_SHAPE, absurd sizes
 * GEMMNET_E_TOO_LARGE, NaN or Inf weights GEMMNET_E_NONFINITE, IR or
 * opset versions outside 3..10 and 7..21 GEMMNET_E_VERSION, and a
 * standardisation or class names gemmnet_model_set_* refuses its status. */
GEMMNET_API int gemmnet_model_read_onnx(const void *bytes,
                                        size_t size,
                                        const gemmnet_allocator *allocator,
                                        gemmnet_model **model /* OUT */,
                                        gemmnet_error *err);

/* Writes model as one self-contained C99 header for targets without BLAS:
 * the weights, standardisation and class names as static const arrays,
 * NAME_INPUTS and NAME_CLASSES, and
 *     static int NAME_predict(const float x[NAME_INPUTS],
 *                             float proba[NAME_CLASSES]);
 * which takes one raw row, writes its class probabilities and returns the
 * most probable class (lowest index on ties); NAME_class_name(k) names
 * class k (its index as text when the model has no names). It uses no
 * allocation (two arrays of the widest layer on the stack) and nothing
 * beyond <math.h>. name must be a C identifier of at most 64 characters
 * (GEMMNET_E_INVALID otherwise); NAME_ is its upper-case form. */
GEMMNET_API int
gemmnet_model_write_c(const gemmnet_model *model, FILE *file, const char *name, gemmnet_error *err);

/* ---- Output files ---------------------------------------------------- */

/* A file being written atomically, the way gemmnet_model_save writes: to
 * a temporary "PATH.tmp-PID-N" in the same directory, renamed over PATH
 * by gemmnet_output_commit, so that PATH holds the old content or the new,
 * never a mix. What PATH may name:
 *   - nothing: the file is created (mode 0666 less the umask);
 *   - a regular file: replaced whole, keeping its permission bits and,
 *     where the process may set it, its owner and group;
 *   - a symbolic link to a regular file: that file is replaced, the link
 *     stays;
 *   - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, /dev/null:
 *     written in place (not atomically; no temporary in /dev).
 * Anything else (a directory, a device, a FIFO, a socket, a link to one or
 * to nothing) is refused with GEMMNET_E_IO and a message naming PATH.
 * Opening also removes "PATH.tmp-PID-N" files whose process no longer
 * exists (left by a killed writer). gemmnet_model_save, checkpoints and
 * every file the gemmnet command writes follow these rules. */
typedef struct gemmnet_output gemmnet_output;

GEMMNET_API int
gemmnet_output_open(const char *path, gemmnet_output **output /* OUT */, gemmnet_error *err);
/* The stream to write to (stdout itself for /dev/stdout). Write errors
 * need no checking here: commit reports them. */
GEMMNET_API FILE *gemmnet_output_stream(gemmnet_output *output);
/* Flushes, fsyncs and renames the file over PATH, then frees output. On a
 * failure (of any write, e.g. EFBIG or ENOSPC) removes the temporary,
 * leaves the previous file unchanged and returns GEMMNET_E_IO. */
GEMMNET_API int gemmnet_output_commit(gemmnet_output *output, gemmnet_error *err);
/* Gives the write up: removes the temporary (the previous file stays) and
 * frees output. NULL is allowed. */
GEMMNET_API void gemmnet_output_discard(gemmnet_output *output);
/* Removes the temporaries of every save in progress in this process (of
 * gemmnet_output_open, gemmnet_model_save and checkpoints), leaving their
 * targets as they were. Async-signal-safe: for a SIGINT or SIGTERM
 * handler, which then ends the process; no save in progress can commit
 * afterwards. */
GEMMNET_API void gemmnet_output_remove_temporaries(void);

#ifdef __cplusplus
}
#endif
#endif /* GEMMNET_H */
