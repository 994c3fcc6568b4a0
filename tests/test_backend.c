/* Proof that the process runs the BLAS/LAPACK backend meson was configured
 * with (-Dblas=NAME): which shared objects provide cblas_sgemm, the
 * Fortran sgemm_ and LAPACK's sgels_ (what LAPACKE calls), that nothing is
 * loaded through Debian's alternatives symlinks or from another backend,
 * and that sgemm and LAPACKE_sgels compute right answers. The test's idea
 * of each backend's files is its own; tests/meson.build passes only the
 * backend's name and library directories (GEMMNET_EXPECTED_BLAS,
 * GEMMNET_EXPECTED_BLAS_DIRS). Also covers the run-time report, thread
 * control, /proc/cpuinfo parsing and the report's warnings. */
#define _GNU_SOURCE /* dladdr, dl_iterate_phdr, RTLD_DEFAULT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <lapacke.h>
#include <link.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas/blas.h"

/* GEMMNET_EXPECTED_BLAS: the backend meson configured. */
static const char *expected_backend(void)
{
    const char *name = getenv("GEMMNET_EXPECTED_BLAS");
    if (name == NULL || name[0] == '\0')
        fail_msg("GEMMNET_EXPECTED_BLAS is unset: run this test through meson test");
    return name;
}

static bool is_backend(const char *name)
{
    return strcmp(expected_backend(), name) == 0;
}

