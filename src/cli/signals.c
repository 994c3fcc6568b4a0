/* Signals and the temporaries of saves in progress. */
#include "signals.h"

#include <gemmnet.h>
#include <signal.h>
#include <stddef.h>

/* Async-signal-safe throughout: the library's removal is, and the action
 * is back to the default (SA_RESETHAND), so the re-raised signal ends the
 * process once this handler returns. */
static void remove_temporaries_and_end(int signal_number)
{
    gemmnet_output_remove_temporaries();
    raise(signal_number);
}

void cli_handle_signals(void)
{
    static const int ending[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction action = {.sa_handler = remove_temporaries_and_end, .sa_flags = SA_RESETHAND};
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof ending / sizeof ending[0]; i++) {
        struct sigaction previous;
        /* nohup and background jobs ignore some: keep that. */
        if (sigaction(ending[i], NULL, &previous) == 0 && previous.sa_handler != SIG_IGN)
            sigaction(ending[i], &action, NULL);
    }
    signal(SIGXFSZ, SIG_IGN);
}
