/*
 * The model file format, version 1: encoding a model into bytes and
 * decoding (and validating) bytes into a model. Files: file.c.
 * docs/formats.md describes it for readers outside the code.
 *
 * Every field is fixed-width little-endian, written and read byte by byte,
 * so the format is the same on every host:
 *
 *   offset        size    field
 *   0             8       magic 89 47 4E 45 54 0D 0A 1A ("\x89GNET\r\n\x1a")
 *   8             4       u32 format version (1)
 *   12            4       u32 flags: bit 0 standardisation, bit 1 class names,
 *                         bit 2 training state (a checkpoint)
 *   16            8       u64 file size in bytes, checksum included
 *   24            4       u32 L, weight layers (1..32)
 *   28            4       u32 reduction (0 sum, 1 mean)
 *   32            4       f32 l2
 *   36            4       u32 reserved (0)
 *   40            8       u64 P, parameter count
 *   48            4(L+1)  u32 widths D, hidden…, K (each 1..2^24)
 *   52+4L         4(L−1)  u32 activation of each hidden layer
 *   H = 48+8L     8D      if bit 0: f32 mean[D], then f32 scale[D]
 *   …             4P      f32 parameters W1 b1 … WL bL, row-major
 *   …             8 + n   if bit 2: u64 n, then n bytes of training state
 *                         (optimizer, generator and progress of the run
 *                         that wrote it; see train/checkpoint.c)
 *   …             …       if bit 1: K × (u32 n, n bytes of UTF-8 name)
 *   size − 4      4       u32 CRC-32 (zlib) of bytes [0, size − 4)
 *
 * The magic's first byte has its high bit set and it holds \r\n and ^Z, so
 * a 7-bit or newline-converting transfer breaks it visibly (as PNG's). The
 * parameters start at an offset computable from the header alone, 8-byte
 * aligned. The declared size makes truncation a status of its own, and the
 * loader checks the checksum before it interprets anything beyond the
 * first 24 bytes, so a damaged file reads as "checksum mismatch" rather
 * than as whichever field the damage hit.
 */
#include "io/format.h"

#include <math.h>
#include <string.h>
#include <zlib.h>

const unsigned char gn_model_magic[8] = {0x89, 'G', 'N', 'E', 'T', '\r', '\n', 0x1a};

/* Bytes before the checksum is checked: magic, version, flags, size. */
enum { PREFIX_BYTES = GN_MODEL_PREFIX_BYTES, FIXED_HEADER_BYTES = 48, CHECKSUM_BYTES = 4 };
/* Flag bits. */
enum {
    FLAG_STANDARDIZATION = 1u,
    FLAG_CLASS_NAMES = 2u,
    FLAG_TRAINING_STATE = 4u,
    KNOWN_FLAGS = 7u
};
/* Widest layer a file may declare: 2^24 (a 2^24 × 2^24 layer is already
 * far beyond memory; anything wider is damage or an attack). */
#define MAX_FILE_WIDTH (UINT32_C(1) << 24)

/* ---- encoding ---------------------------------------------------------- */

/* Offset of the parameters: the header, then the standardisation. */
static size_t parameters_offset(const gemmnet_model *m)
{
    size_t header = FIXED_HEADER_BYTES + 8 * (size_t)m->layers;
    return header + (m->mean ? 8 * (size_t)m->width[0] : 0);
}

size_t gn_model_encoded_size(const gemmnet_model *model, size_t state_size)
{
    size_t size = parameters_offset(model) + 4 * model->parameter_count + CHECKSUM_BYTES;
    for (int32_t k = 0; model->class_names && k < model->width[model->layers]; k++)
        size += 4 + strlen(model->class_names[k]);
    return size + (state_size ? 8 + state_size : 0);
}

GEMMNET_API size_t gemmnet_model_file_size(const gemmnet_model *model)
{
    return model ? gn_model_encoded_size(model, model->training_state_size) : 0;
}