/* Path of the shared object the process resolves symbol to. */
static void provider(const char *symbol, char *path, size_t size)
{
    void *address = dlsym(RTLD_DEFAULT, symbol);
    if (address == NULL)
        fail_msg("no loaded object defines %s", symbol);
    Dl_info info;
    if (dladdr(address, &info) == 0 || info.dli_fname == NULL)
        fail_msg("dladdr cannot place %s", symbol);
    snprintf(path, size, "%s", info.dli_fname);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Whether path's directory is one of GEMMNET_EXPECTED_BLAS_DIRS. */
static bool in_expected_dirs(const char *path)
{
    const char *dirs = getenv("GEMMNET_EXPECTED_BLAS_DIRS");
    if (dirs == NULL || dirs[0] == '\0')
        fail_msg("GEMMNET_EXPECTED_BLAS_DIRS is unset: run this test through meson test");
    size_t dir_length = (size_t)(base_name(path) - path);
    if (dir_length > 0)
        dir_length--; /* the slash */
    for (const char *d = dirs; *d != '\0';) {
        size_t n = strcspn(d, ":");
        if (n == dir_length && strncmp(d, path, n) == 0)
            return true;
        d += n + (d[n] == ':');
    }
    return false;
}

static void test_gemmnet_blas_name_is_the_configured_backend(void **state)
{
    (void)state;
    if (strcmp(gemmnet_blas_name(), expected_backend()) != 0)
        fail_msg("gemmnet_blas_name() is '%s' but meson configured -Dblas=%s", gemmnet_blas_name(),
                 expected_backend());
}

static void test_cblas_sgemm_comes_from_the_backend_library(void **state)
{
    (void)state;
    char path[4096];
    provider("cblas_sgemm", path, sizeof path);
    const char *base = base_name(path);
    /* oneDNN has no CBLAS: OpenBLAS's serves the single-row sgemv. */
    bool ok = is_backend("openblas") || is_backend("onednn") ? starts_with(base, "libopenblas")
              : is_backend("blis")                           ? starts_with(base, "libblis")
              : is_backend("atlas")  ? strstr(path, "/atlas/libblas.so") != NULL
              : is_backend("netlib") ? strstr(path, "/blas/libblas.so") != NULL
                                     : false;
    if (!ok)
        fail_msg("cblas_sgemm comes from %s, which is not %s's library", path, expected_backend());
    if (!in_expected_dirs(path))
        fail_msg("cblas_sgemm comes from %s, outside the rpath directories %s", path,
                 getenv("GEMMNET_EXPECTED_BLAS_DIRS"));
}

/* With -Dblas=onednn the seam's GEMM is dnnl_sgemm: it must come from
 * libdnnl, and the report must name it, oneDNN's version and the ISA its
 * kernels use. Other backends must not load oneDNN at all. */
static void test_onednn_gemm_comes_from_libdnnl(void **state)
{
    (void)state;
    void *address = dlsym(RTLD_DEFAULT, "dnnl_sgemm");
    if (!is_backend("onednn")) {
        if (address != NULL)
            fail_msg("-Dblas=%s, but dnnl_sgemm is loaded", expected_backend());
        return;
    }
    char path[4096];
    provider("dnnl_sgemm", path, sizeof path);
    if (!starts_with(base_name(path), "libdnnl.so"))
        fail_msg("dnnl_sgemm comes from %s, not libdnnl", path);
    gemmnet_blas_report r;
    assert_int_equal(gemmnet_blas_report_get(&r), GEMMNET_OK);
    assert_string_equal(r.blas_library, path);
    if (!starts_with(r.version, "oneDNN 2.") && !starts_with(r.version, "oneDNN 3."))
        fail_msg("version '%s' does not name oneDNN", r.version);
    static const char *const isas[] = {"sse41",
                                       "avx",
                                       "avx2",
                                       "avx2_vnni",
                                       "avx512_core",
                                       "avx512_core_vnni",
                                       "avx512_core_bf16",
                                       "avx512_core_amx"};
    bool known = false;
    for (size_t i = 0; i < sizeof isas / sizeof *isas; i++)
        known = known || strcmp(r.kernel, isas[i]) == 0;
    if (!known)
        fail_msg("kernel '%s' is not one of oneDNN's x86-64 ISAs", r.kernel);
}

static void test_lapack_sgels_comes_from_the_backend_lapack(void **state)
{
    (void)state;
    char blas[4096], lapack[4096];
    provider("cblas_sgemm", blas, sizeof blas);
    provider("sgels_", lapack, sizeof lapack);
    /* OpenBLAS ships LAPACK in libopenblas, ATLAS a LAPACK of its own; BLIS
     * has none and is paired with netlib's. */
    bool ok = is_backend("openblas") || is_backend("onednn") ? strcmp(lapack, blas) == 0
              : is_backend("atlas") ? strstr(lapack, "/atlas/liblapack.so") != NULL
                                    : strstr(lapack, "/lapack/liblapack.so") != NULL;
    if (!ok)
        fail_msg("sgels_ (what LAPACKE_sgels calls) comes from %s, not %s's LAPACK", lapack,
                 expected_backend());
    if (!in_expected_dirs(lapack))
        fail_msg("sgels_ comes from %s, outside the rpath directories %s", lapack,
                 getenv("GEMMNET_EXPECTED_BLAS_DIRS"));
}

static void test_lapack_calls_the_same_blas_as_cblas(void **state)
{
    (void)state;
    char blas[4096], fortran[4096];
    provider("cblas_sgemm", blas, sizeof blas);
    provider("sgemm_", fortran, sizeof fortran);
    if (strcmp(blas, fortran) != 0)
        fail_msg("LAPACK's sgemm_ comes from %s but cblas_sgemm from %s", fortran, blas);
}

/* dl_iterate_phdr callback: records the first offending object. */
static int check_loaded_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    char *problem = data;
    const char *path = info->dlpi_name;
    if (path == NULL || path[0] == '\0' || problem[0] != '\0')
        return 0;
    const char *base = base_name(path);
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(base - path), path);
    /* /usr/lib/x86_64-linux-gnu/libblas.so.3 and liblapack.so.3 (or /lib/…)
     * are update-alternatives links to some backend. */
    size_t d = strlen(dir);
    bool multiarch_dir = d > 11 && strcmp(dir + d - 11, "-linux-gnu/") == 0;
    if (multiarch_dir && (starts_with(base, "libblas.so") || starts_with(base, "liblapack.so"))) {
        snprintf(problem, 4096, "%s was loaded through Debian's alternatives symlink", path);
        return 0;
    }
    struct {
        const char *backend;
        const char *marker;
    } owners[] = {
        {"openblas", "openblas"}, {"onednn", "libdnnl"},          {"blis", "blis"},
        {"atlas", "atlas"},       {"netlib", "/blas/libblas.so"},
    };
    for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++)
        if (!is_backend(owners[i].backend) && strstr(path, owners[i].marker) != NULL &&
            !(is_backend("onednn") && strcmp(owners[i].backend, "openblas") == 0))
            snprintf(problem, 4096, "%s (of %s) is loaded", path, owners[i].backend);
    bool netlib_lapack_allowed = is_backend("netlib") || is_backend("blis");
    if (!netlib_lapack_allowed && strstr(path, "/lapack/liblapack.so") != NULL)
        snprintf(problem, 4096, "netlib's %s is loaded", path);
    return 0;
}

static void test_no_other_backend_or_alternatives_link_is_loaded(void **state)
{
    (void)state;
    char problem[4096] = "";
    dl_iterate_phdr(check_loaded_object, problem);
    if (problem[0] != '\0')
        fail_msg("configured -Dblas=%s, but %s", expected_backend(), problem);
}

