/* The LAPACK factorisations gemmnet needs beyond GEMM, through LAPACKE:
 * QR for the orthogonal initialisation (net/init.c) and Cholesky for the
 * ridge baseline's normal equations (train/ridge.c). Kept apart from
 * blas.c because lapacke.h cannot share a file with blis.h. */
#include "blas/blas.h"

#include <lapacke.h>

int gn_orthonormal_columns(float *a, size_t m, size_t n, float *tau, float *signs)
{
    lapack_int info =
        LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, (lapack_int)m, (lapack_int)n, a, (lapack_int)n, tau);
    if (info != 0)
        return GEMMNET_E_INVALID;
    for (size_t j = 0; j < n; j++)
        signs[j] = a[j * n + j] < 0.0f ? -1.0f : 1.0f;
    info = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, (lapack_int)m, (lapack_int)n, (lapack_int)n, a,
                          (lapack_int)n, tau);
    if (info != 0)
        return GEMMNET_E_INVALID;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            a[i * n + j] *= signs[j];
    return GEMMNET_OK;
}

int gn_ridge_solve(float *g, float *r, size_t d1, size_t k, float l2)
{
    for (size_t i = 0; i + 1 < d1; i++)
        g[i * d1 + i] += l2;
    lapack_int info = LAPACKE_sposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)d1, (lapack_int)k, g,
                                    (lapack_int)d1, r, (lapack_int)k);
    return info == 0 ? GEMMNET_OK : GEMMNET_E_INVALID;
}
