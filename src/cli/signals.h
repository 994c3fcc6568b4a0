/* What the gemmnet command does on signals that would end it mid-write. */
#ifndef GEMMNET_CLI_SIGNALS_H
#define GEMMNET_CLI_SIGNALS_H

/* SIGXFSZ (a file size limit, ulimit -f) is ignored, so that the write
 * fails with EFBIG and the save reports it. SIGINT, SIGTERM and SIGHUP
 * (unless ignored already) remove the temporaries of the saves in
 * progress, then end the process by the same signal. */
void cli_handle_signals(void);

#endif
