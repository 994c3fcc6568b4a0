/*
 * src/blas/: the seam to the linear-algebra providers — the one sgemm every
 * layer product goes through (blas.c, the only file that includes a CBLAS
 * header), what the CPU is (cpu.c), and the LAPACK factorisations the
 * initialisation and the ridge baseline need (lapack.c, the only file that
 * includes lapacke.h). Private.
 */
#ifndef GEMMNET_BLAS_H
#define GEMMNET_BLAS_H

#include "base/base.h"

#include <stdint.h>

/* ---- the BLAS seam (blas.c) ----------------------------------------- */

/* C[m×n] = alpha·op(A)·op(B) + beta·C, row-major, where op(A) is m×k
 * (A stored k×m when trans_a) and op(B) is k×n (B stored n×k when
 * trans_b). All dimensions must fit in int; callers guarantee it. */
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
              size_t ldc);

/* What the backend dispatches on. */
typedef struct gn_cpu {
    char vendor[16];
    char model_name[96];
    /* Family and model numbers, −1 until found. */
    int32_t family;
    int32_t model;
    /* Whether the flags list avx2 / avx512f. */
    bool avx2;
    bool avx512f;
} gn_cpu;

/* Sets cpu to "unknown", −1, false. */
void gn_cpu_clear(gn_cpu *cpu);
/* Takes one line of /proc/cpuinfo into cpu; false at the blank line that
 * ends the first processor's block (stop reading there). */
bool gn_cpu_parse_line(gn_cpu *cpu, const char *line);
/* Reads /proc/cpuinfo into cpu (left clear if it cannot be read). */
void gn_cpu_identify(gn_cpu *cpu);
/* The report's warning for backend running kernel on cpu, given
 * OPENBLAS_CORETYPE (NULL when unset): "" when nothing is wrong. */
void gn_blas_warning(const char *backend,
                     const char *kernel,
                     const gn_cpu *cpu,
                     const char *coretype,
                     char *out,
                     size_t size);

/* ---- matrix-vector products and the plain GEMM (blas.c) ------------- */

/* y = alpha·op(A)·x + beta·y with A[rows×cols] row-major (lda), op(A) = Aᵀ
 * when trans; x and y contiguous. gn_sgemm sends single rows here. */
void gn_sgemv(bool trans,
              size_t rows,
              size_t cols,
              float alpha,
              const float *a,
              size_t lda,
              const float *x,
              float beta,
              float *y);

/* gn_sgemm without the single-row shortcut: the backend's GEMM for every
 * shape (the bench compares the two). */
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
                   size_t ldc);

/* Makes the calling pool thread's BLAS single-threaded where the backend
 * keeps that per thread (oneDNN's OpenMP); called by each pool thread. */
void gn_blas_worker_init(void);

/* ---- LAPACK (lapack.c) ---------------------------------------------- */

/* Q[m×n] (m ≥ n) with orthonormal columns from a[m×n] in place: a = QR,
 * then Q's column j is multiplied by sign(R_jj) so that for a randn matrix
 * the result is uniformly distributed (Haar). tau[n] and signs[n] are
 * scratch. GEMMNET_E_INVALID if LAPACK reports a failure. */
int gn_orthonormal_columns(float *a, size_t m, size_t n, float *tau, float *signs);

/* Solves (G + λI′)·B = R in place for B[d1×k] (written over r), with
 * G[d1×d1] symmetric positive definite after the shift (Cholesky) and I′
 * the identity without its last diagonal entry (the intercept is not
 * regularised). GEMMNET_E_INVALID if G + λI′ is not positive definite. */
int gn_ridge_solve(float *g, float *r, size_t d1, size_t k, float l2);

#endif /* GEMMNET_BLAS_H */
