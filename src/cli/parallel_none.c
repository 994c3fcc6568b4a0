/* The MPI seam of a build without MPI: always one process. */
#include "parallel.h"

#include <string.h>

void cli_parallel_init(int *argc, char ***argv, cli_parallel *p)
{
    (void)argc;
    (void)argv;
    *p = (cli_parallel){.rank = 0, .size = 1};
}

void cli_parallel_finalize(void)
{
}

int cli_parallel_first_failure(const cli_parallel *p, bool ok)
{
    (void)p;
    return ok ? -1 : 0;
}

void cli_parallel_sizes(const cli_parallel *p, size_t value, size_t *total, size_t *before)
{
    (void)p;
    *total = value;
    *before = 0;
}

int cli_parallel_gather(const cli_parallel *p, const void *mine, size_t size, void *all)
{
    (void)p;
    memcpy(all, mine, size);
    return 0;
}

int cli_parallel_gather_sizes(const cli_parallel *p,
                              const void *mine,
                              const size_t *sizes,
                              void *all)
{
    (void)p;
    memcpy(all, mine, sizes[0]);
    return 0;
}

gemmnet_collective cli_parallel_collective(const cli_parallel *p)
{
    (void)p;
    gemmnet_collective none;
    memset(&none, 0, sizeof none);
    return none;
}

bool cli_parallel_available(void)
{
    return false;
}
