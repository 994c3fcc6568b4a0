/* The backend seam: the only file that includes a CBLAS header or knows
 * which BLAS library is linked. meson/blas/meson.build defines
 * GEMMNET_BLAS_<NAME>, GEMMNET_BLAS_NAME and GEMMNET_CBLAS_HEADER.
 * This file must not include lapacke.h: it cannot share a file with
 * blis.h. */
#define _GNU_SOURCE /* dladdr, RTLD_DEFAULT */
#include "blas/blas.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include GEMMNET_CBLAS_HEADER
#if defined(GEMMNET_BLAS_ATLAS)
#include <atlas/atlas_buildinfo.h>
#elif defined(GEMMNET_BLAS_ONEDNN)
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#endif

/* LAPACK's own version query (Fortran, LP64 integers): the LAPACK that
 * LAPACKE calls, which is the backend's where it ships one. */
void ilaver_(int *major, int *minor, int *patch);

#if defined(GEMMNET_BLAS_ONEDNN)
/* Multiply-adds up to which oneDNN's build hands a product to OpenBLAS. */
#define ONEDNN_MIN_MACS 262144.0
#endif

void gn_sgemm_full(bool trans_a,
                   bool trans_b,
                   size_t m,
                   size_t n,
                   size_t k,
                   float alpha,
                   const float *a,
                   size_t lda,
                   const float *b,
                   size_t ldb,
                   float beta,
                   float *c,
                   size_t ldc)
{
#if defined(GEMMNET_BLAS_ONEDNN)
    /* Small products go to OpenBLAS, which runs them on the calling thread
     * (below 4·65536 multiply-adds, as OpenBLAS itself decides), where
     * oneDNN would wake its OpenMP team for each (bench: S). dnnl_sgemm is
     * row-major; its status is not checked: the shapes and strides are the
     * callers' guarantees, as for cblas_sgemm. */
    if ((double)m * (double)n * (double)k <= ONEDNN_MIN_MACS) {
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                    trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha, a, (int)lda,
                    b, (int)ldb, beta, c, (int)ldc);
        return;
    }
    (void)dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', (dnnl_dim_t)m, (dnnl_dim_t)n,
                     (dnnl_dim_t)k, alpha, a, (dnnl_dim_t)lda, b, (dnnl_dim_t)ldb, beta, c,
                     (dnnl_dim_t)ldc);
#else
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha, a, (int)lda, b,
                (int)ldb, beta, c, (int)ldc);
#endif
}

void gn_sgemv(bool trans,
              size_t rows,
              size_t cols,
              float alpha,
              const float *a,
              size_t lda,
              const float *x,
              float beta,
              float *y)
{
    cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, (int)rows, (int)cols, alpha, a,
                (int)lda, x, 1, beta, y, 1);
}

