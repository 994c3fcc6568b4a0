/* Refusing up front what an address-space limit (ulimit -v) would turn
 * into a hang: OpenBLAS 0.3.21 retries a failed buffer allocation forever,
 * in the first sgemm or in its thread shutdown at exit. */
#ifndef GEMMNET_CLI_ADDRESS_SPACE_H
#define GEMMNET_CLI_ADDRESS_SPACE_H

/* Under OpenBLAS and a finite RLIMIT_AS that leaves no room for one more
 * work buffer: with several OpenBLAS threads, starts the program again
 * (argv) with OPENBLAS_NUM_THREADS=1, whose process needs 136 MiB less
 * and no worker can block its exit; then, for a command that multiplies
 * matrices (train, predict, eval, baseline, plot, sweep, plot-hidden),
 * prints one line and ends the process with status 1 (_exit: OpenBLAS's
 * exit handler could hang too). Returns 0 to go on. */
int cli_check_address_space(const char *command, char **argv);

#endif