static void encode_header(const gemmnet_model *m, size_t size, bool state, unsigned char **p)
{
    uint32_t flags = (m->mean ? FLAG_STANDARDIZATION : 0) |
                     (m->class_names ? FLAG_CLASS_NAMES : 0) | (state ? FLAG_TRAINING_STATE : 0);
    memcpy(*p, gn_model_magic, sizeof gn_model_magic);
    *p += sizeof gn_model_magic;
    put_u32(p, GEMMNET_MODEL_FORMAT_VERSION);
    put_u32(p, flags);
    put_u64(p, size);
    put_u32(p, (uint32_t)m->layers);
    put_u32(p, (uint32_t)m->reduction);
    put_f32(p, m->l2);
    put_u32(p, 0);
    put_u64(p, m->parameter_count);
    for (int32_t l = 0; l <= m->layers; l++)
        put_u32(p, (uint32_t)m->width[l]);
    for (int32_t l = 1; l < m->layers; l++)
        put_u32(p, (uint32_t)m->activation[l - 1]);
}

static void
encode_body(const gemmnet_model *m, const void *state, size_t state_size, unsigned char **p)
{
    size_t d = (size_t)m->width[0];
    for (size_t j = 0; m->mean && j < 2 * d; j++)
        put_f32(p, m->mean[j]); /* mean[D] then scale[D]: one block */
    for (size_t i = 0; i < m->parameter_count; i++)
        put_f32(p, m->parameters[i]);
    if (state_size) {
        put_u64(p, state_size);
        memcpy(*p, state, state_size);
        *p += state_size;
    }
    for (int32_t k = 0; m->class_names && k < m->width[m->layers]; k++) {
        size_t n = strlen(m->class_names[k]);
        put_u32(p, (uint32_t)n);
        memcpy(*p, m->class_names[k], n);
        *p += n;
    }
}

int gn_model_encode(const gemmnet_model *model,
                    const void *state,
                    size_t state_size,
                    void *buffer,
                    size_t size,
                    gemmnet_error *err)
{
    if (!model || !buffer)
        return gn_fail(err, GEMMNET_E_INVALID, "save: model and buffer are required");
    size_t needed = gn_model_encoded_size(model, state_size);
    if (size < needed)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "save: the buffer holds %zu bytes, the model needs %zu", size, needed);
    if (!gn_all_finite(model->parameters, model->parameter_count))
        return gn_fail(err, GEMMNET_E_NONFINITE,
                       "save: the model has NaN or Inf parameters, which a model file cannot hold");
    unsigned char *start = buffer, *p = start;
    encode_header(model, needed, state_size > 0, &p);
    encode_body(model, state, state_size, &p);
    put_u32(&p, (uint32_t)crc32_z(0, start, needed - CHECKSUM_BYTES));
    return GEMMNET_OK;
}

GEMMNET_API int
gemmnet_model_save_buffer(const gemmnet_model *model, void *buffer, size_t size, gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "save: model and buffer are required");
    return gn_model_encode(model, model->training_state, model->training_state_size, buffer, size,
                           err);
}

/* ---- decoding: the parts ----------------------------------------------- */

/* What the header declares, checked field by field. */
typedef struct file_header {
    uint32_t flags;
    uint64_t size;
    gemmnet_reduction reduction;
    float l2;
    int32_t layers;
    int32_t width[GEMMNET_MAX_LAYERS + 1];
    gemmnet_activation activation[GEMMNET_MAX_LAYERS];
    /* Offsets of the standardisation, the parameters, the training state
     * (its bytes, after its u64 length) and the names. */
    uint64_t standardization_at;
    uint64_t parameters_at;
    uint64_t state_at;
    uint64_t state_size;
    uint64_t names_at;
    uint64_t parameter_count;
} file_header;

