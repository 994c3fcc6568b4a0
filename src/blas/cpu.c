/* What the BLAS backends dispatch on: the first processor's vendor,
 * family, model and flags from /proc/cpuinfo (Linux). */
#include "blas/blas.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gn_cpu_clear(gn_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
    snprintf(cpu->vendor, sizeof cpu->vendor, "unknown");
    snprintf(cpu->model_name, sizeof cpu->model_name, "unknown");
    cpu->family = -1;
    cpu->model = -1;
}

/* dst[size] ← text[0..length) without surrounding white space. */
static void copy_trimmed(char *dst, size_t size, const char *text, size_t length)
{
    while (length > 0 && isspace((unsigned char)*text)) {
        text++;
        length--;
    }
    while (length > 0 && isspace((unsigned char)text[length - 1]))
        length--;
    if (length >= size)
        length = size - 1;
    memcpy(dst, text, length);
    dst[length] = '\0';
}

/* Whether the space-separated list contains word. */
static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(list, word); p != NULL; p = strstr(p + 1, word)) {
        bool starts = p == list || isspace((unsigned char)p[-1]);
        bool ends = p[n] == '\0' || isspace((unsigned char)p[n]);
        if (starts && ends)
            return true;
    }
    return false;
}

bool gn_cpu_parse_line(gn_cpu *cpu, const char *line)
{
    const char *colon = strchr(line, ':');
    if (colon == NULL) /* the blank line after the first block */
        return line[strspn(line, " \t\r\n")] != '\0';
    char key[32];
    copy_trimmed(key, sizeof key, line, (size_t)(colon - line));
    const char *value = colon + 1;
    if (strcmp(key, "vendor_id") == 0)
        copy_trimmed(cpu->vendor, sizeof cpu->vendor, value, strlen(value));
    else if (strcmp(key, "model name") == 0)
        copy_trimmed(cpu->model_name, sizeof cpu->model_name, value, strlen(value));
    else if (strcmp(key, "cpu family") == 0)
        cpu->family = (int32_t)strtol(value, NULL, 10);
    else if (strcmp(key, "model") == 0)
        cpu->model = (int32_t)strtol(value, NULL, 10);
    else if (strcmp(key, "flags") == 0) {
        cpu->avx2 = has_word(value, "avx2");
        cpu->avx512f = has_word(value, "avx512f");
    }
    return true;
}

void gn_cpu_identify(gn_cpu *cpu)
{
    gn_cpu_clear(cpu);
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    /* The flags line runs past 1,500 characters on current CPUs. */
    char line[8192];
    while (fgets(line, sizeof line, f) != NULL && gn_cpu_parse_line(cpu, line)) {
        /* A line longer than the buffer: skip its remainder. */
        while (strchr(line, '\n') == NULL && fgets(line, sizeof line, f) != NULL)
            continue;
    }
    fclose(f);
}