static void test_sgemm_seam_is_correct_for_every_transpose(void **state)
{
    (void)state;
    /* A[2×3], B[3×2]; stored transposed copies for the trans cases. */
    const float a[6] = {1, 2, 3, 4, 5, 6}, at[6] = {1, 4, 2, 5, 3, 6};
    const float b[6] = {7, 8, 9, 10, 11, 12}, bt[6] = {7, 9, 11, 8, 10, 12};
    const float want[4] = {58, 64, 139, 154};
    for (int t = 0; t < 4; t++) {
        bool ta = t & 1, tb = t & 2;
        float c[4] = {1, 1, 1, 1};
        /* C = 1·op(A)·op(B) + 0.5·C */
        gn_sgemm(ta, tb, 2, 2, 3, 1.0f, ta ? at : a, ta ? 2 : 3, tb ? bt : b, tb ? 3 : 2, 0.5f, c,
                 2);
        for (int i = 0; i < 4; i++)
            if (c[i] != want[i] + 0.5f)
                fail_msg("sgemm (trans_a=%d, trans_b=%d) gave C[%d] = %g, expected %g", ta, tb, i,
                         (double)c[i], (double)(want[i] + 0.5f));
    }
}

static void test_lapacke_sgels_solves_a_3x2_least_squares_problem(void **state)
{
    (void)state;
    /* Fit y = c0 + c1·x through (1, 1), (2, 2), (3, 2): c = (2/3, 1/2),
     * residual sum of squares 1/6. */
    float a[6] = {1, 1, 1, 2, 1, 3};
    float b[3] = {1, 2, 2};
    lapack_int info = LAPACKE_sgels(LAPACK_ROW_MAJOR, 'N', 3, 2, 1, a, 2, b, 1);
    if (info != 0)
        fail_msg("LAPACKE_sgels returned info %d", (int)info);
    if (fabs(b[0] - 2.0 / 3.0) > 1e-5 || fabs(b[1] - 0.5) > 1e-5)
        fail_msg("LAPACKE_sgels gave (%.7g, %.7g), expected (0.6666667, 0.5)", (double)b[0],
                 (double)b[1]);
    if (fabs((double)b[2] * b[2] - 1.0 / 6.0) > 1e-5)
        fail_msg("residual sum of squares %.7g, expected 1/6", (double)b[2] * b[2]);
}

static void test_report_names_the_backend_and_its_libraries(void **state)
{
    (void)state;
    gemmnet_blas_report r;
    assert_int_equal(gemmnet_blas_report_get(&r), GEMMNET_OK);
    assert_int_equal(gemmnet_blas_report_get(NULL), GEMMNET_E_INVALID);
    assert_string_equal(r.backend, expected_backend());
    if (strstr(r.version, "; LAPACK 3.") == NULL)
        fail_msg("version '%s' lacks the LAPACK version", r.version);
    if (r.kernel[0] == '\0' || r.kernel_source[0] == '\0')
        fail_msg("the report names no kernel or kernel source");
    if (r.threads < 1 || r.threads != gemmnet_blas_threads())
        fail_msg("report threads %d, gemmnet_blas_threads() %d", (int)r.threads,
                 gemmnet_blas_threads());
    char blas[4096], lapack[4096];
    provider("cblas_sgemm", blas, sizeof blas);
    provider("sgels_", lapack, sizeof lapack);
    if (is_backend("onednn"))
        provider("dnnl_sgemm", blas, sizeof blas);
    assert_string_equal(r.blas_library, blas);
    assert_string_equal(r.lapack_library, lapack);
    if (r.cpu_family < 0 || strcmp(r.cpu_model, "unknown") == 0)
        fail_msg("the report could not read the CPU from /proc/cpuinfo");
}

static void test_threads_follow_set_threads_where_the_backend_has_them(void **state)
{
    (void)state;
    assert_int_equal(gemmnet_blas_set_threads(0), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_blas_set_threads(1), GEMMNET_OK);
    assert_int_equal(gemmnet_blas_threads(), 1);
    int two = gemmnet_blas_set_threads(2);
    if (is_backend("openblas") || is_backend("blis") || is_backend("onednn")) {
        assert_int_equal(two, GEMMNET_OK);
        assert_int_equal(gemmnet_blas_threads(), 2);
        assert_int_equal(gemmnet_blas_set_threads(1), GEMMNET_OK);
    } else {
        if (two != GEMMNET_E_INVALID)
            fail_msg("single-threaded %s accepted 2 threads", expected_backend());
        assert_int_equal(gemmnet_blas_threads(), 1);
    }
}