/* Magic, version and declared size against the bytes actually there. */
int gn_model_check_prefix(const unsigned char *bytes,
                          size_t size,
                          uint64_t *declared,
                          gemmnet_error *err)
{
    size_t magic = size < sizeof gn_model_magic ? size : sizeof gn_model_magic;
    if (memcmp(bytes, gn_model_magic, magic) != 0)
        return gn_fail(err, GEMMNET_E_FORMAT, "not a gemmnet model file (bad magic number)");
    if (size < PREFIX_BYTES)
        return gn_fail(err, GEMMNET_E_TRUNCATED,
                       "the file is %zu bytes, shorter than a model file's header", size);
    uint32_t version = get_u32(bytes + 8);
    if (version != GEMMNET_MODEL_FORMAT_VERSION)
        return gn_fail(err, GEMMNET_E_VERSION,
                       "model format version %lu is not supported, expected version %d",
                       (unsigned long)version, GEMMNET_MODEL_FORMAT_VERSION);
    *declared = get_u64(bytes + 16);
    if (*declared < FIXED_HEADER_BYTES + 8 + CHECKSUM_BYTES)
        return gn_fail(err, GEMMNET_E_FORMAT,
                       "the header declares an impossible size of %llu bytes",
                       (unsigned long long)*declared);
    return GEMMNET_OK;
}

/* Checks the declared size against the bytes there, then the checksum. */
static int check_size_and_checksum(const unsigned char *bytes, size_t size, gemmnet_error *err)
{
    uint64_t declared = 0;
    int status = gn_model_check_prefix(bytes, size, &declared, err);
    if (status != GEMMNET_OK)
        return status;
    if (size < declared)
        return gn_fail(err, GEMMNET_E_TRUNCATED,
                       "the file is truncated: %zu bytes of the %llu its header declares", size,
                       (unsigned long long)declared);
    if (size > declared)
        return gn_fail(err, GEMMNET_E_FORMAT, "%llu stray bytes follow the model's %llu bytes",
                       (unsigned long long)(size - declared), (unsigned long long)declared);
    uint32_t stored = get_u32(bytes + size - CHECKSUM_BYTES);
    uint32_t computed = (uint32_t)crc32_z(0, bytes, size - CHECKSUM_BYTES);
    if (stored != computed)
        return gn_fail(err, GEMMNET_E_CHECKSUM,
                       "checksum mismatch (stored %08lx, computed %08lx): the file is damaged",
                       (unsigned long)stored, (unsigned long)computed);
    return GEMMNET_OK;
}

/* Flags, layer count, reduction and l2 (bytes 12..48). */
static int decode_fixed_fields(const unsigned char *bytes, file_header *h, gemmnet_error *err)
{
    h->flags = get_u32(bytes + 12);
    h->size = get_u64(bytes + 16);
    uint32_t layers = get_u32(bytes + 24), reduction = get_u32(bytes + 28);
    h->l2 = get_f32(bytes + 32);
    h->parameter_count = get_u64(bytes + 40);
    if (h->flags & ~(uint32_t)KNOWN_FLAGS)
        return gn_fail(err, GEMMNET_E_VERSION,
                       "unknown feature flags 0x%lx: written by a newer gemmnet?",
                       (unsigned long)h->flags);
    if (layers > GEMMNET_MAX_LAYERS)
        return gn_fail(err, GEMMNET_E_TOO_LARGE, "%lu layers, expected at most %d",
                       (unsigned long)layers, GEMMNET_MAX_LAYERS);
    if (layers == 0)
        return gn_fail(err, GEMMNET_E_FORMAT, "0 layers, expected at least 1");
    if (reduction > GEMMNET_REDUCTION_MEAN || get_u32(bytes + 36) != 0)
        return gn_fail(err, GEMMNET_E_FORMAT, "unknown reduction %lu or non-zero reserved field",
                       (unsigned long)reduction);
    if (!isfinite(h->l2) || h->l2 < 0.0f)
        return gn_fail(err, GEMMNET_E_FORMAT, "l2 %g is not a finite value ≥ 0", (double)h->l2);
    h->layers = (int32_t)layers;
    h->reduction = (gemmnet_reduction)reduction;
    return GEMMNET_OK;
}

