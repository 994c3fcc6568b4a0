/*
 * The link between two MPI ranks, measured: `mpirun -n 2 build/bench/link`.
 *
 * Ping-pong of S bytes between ranks 0 and 1, S from 8 B to 4 MiB; the
 * one-way time t(S) is half the best round trip of many. The model
 * t(S) = α + S/β of bench/scaling (--alpha µs, --beta GB/s) is read off
 * as Hockney does: α = t(8 B), and 1/β the least-squares slope of t over
 * the sizes from 64 KiB up (one line fitted to all sizes lets the large
 * ones set α, even below zero).
 * Rank 0 prints each size, then one line `alpha_us A beta_gbs B` that
 * bench/mpi-network reads.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SIZES = 20, MAX_BYTES = 4 << 20 };

/* Best one-way time of `bytes` over `rounds` round trips. */
static double one_way(char *buf, int bytes, int rank, int rounds)
{
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        if (rank == 0) {
            MPI_Send(buf, bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(buf, bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (rank == 1) {
            MPI_Recv(buf, bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
        }
        double t = (MPI_Wtime() - start) / 2;
        best = t < best ? t : best;
    }
    return best;
}

/* 1/β: the least-squares slope of t over the n points (S[i], t[i]). */
static double bandwidth(const double *s, const double *t, int n)
{
    double ms = 0, mt = 0, sst = 0, sss = 0;
    for (int i = 0; i < n; i++) {
        ms += s[i] / n;
        mt += t[i] / n;
    }
    for (int i = 0; i < n; i++) {
        sst += (s[i] - ms) * (t[i] - mt);
        sss += (s[i] - ms) * (s[i] - ms);
    }
    return sss / sst;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2) {
        if (rank == 0)
            fprintf(stderr, "link: needs 2 ranks (mpirun -n 2)\n");
        MPI_Finalize();
        return 1;
    }
    char *buf = calloc(MAX_BYTES, 1);
    double s[SIZES], t[SIZES];
    int n = 0;
    for (int bytes = 8; bytes <= MAX_BYTES && n < SIZES; bytes *= 2, n++) {
        /* Fewer rounds for big messages: each costs more. */
        int rounds = bytes >= (1 << 20) ? 5 : 50;
        s[n] = bytes;
        t[n] = one_way(buf, bytes, rank, rounds);
        if (rank == 0)
            printf("%10d B  %10.2f µs one way  %8.3f GB/s\n", bytes, t[n] * 1e6,
                   bytes / t[n] / 1e9);
    }
    int large = 0; /* the first size of at least 64 KiB */
    while (large < n && s[large] < 65536)
        large++;
    double alpha = t[0], beta = bandwidth(s + large, t + large, n - large);
    if (rank == 0)
        printf("alpha_us %.2f beta_gbs %.4f\n", alpha * 1e6, beta / 1e9);
    free(buf);
    MPI_Finalize();
    return 0;
}
