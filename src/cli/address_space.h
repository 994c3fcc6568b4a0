/* Refusing up front what an address-space limit (ulimit -v) would turn
 * into a hang: OpenBLAS 0.3.21 retries a failed buffer allocation forever,
 * in the first sgemm or in its thread shutdown at exit. */
#ifndef GEMMNET_CLI_ADDRESS_SPACE_H
#define GEMMNET_CLI_ADDRESS_SPACE_H

/* For a command that multiplies matrices (train, predict, eval, baseline,
 * plot, sweep, plot-hidden) under OpenBLAS: checks that the address space
 * left under RLIMIT_AS holds a buffer for each of OpenBLAS's threads.
 * Returns 0 to go on, else prints one line and ends the process with
 * status 1 (_exit: OpenBLAS's exit handler could hang too). */
int cli_check_address_space(const char *command);

#endif
