/* Writing the per-epoch training log (`gemmnet train --log FILE`),
 * atomically like every other output file of the CLI. */
#include "training_log.h"

#include "args.h"

FILE *train_log_open(const char *path, gemmnet_output **output, gemmnet_error *err)
{
    *output = NULL;
    cli_output_open(path, output, err);
    FILE *log = gemmnet_output_stream(*output);
    if (log)
        fputs(TRAIN_LOG_HEADER "\n", log);
    return log;
}

void train_log_write(FILE *log, const gemmnet_progress *p)
{
    fprintf(log, "%d,%.9g,%.9g,", (int)p->epoch, p->train.loss, p->train.accuracy);
    if (p->has_validation)
        fprintf(log, "%.9g,%.9g\n", p->validation.loss, p->validation.accuracy);
    else
        fputs(",\n", log);
}

int train_log_close(gemmnet_output *output)
{
    return cli_commit_output(output);
}
