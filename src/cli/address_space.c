/* The address space OpenBLAS needs, checked before its first call. */
/* MAP_ANONYMOUS and MAP_NORESERVE. */
#define _DEFAULT_SOURCE
#include "address_space.h"

#include "args.h"

#include <gemmnet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* OpenBLAS's per-thread work buffer on x86-64 (BUFFER_SIZE, 32 << 22
 * bytes): each worker thread maps its own when the library loads (136 MiB
 * with its stack, measured), the calling thread at its first sgemm; plus
 * room for the rest of a small run. So what must be free before the first
 * sgemm is one buffer, whatever the thread count; measured, one thread
 * runs at ulimit -v 200000 and two at 360000. */
enum { BUFFER_MIB = 128, MARGIN_MIB = 4 };
/* What a process of T OpenBLAS threads takes, measured: 64 MiB of its own,
 * then 136 MiB (buffer and stack) per thread; 16 MiB more for a small run. */
enum { BASE_MIB = 80, THREAD_MIB = 136 };

static bool multiplies(const char *command)
{
    static const char *const names[] = {"train", "predict", "eval",       "baseline",
                                        "plot",  "sweep",   "plot-hidden"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(command, names[i]) == 0)
            return true;
    return false;
}

/* Whether bytes of address space are free now: a reservation that maps
 * nothing (PROT_NONE) still counts against RLIMIT_AS. */
static bool room_for(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    munmap(p, bytes);
    return true;
}

/* Starts this program again with one OpenBLAS thread: worker threads map
 * their buffers as the library loads, and one that failed retries forever
 * and blocks the exit of every command, even those that never multiply.
 * exec replaces the process, stuck thread and all. Returns on failure. */
static void restart_with_one_thread(char **argv)
{
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv);
}

int cli_check_address_space(const char *command, char **argv)
{
    struct rlimit limit;
    if (strcmp(gemmnet_blas_name(), "openblas") != 0 || getrlimit(RLIMIT_AS, &limit) != 0 ||
        limit.rlim_cur == RLIM_INFINITY)
        return 0;
    /* The workers map their buffers as they start, maybe after this
     * check: so for several threads the limit is compared with what they
     * will take, not probed. */
    int threads = gemmnet_blas_threads();
    if (threads > 1 && limit.rlim_cur >> 20 < (rlim_t)BASE_MIB + (rlim_t)threads * THREAD_MIB)
        restart_with_one_thread(argv);
    size_t need = (size_t)(BUFFER_MIB + MARGIN_MIB) << 20;
    if (room_for(need))
        return 0;
    if (!multiplies(command))
        return 0;
    fprintf(stderr,
            "gemmnet %s: the address-space limit (ulimit -v %llu KiB) leaves less than the %zu "
            "MiB OpenBLAS needs for a work buffer; raise the limit\n",
            command, (unsigned long long)(limit.rlim_cur >> 10), need >> 20);
    /* Not exit: OpenBLAS's shutdown would wait for a worker that may be
     * stuck retrying its own buffer. */
    fflush(NULL);
    _exit(EXIT_FAILURE_RUN);
}