void gn_sgemm(bool trans_a,
              bool trans_b,
              size_t m,
              size_t n,
              size_t k,
              float alpha,
              const float *a,
              size_t lda,
              const float *b,
              size_t ldb,
              float beta,
              float *c,
              size_t ldc)
{
    /* One row of A (stored contiguously): c[1×n] = alpha·a[1×k]·op(B) +
     * beta·c is the matrix-vector product op(B)ᵀ·a, which the backends
     * run without packing B (bench: the inference table's floors). */
    if (m == 1 && !trans_a) {
        if (trans_b) /* B stored n×k: c = B·a */
            gn_sgemv(false, n, k, alpha, b, ldb, a, beta, c);
        else /* B stored k×n: c = Bᵀ·a */
            gn_sgemv(true, k, n, alpha, b, ldb, a, beta, c);
        return;
    }
    gn_sgemm_full(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

GEMMNET_API const char *gemmnet_blas_name(void)
{
    return GEMMNET_BLAS_NAME;
}

/* ---- per-backend facts ---------------------------------------------- */

#if defined(GEMMNET_BLAS_OPENBLAS)

GEMMNET_API int gemmnet_blas_set_threads(int n)
{
    if (n < 1)
        return GEMMNET_E_INVALID;
    openblas_set_num_threads(n);
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_blas_threads(void)
{
    return openblas_get_num_threads();
}

static void backend_describe(gemmnet_blas_report *r, const char *coretype)
{
    snprintf(r->version, sizeof r->version, "%s", openblas_get_config());
    snprintf(r->kernel, sizeof r->kernel, "%s", openblas_get_corename());
    if (coretype != NULL && coretype[0] != '\0')
        snprintf(r->kernel_source, sizeof r->kernel_source, "set by OPENBLAS_CORETYPE=%s",
                 coretype);
    else
        snprintf(r->kernel_source, sizeof r->kernel_source,
                 "detected from cpuid; OPENBLAS_CORETYPE=NAME overrides it");
}

#elif defined(GEMMNET_BLAS_ONEDNN)

/* oneDNN's GEMM runs on OpenMP threads; OpenBLAS's (the single-row sgemv)
 * on its own pool. Both follow the count. */
GEMMNET_API int gemmnet_blas_set_threads(int n)
{
    if (n < 1)
        return GEMMNET_E_INVALID;
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_blas_threads(void)
{
    return omp_get_max_threads();
}

/* The instruction set oneDNN's JIT kernels use here. */
static const char *onednn_isa(dnnl_cpu_isa_t isa)
{
    switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
    }
}

static void backend_describe(gemmnet_blas_report *r, const char *coretype)
{
    (void)coretype; /* OPENBLAS_CORETYPE steers only OpenBLAS's part */
    const dnnl_version_t *v = dnnl_version();
    snprintf(r->version, sizeof r->version, "oneDNN %d.%d.%d (%s, OpenMP); %s", v->major, v->minor,
             v->patch, v->hash, openblas_get_config());
    snprintf(r->kernel, sizeof r->kernel, "%s", onednn_isa(dnnl_get_effective_cpu_isa()));
    snprintf(r->kernel_source, sizeof r->kernel_source,
             "detected from cpuid by oneDNN; DNNL_MAX_CPU_ISA=NAME caps it");
}

#elif defined(GEMMNET_BLAS_BLIS)

GEMMNET_API int gemmnet_blas_set_threads(int n)
{
    if (n < 1)
        return GEMMNET_E_INVALID;
    bli_thread_set_num_threads((dim_t)n);
    return GEMMNET_OK;
}

/* BLIS reports −1 while neither BLIS_NUM_THREADS, OMP_NUM_THREADS nor a
 * call has set the count, and then runs one thread. */
GEMMNET_API int gemmnet_blas_threads(void)
{
    dim_t n = bli_thread_get_num_threads();
    return n < 1 ? 1 : (int)n;
}

static void backend_describe(gemmnet_blas_report *r, const char *coretype)
{
    (void)coretype;
    const char *threading = bli_info_get_enable_openmp()     ? "OpenMP"
                            : bli_info_get_enable_pthreads() ? "pthreads"
                                                             : "no";
    snprintf(r->version, sizeof r->version, "BLIS %s (%s threading)", bli_info_get_version_str(),
             threading);
    snprintf(r->kernel, sizeof r->kernel, "%s", bli_arch_string(bli_arch_query_id()));
    snprintf(r->kernel_source, sizeof r->kernel_source, "detected from cpuid");
}

#elif defined(GEMMNET_BLAS_ATLAS) || defined(GEMMNET_BLAS_NETLIB)

/* Debian's ATLAS and reference BLAS have no threads to set. */
GEMMNET_API int gemmnet_blas_set_threads(int n)
{
    return n == 1 ? GEMMNET_OK : GEMMNET_E_INVALID;
}

GEMMNET_API int gemmnet_blas_threads(void)
{
    return 1;
}

static void backend_describe(gemmnet_blas_report *r, const char *coretype)
{
    (void)coretype;
#if defined(GEMMNET_BLAS_ATLAS)
    /* ATLAS has no version call (ATL_buildinfo prints); these come from
     * the headers of the same Debian build. */
    snprintf(r->version, sizeof r->version, "ATLAS %s", ATL_VERS);
    snprintf(r->kernel, sizeof r->kernel, "%s", ATL_ARCH);
    snprintf(r->kernel_source, sizeof r->kernel_source, "fixed when ATLAS was built");
#else
    snprintf(r->version, sizeof r->version, "reference BLAS (netlib)");
    snprintf(r->kernel, sizeof r->kernel, "n/a");
    snprintf(r->kernel_source, sizeof r->kernel_source, "reference Fortran loops");
#endif
}

#else
#error "define one of GEMMNET_BLAS_OPENBLAS, _BLIS, _ATLAS, _NETLIB, _ONEDNN (meson -Dblas=...)"
#endif

void gn_blas_worker_init(void)
{
#if defined(GEMMNET_BLAS_ONEDNN)
    /* A new thread starts with OpenMP's default team size; a worker's
     * GEMM must run on the worker alone. */
    omp_set_num_threads(1);
#endif
}

/* ---- the run-time report -------------------------------------------- */

/* The GEMM gn_sgemm_full calls. */
#if defined(GEMMNET_BLAS_ONEDNN)
#define GEMM_SYMBOL "dnnl_sgemm"
#else
#define GEMM_SYMBOL "cblas_sgemm"
#endif

/* dst[size] ← path of the shared object the process resolves symbol to,
 * or "" if it resolves to none. */
static void provider(const char *symbol, char *dst, size_t size)
{
    dst[0] = '\0';
    void *address = dlsym(RTLD_DEFAULT, symbol);
    Dl_info info;
    if (address != NULL && dladdr(address, &info) != 0 && info.dli_fname != NULL)
        snprintf(dst, size, "%s", info.dli_fname);
}

static bool name_in(const char *name, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

void gn_blas_warning(const char *backend,
                     const char *kernel,
                     const gn_cpu *cpu,
                     const char *coretype,
                     char *out,
                     size_t size)
{
    /* OpenBLAS x86-64 cores without AVX2: where it lands on a CPU it does
     * not know. */
    static const char *const openblas_pre_avx2[] = {
        "Katmai", "Coppermine", "Northwood",  "Prescott",    "Banias",  "Atom",         "Core2",
        "Penryn", "Dunnington", "Nehalem",    "Sandybridge", "Opteron", "Opteron_SSE3", "Barcelona",
        "Bobcat", "Bulldozer",  "Piledriver", "Steamroller", "Generic", "Unknown",
    };
    char where[96] = "CPU unknown";
    if (cpu->family >= 0)
        snprintf(where, sizeof where, "%s family 0x%x model 0x%x", cpu->vendor,
                 (unsigned)cpu->family, (unsigned)(cpu->model < 0 ? 0 : cpu->model));
    out[0] = '\0';
    if (strcmp(backend, "openblas") == 0 && (coretype == NULL || coretype[0] == '\0') &&
        cpu->avx2 &&
        name_in(kernel, openblas_pre_avx2, sizeof openblas_pre_avx2 / sizeof *openblas_pre_avx2))
        snprintf(out, size,
                 "OpenBLAS does not recognise this CPU (%s) and runs its %s kernel "
                 "without AVX2; set OPENBLAS_CORETYPE=Haswell to choose one",
                 where, kernel);
    else if (strcmp(backend, "blis") == 0 && strcmp(kernel, "generic") == 0)
        snprintf(out, size,
                 "BLIS does not recognise this CPU (%s) and runs its unoptimised "
                 "generic kernel; no setting fixes that in BLIS 0.9, so prefer "
                 "-Dblas=openblas here",
                 where);
}

GEMMNET_API int gemmnet_blas_report_get(gemmnet_blas_report *report)
{
    if (report == NULL)
        return GEMMNET_E_INVALID;
    gemmnet_blas_report *r = report;
    memset(r, 0, sizeof *r);
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    snprintf(r->backend, sizeof r->backend, "%s", GEMMNET_BLAS_NAME);
    backend_describe(r, coretype);
    int major = 0, minor = 0, patch = 0;
    ilaver_(&major, &minor, &patch);
    size_t used = strlen(r->version);
    snprintf(r->version + used, sizeof r->version - used, "; LAPACK %d.%d.%d", major, minor, patch);
    r->threads = gemmnet_blas_threads();

    gn_cpu cpu;
    gn_cpu_identify(&cpu);
    snprintf(r->cpu_model, sizeof r->cpu_model, "%s", cpu.model_name);
    snprintf(r->cpu_vendor, sizeof r->cpu_vendor, "%s", cpu.vendor);
    r->cpu_family = cpu.family;
    r->cpu_model_number = cpu.model;

    provider(GEMM_SYMBOL, r->blas_library, sizeof r->blas_library);
    provider("sgels_", r->lapack_library, sizeof r->lapack_library);
    gn_blas_warning(r->backend, r->kernel, &cpu, coretype, r->warning, sizeof r->warning);
    return GEMMNET_OK;
}