/* Widths (1..2^24, K ≥ 2) and activations. */
static int decode_shape(const unsigned char *bytes, file_header *h, gemmnet_error *err)
{
    const unsigned char *p = bytes + FIXED_HEADER_BYTES;
    for (int32_t l = 0; l <= h->layers; l++, p += 4) {
        uint32_t w = get_u32(p);
        if (w > MAX_FILE_WIDTH)
            return gn_fail(err, GEMMNET_E_TOO_LARGE,
                           "layer %d has width %lu, expected at most 2^24", (int)l,
                           (unsigned long)w);
        if (w == 0 || (l == h->layers && w < 2))
            return gn_fail(err, GEMMNET_E_FORMAT, "layer %d has width %lu, expected at least %d",
                           (int)l, (unsigned long)w, l == h->layers ? 2 : 1);
        h->width[l] = (int32_t)w;
    }
    for (int32_t l = 1; l < h->layers; l++, p += 4) {
        uint32_t f = get_u32(p);
        if (f >= GEMMNET_ACTIVATION_COUNT)
            return gn_fail(err, GEMMNET_E_FORMAT, "hidden layer %d has unknown activation %lu",
                           (int)l, (unsigned long)f);
        h->activation[l - 1] = (gemmnet_activation)f;
    }
    return GEMMNET_OK;
}

/* The training state's u64 length right after the parameters: it must
 * leave room for the checksum; the names (if any) follow it. */
static int decode_state_extent(const unsigned char *bytes, file_header *h, gemmnet_error *err)
{
    h->state_at = h->names_at + 8;
    uint64_t room = h->size - CHECKSUM_BYTES - h->names_at;
    if (room < 8 || (h->state_size = get_u64(bytes + h->names_at)) > room - 8 || h->state_size == 0)
        return gn_fail(err, GEMMNET_E_FORMAT,
                       "the training state section does not fit in the file");
    h->names_at = h->state_at + h->state_size;
    return GEMMNET_OK;
}

/* The parameter count the widths imply, and the sections' offsets; sizes
 * that the file cannot hold are absurd, whatever memory would allow. */
