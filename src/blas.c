/* The backend seam: the only file that includes a CBLAS header or knows
 * which BLAS library is linked. */
#include "internal.h"

#include <cblas.h>

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
    cblas_sgemm(CblasRowMajor,
                trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans,
                (int)m,
                (int)n,
                (int)k,
                alpha,
                a,
                (int)lda,
                b,
                (int)ldb,
                beta,
                c,
                (int)ldc);
}

GEMMNET_API const char *gemmnet_blas_name(void)
{
    return GEMMNET_BLAS_NAME;
}

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
#else
GEMMNET_API int gemmnet_blas_set_threads(int n)
{
    return n < 1 ? GEMMNET_E_INVALID : GEMMNET_OK;
}

GEMMNET_API int gemmnet_blas_threads(void)
{
    return 1;
}
#endif