/* The first processor of an AMD Zen 5 (family 26 = 0x1A), then a second
 * one that must not be read. */
static const char *const zen5_cpuinfo[] = {
    "processor\t: 0\n",
    "vendor_id\t: AuthenticAMD\n",
    "cpu family\t: 26\n",
    "model\t\t: 68\n",
    "model name\t: AMD Ryzen 9 9950X 16-Core Processor\n",
    "flags\t\t: fpu vme avx2 avx512f avx512_bf16\n",
    "\n",
    "processor\t: 1\n",
    "cpu family\t: 6\n",
};

static void parse_zen5(gn_cpu *cpu)
{
    gn_cpu_clear(cpu);
    for (size_t i = 0; i < sizeof zen5_cpuinfo / sizeof *zen5_cpuinfo; i++)
        if (!gn_cpu_parse_line(cpu, zen5_cpuinfo[i]))
            break;
}

static void test_cpuinfo_parse_reads_the_first_processor_only(void **state)
{
    (void)state;
    gn_cpu cpu;
    parse_zen5(&cpu);
    assert_string_equal(cpu.vendor, "AuthenticAMD");
    assert_string_equal(cpu.model_name, "AMD Ryzen 9 9950X 16-Core Processor");
    assert_int_equal(cpu.family, 0x1A);
    assert_int_equal(cpu.model, 68);
    assert_true(cpu.avx2);
    assert_true(cpu.avx512f);
    gn_cpu_clear(&cpu);
    assert_true(gn_cpu_parse_line(&cpu, "flags\t\t: avx2x avx512fo\n"));
    if (cpu.avx2 || cpu.avx512f)
        fail_msg("flags matched a word only as a prefix");
}

static void test_warning_names_blis_generic_kernel_on_an_unknown_cpu(void **state)
{
    (void)state;
    gn_cpu cpu;
    parse_zen5(&cpu);
    char w[320];
    gn_blas_warning("blis", "generic", &cpu, NULL, w, sizeof w);
    if (strstr(w, "generic") == NULL || strstr(w, "family 0x1a") == NULL)
        fail_msg("BLIS 'generic' on family 0x1A gave warning '%s'", w);
    gn_blas_warning("blis", "zen3", &cpu, NULL, w, sizeof w);
    if (w[0] != '\0')
        fail_msg("BLIS zen3 gave warning '%s'", w);
}

static void test_warning_names_openblas_pre_avx2_kernel_unless_coretype_is_set(void **state)
{
    (void)state;
    gn_cpu cpu;
    parse_zen5(&cpu);
    char w[320];
    gn_blas_warning("openblas", "Prescott", &cpu, NULL, w, sizeof w);
    if (strstr(w, "Prescott") == NULL || strstr(w, "OPENBLAS_CORETYPE") == NULL)
        fail_msg("OpenBLAS Prescott on an AVX2 CPU gave warning '%s'", w);
    gn_blas_warning("openblas", "Prescott", &cpu, "Prescott", w, sizeof w);
    if (w[0] != '\0')
        fail_msg("a kernel chosen through OPENBLAS_CORETYPE gave warning '%s'", w);
    gn_blas_warning("openblas", "Haswell", &cpu, NULL, w, sizeof w);
    if (w[0] != '\0')
        fail_msg("OpenBLAS Haswell gave warning '%s'", w);
    gn_blas_warning("netlib", "n/a", &cpu, NULL, w, sizeof w);
    if (w[0] != '\0')
        fail_msg("netlib gave warning '%s'", w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemmnet_blas_name_is_the_configured_backend),
        cmocka_unit_test(test_cblas_sgemm_comes_from_the_backend_library),
        cmocka_unit_test(test_onednn_gemm_comes_from_libdnnl),
        cmocka_unit_test(test_lapack_sgels_comes_from_the_backend_lapack),
        cmocka_unit_test(test_lapack_calls_the_same_blas_as_cblas),
        cmocka_unit_test(test_no_other_backend_or_alternatives_link_is_loaded),
        cmocka_unit_test(test_sgemm_seam_is_correct_for_every_transpose),
        cmocka_unit_test(test_lapacke_sgels_solves_a_3x2_least_squares_problem),
        cmocka_unit_test(test_report_names_the_backend_and_its_libraries),
        cmocka_unit_test(test_threads_follow_set_threads_where_the_backend_has_them),
        cmocka_unit_test(test_cpuinfo_parse_reads_the_first_processor_only),
        cmocka_unit_test(test_warning_names_blis_generic_kernel_on_an_unknown_cpu),
        cmocka_unit_test(test_warning_names_openblas_pre_avx2_kernel_unless_coretype_is_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