static int decode_layout(const unsigned char *bytes, file_header *h, gemmnet_error *err)
{
    /* Widths ≤ 2^24 and ≤ 32 layers: the count stays below 2^54. */
    uint64_t count = 0;
    for (int32_t l = 1; l <= h->layers; l++)
        count += (uint64_t)h->width[l - 1] * (uint64_t)h->width[l] + (uint64_t)h->width[l];
    h->standardization_at = FIXED_HEADER_BYTES + 8 * (uint64_t)h->layers;
    uint64_t d = (uint64_t)h->width[0];
    h->parameters_at = h->standardization_at + (h->flags & FLAG_STANDARDIZATION ? 8 * d : 0);
    h->names_at = h->parameters_at + 4 * count;
    if (h->names_at + CHECKSUM_BYTES > h->size)
        return gn_fail(err, GEMMNET_E_TOO_LARGE,
                       "the widths imply %llu parameters, more than the %llu-byte file holds",
                       (unsigned long long)count, (unsigned long long)h->size);
    if ((h->flags & FLAG_TRAINING_STATE) && decode_state_extent(bytes, h, err) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    if (count != h->parameter_count)
        return gn_fail(err, GEMMNET_E_FORMAT, "the header says %llu parameters, the widths %llu",
                       (unsigned long long)h->parameter_count, (unsigned long long)count);
    bool names = h->flags & FLAG_CLASS_NAMES;
    if (!names && h->names_at + CHECKSUM_BYTES != h->size)
        return gn_fail(err, GEMMNET_E_FORMAT, "%llu unexplained bytes before the checksum",
                       (unsigned long long)(h->size - CHECKSUM_BYTES - h->names_at));
    return GEMMNET_OK;
}

static int decode_header(const unsigned char *bytes, file_header *h, gemmnet_error *err)
{
    int status = decode_fixed_fields(bytes, h, err);
    /* The shape's bytes lie before the checksum: size ≥ 48 + 8L + 4 is
     * checked first. */
    if (status == GEMMNET_OK &&
        FIXED_HEADER_BYTES + 8 * (uint64_t)h->layers + CHECKSUM_BYTES > h->size)
        status = gn_fail(err, GEMMNET_E_FORMAT, "a %d-layer header does not fit in %llu bytes",
                         (int)h->layers, (unsigned long long)h->size);
    if (status == GEMMNET_OK)
        status = decode_shape(bytes, h, err);
    if (status == GEMMNET_OK)
        status = decode_layout(bytes, h, err);
    return status;
}

/* The names section holds exactly K entries of (u32 n, n bytes), each a
 * valid class name; *text = Σ n. */
static int
scan_names(const unsigned char *bytes, const file_header *h, size_t *text, gemmnet_error *err)
{
    uint64_t at = h->names_at, end = h->size - CHECKSUM_BYTES;
    *text = 0;
    for (int32_t k = 0; k < h->width[h->layers]; k++) {
        if (end - at < 4)
            return gn_fail(err, GEMMNET_E_FORMAT, "the class names end after %d of %d", (int)k,
                           (int)h->width[h->layers]);
        uint32_t n = get_u32(bytes + at);
        at += 4;
        if (n > end - at)
            return gn_fail(err, GEMMNET_E_FORMAT, "class name %d runs past the end", (int)k);
        const char *problem = gn_class_name_problem((const char *)bytes + at, n);
        if (problem)
            return gn_fail(err, GEMMNET_E_FORMAT, "class name %d %s", (int)k, problem);
        at += n;
        *text += n;
    }
    if (at != end)
        return gn_fail(err, GEMMNET_E_FORMAT, "%llu unexplained bytes after the class names",
                       (unsigned long long)(end - at));
    return GEMMNET_OK;
}

/* Copies the (scanned) names into one allocation, like gn_names_copy. */
static char **copy_names(const unsigned char *bytes,
                         const file_header *h,
                         size_t text,
                         const gemmnet_allocator *a)
{
    size_t k = (size_t)h->width[h->layers];
    /* Both terms are bounded by the file's size, which is in memory. */
    char **names = gn_alloc(a, k * sizeof(char *) + text + k);
    if (!names)
        return NULL;
    char *next = (char *)(names + k);
    const unsigned char *p = bytes + h->names_at;
    for (size_t i = 0; i < k; i++) {
        uint32_t n = get_u32(p);
        names[i] = next;
        memcpy(next, p + 4, n);
        next[n] = '\0';
        next += n + 1;
        p += 4 + n;
    }
    return names;
}

static int
decode_names(const unsigned char *bytes, const file_header *h, gemmnet_model *m, gemmnet_error *err)
{
    size_t text = 0;
    int status = scan_names(bytes, h, &text, err);
    if (status != GEMMNET_OK)
        return status;
    m->class_names = copy_names(bytes, h, text, &m->allocator);
    if (!m->class_names)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the class names");
    gemmnet_error detail = {0};
    status = gn_check_class_names(&m->allocator, (const char *const *)m->class_names,
                                  (size_t)h->width[h->layers], &detail);
    if (status == GEMMNET_E_INVALID)
        return gn_fail(err, GEMMNET_E_FORMAT, "%s", detail.message);
    return status == GEMMNET_OK ? status : gn_fail(err, status, "%s", detail.message);
}

/* mean[D] and scale[D]: finite, scale > 0. */
static int decode_standardization(const unsigned char *bytes,
                                  const file_header *h,
                                  gemmnet_model *m,
                                  gemmnet_error *err)
{
    size_t d = (size_t)h->width[0];
    m->mean = gn_alloc(&m->allocator, 2 * d * sizeof(float));
    if (!m->mean)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu standardisation values", 2 * d);
    m->scale = m->mean + d;
    for (size_t j = 0; j < 2 * d; j++)
        m->mean[j] = get_f32(bytes + h->standardization_at + 4 * j);
    for (size_t j = 0; j < d; j++)
        if (!isfinite(m->mean[j]) || !isfinite(m->scale[j]) || !(m->scale[j] > 0.0f))
            return gn_fail(err, GEMMNET_E_FORMAT,
                           "feature %zu: standardisation mean %g, scale %g, expected finite values "
                           "and scale > 0",
                           j, (double)m->mean[j], (double)m->scale[j]);
    return GEMMNET_OK;
}

static int decode_parameters(const unsigned char *bytes,
                             const file_header *h,
                             gemmnet_model *m,
                             gemmnet_error *err)
{
    const unsigned char *p = bytes + h->parameters_at;
    for (size_t i = 0; i < m->parameter_count; i++) {
        m->parameters[i] = get_f32(p + 4 * i);
        if (!isfinite(m->parameters[i]))
            return gn_fail(err, GEMMNET_E_NONFINITE, "parameter %zu is %g, expected a finite value",
                           i, (double)m->parameters[i]);
    }
    return GEMMNET_OK;
}

/* A model of the header's shape filled from the body. */
static int build_model(const unsigned char *bytes,
                       const file_header *h,
                       const gemmnet_allocator *allocator,
                       gemmnet_model **out,
                       gemmnet_error *err)
{
    gemmnet_architecture arch = {.inputs = h->width[0],
                                 .classes = h->width[h->layers],
                                 .hidden_layers = h->layers - 1,
                                 .hidden = h->width + 1,
                                 .activations = h->activation};
    gemmnet_model *m = NULL;
    int status = gemmnet_model_create(&arch, allocator, &m, err);
    if (status != GEMMNET_OK)
        return status;
    m->reduction = h->reduction;
    m->l2 = h->l2;
    status = decode_parameters(bytes, h, m, err);
    if (status == GEMMNET_OK && (h->flags & FLAG_STANDARDIZATION))
        status = decode_standardization(bytes, h, m, err);
    if (status == GEMMNET_OK && (h->flags & FLAG_CLASS_NAMES))
        status = decode_names(bytes, h, m, err);
    if (status == GEMMNET_OK && h->state_size)
        status = gn_model_set_training_state(m, bytes + h->state_at, (size_t)h->state_size, err);
    if (status != GEMMNET_OK) {
        gemmnet_model_destroy(m);
        return status;
    }
    *out = m;
    return GEMMNET_OK;
}

int gn_model_decode(const unsigned char *bytes,
                    size_t size,
                    const gemmnet_allocator *allocator,
                    gemmnet_model **model,
                    gn_span *state,
                    gemmnet_error *err)
{
    int status = check_size_and_checksum(bytes, size, err);
    file_header h = {0};
    if (status == GEMMNET_OK)
        status = decode_header(bytes, &h, err);
    if (status == GEMMNET_OK)
        status = build_model(bytes, &h, allocator, model, err);
    if (status == GEMMNET_OK && state)
        *state = (gn_span){h.state_size ? bytes + h.state_at : NULL, (size_t)h.state_size};
    return status;
}

GEMMNET_API int gemmnet_model_load_buffer(const void *bytes,
                                          size_t size,
                                          const gemmnet_allocator *allocator,
                                          gemmnet_model **model,
                                          gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "load: model must not be NULL");
    *model = NULL;
    if (!bytes && size > 0)
        return gn_fail(err, GEMMNET_E_INVALID, "load: bytes must not be NULL");
    static const unsigned char empty[1];
    return gn_model_decode(bytes ? bytes : empty, size, allocator, model, NULL, err);
}
