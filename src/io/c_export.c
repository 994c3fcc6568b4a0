/* A model as one self-contained C99 header: static const float arrays and
 * a predict function that needs nothing but <math.h>, for targets without
 * BLAS. Floats are written with %.9e, which float32 survives exactly, in
 * the C locale; layers keep gemmnet's layout, W[in×out] row-major, so the
 * generated loops read each row of W contiguously:
 *   z[j] = b[j] + Σ_i in[i]·W[i·out + j]. */
#include "io/io.h"

#include <errno.h>
#include <string.h>

enum { MAX_NAME = 64, VALUES_PER_LINE = 4 };

/* ASCII only, whatever the locale says a letter is. */
static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool valid_identifier(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > MAX_NAME || !is_letter(name[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_letter(name[i]) && !(name[i] >= '0' && name[i] <= '9'))
            return false;
    return true;
}

/* "static const float NAME_suffix[count] = {...};" */
static void write_array(FILE *f, const char *name, const char *suffix, const float *v, size_t count)
{
    fprintf(f, "static const float %s_%s[%zu] = {", name, suffix, count);
    for (size_t i = 0; i < count; i++)
        fprintf(f, "%s%.9ef%s", i % VALUES_PER_LINE ? " " : "\n    ", (double)v[i],
                i + 1 < count ? "," : "");
    fprintf(f, "\n};\n");
}

/* A C string literal of text: '"', '\\' and '?' (trigraphs) escaped, bytes
 * outside ASCII as three-digit octal escapes. */
static void write_string(FILE *f, const char *text)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\' || *c == '?')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c >= 0x7f)
            fprintf(f, "\\%03o", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static const char *activation_name(gemmnet_activation a)
{
    static const char *const names[GEMMNET_ACTIVATION_COUNT] = {"tanh", "relu", "leaky relu",
                                                                "sigmoid"};
    return names[a];
}

static int32_t widest(const gemmnet_model *m)
{
    int32_t w = m->width[0];
    for (int32_t l = 1; l <= m->layers; l++)
        if (m->width[l] > w)
            w = m->width[l];
    return w;
}

static void write_preamble(FILE *f, const gemmnet_model *m, const char *name, const char *upper)
{
    fprintf(f, "/* A gemmnet %s model as C99, written by 'gemmnet export --format c'.\n *\n * ",
            GEMMNET_VERSION);
    for (int32_t l = 0; l <= m->layers; l++)
        fprintf(f, "%s%d", l ? "-" : "", (int)m->width[l]);
    fprintf(f, " network");
    for (int32_t l = 1; l < m->layers; l++)
        fprintf(f, "%s%s", l == 1 ? ", hidden " : ", ", activation_name(m->activation[l - 1]));
    fprintf(f, ", softmax outputs%s.\n", m->mean ? ", standardised inputs" : "");
    fprintf(f,
            " *\n"
            " *     float proba[%s_CLASSES];\n"
            " *     int k = %s_predict(row, proba);  row: %s_INPUTS raw features\n"
            " *     puts(%s_class_name(k));\n"
            " *\n"
            " * Self-contained: no allocation (two arrays of the widest layer on the\n"
            " * stack), nothing beyond <math.h> (link with -lm).\n"
            " */\n",
            upper, name, upper, name);
    fprintf(f, "#ifndef %s_GEMMNET_H\n#define %s_GEMMNET_H\n\n#include <math.h>\n\n", upper, upper);
    fprintf(f, "#define %s_INPUTS %d\n#define %s_CLASSES %d\n#define %s_WIDEST %d\n\n", upper,
            (int)m->width[0], upper, (int)m->width[m->layers], upper, (int)widest(m));
}

static void write_data(FILE *f, const gemmnet_model *m, const char *name, const char *upper)
{
    size_t d = (size_t)m->width[0], k = (size_t)m->width[m->layers];
    if (m->mean) {
        fprintf(f, "/* x <- (x - mean) / scale, feature by feature. */\n");
        write_array(f, name, "mean", m->mean, d);
        write_array(f, name, "scale", m->scale, d);
    }
    char suffix[16];
    for (int32_t l = 1; l <= m->layers; l++) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        fprintf(f, "/* Layer %d: W[%zu x %zu] row-major, b[%zu]. */\n", (int)l, in, out, out);
        snprintf(suffix, sizeof suffix, "w%d", (int)l);
        write_array(f, name, suffix, m->parameters + m->weight_offset[l - 1], in * out);
        snprintf(suffix, sizeof suffix, "b%d", (int)l);
        write_array(f, name, suffix, m->parameters + m->bias_offset[l - 1], out);
    }
    fprintf(f, "static const char *const %s_class_names[%s_CLASSES] = {", name, upper);
    for (size_t c = 0; c < k; c++) {
        fprintf(f, "%s", c ? ", " : "");
        if (m->class_names)
            write_string(f, m->class_names[c]);
        else
            fprintf(f, "\"%zu\"", c);
    }
    fprintf(f, "};\n\n");
}

/* The statement applying hidden activation a to out[j]. */
static const char *activation_code(gemmnet_activation a)
{
    switch (a) {
    case GEMMNET_ACT_RELU: return "out[j] = out[j] > 0.0f ? out[j] : 0.0f;";
    case GEMMNET_ACT_LEAKY_RELU: return "out[j] = out[j] > 0.0f ? out[j] : 0.01f * out[j];";
    case GEMMNET_ACT_SIGMOID: return "out[j] = 1.0f / (1.0f + expf(-out[j]));";
    default: return "out[j] = tanhf(out[j]);";
    }
}

static void write_layer(FILE *f, const gemmnet_model *m, const char *name, int32_t l, int buffer)
{
    int32_t in = m->width[l - 1], out = m->width[l];
    bool last = l == m->layers;
    fprintf(f, "    /* layer %d: %d -> %d */\n", (int)l, (int)in, (int)out);
    if (last)
        fprintf(f, "    out = proba;\n");
    else
        fprintf(f, "    out = buffer[%d];\n", buffer);
    fprintf(f,
            "    for (int j = 0; j < %d; j++)\n"
            "        out[j] = %s_b%d[j];\n"
            "    for (int i = 0; i < %d; i++)\n"
            "        for (int j = 0; j < %d; j++)\n"
            "            out[j] += in[i] * %s_w%d[i * %d + j];\n",
            (int)out, name, (int)l, (int)in, (int)out, name, (int)l, (int)out);
    if (!last)
        fprintf(f, "    for (int j = 0; j < %d; j++)\n        %s\n    in = out;\n", (int)out,
                activation_code(m->activation[l - 1]));
}

static void write_predict(FILE *f, const gemmnet_model *m, const char *name, const char *upper)
{
    fprintf(f,
            "/* Writes the class probabilities of the raw row x to proba and returns the\n"
            " * most probable class (the lowest index on ties). */\n"
            "static inline int %s_predict(const float x[%s_INPUTS], float proba[%s_CLASSES])\n"
            "{\n"
            "    float buffer[2][%s_WIDEST];\n"
            "    const float *in = x;\n"
            "    float *out;\n",
            name, upper, upper, upper);
    int next = 0;
    if (m->mean) {
        fprintf(f,
                "    for (int i = 0; i < %s_INPUTS; i++)\n"
                "        buffer[0][i] = (x[i] - %s_mean[i]) / %s_scale[i];\n"
                "    in = buffer[0];\n",
                upper, name, name);
        next = 1;
    }
    for (int32_t l = 1; l <= m->layers; l++, next ^= 1)
        write_layer(f, m, name, l, next);
    fprintf(f,
            "    /* softmax, shifted by the largest logit */\n"
            "    int best = 0;\n"
            "    for (int j = 1; j < %s_CLASSES; j++)\n"
            "        if (proba[j] > proba[best])\n"
            "            best = j;\n"
            "    float top = proba[best], sum = 0.0f;\n"
            "    for (int j = 0; j < %s_CLASSES; j++) {\n"
            "        proba[j] = expf(proba[j] - top);\n"
            "        sum += proba[j];\n"
            "    }\n"
            "    for (int j = 0; j < %s_CLASSES; j++)\n"
            "        proba[j] /= sum;\n"
            "    return best;\n"
            "}\n\n",
            upper, upper, upper);
    fprintf(f,
            "/* Name of class k (its index as text when the model had no names), or \"\". */\n"
            "static inline const char *%s_class_name(int k)\n"
            "{\n"
            "    return k >= 0 && k < %s_CLASSES ? %s_class_names[k] : \"\";\n"
            "}\n\n"
            "#endif\n",
            name, upper, name);
}

GEMMNET_API int
gemmnet_model_write_c(const gemmnet_model *model, FILE *file, const char *name, gemmnet_error *err)
{
    if (!model || !file)
        return gn_fail(err, GEMMNET_E_INVALID, "write_c: a model and a file are required");
    if (!valid_identifier(name))
        return gn_fail(err, GEMMNET_E_INVALID,
                       "the name '%.80s' is not a C identifier of 1 to %d characters",
                       name ? name : "", MAX_NAME);
    if (!gn_all_finite(model->parameters, model->parameter_count))
        return gn_fail(err, GEMMNET_E_NONFINITE, "the model has NaN or Inf parameters");
    char upper[MAX_NAME + 1];
    size_t n = strlen(name);
    for (size_t i = 0; i <= n; i++)
        upper[i] = name[i] >= 'a' && name[i] <= 'z' ? (char)(name[i] - 'a' + 'A') : name[i];
    locale_t c_locale, caller_locale;
    if (!gn_enter_c_locale(&c_locale, &caller_locale))
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot create the C locale: %s", strerror(errno));
    write_preamble(file, model, name, upper);
    write_data(file, model, name, upper);
    write_predict(file, model, name, upper);
    gn_leave_c_locale(c_locale, caller_locale);
    if (fflush(file) != 0 || ferror(file))
        return gn_fail(err, GEMMNET_E_IO, "cannot write the C file: %s", strerror(errno));
    return GEMMNET_OK;
}
