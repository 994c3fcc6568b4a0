/* gemmnet info: which BLAS backend runs, with what kernel and threads, on
 * which CPU, and whether that looks wrong. */
#include "args.h"
#include "commands.h"

#include <gemmnet.h>
#include <string.h>

static const char info_help[] =
    "usage: gemmnet info\n\n"
    "Shows the BLAS backend gemmnet was built with (meson -Dblas=...), its\n"
    "version and configuration, the kernel it runs and how that was chosen,\n"
    "its thread count, the CPU, the shared objects that provide cblas_sgemm\n"
    "and LAPACK's sgels_, and a warning when the backend looks slow here.\n";

int cmd_info(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(info_help, stdout);
            return 0;
        }
        return cli_usage_error("info", "unexpected argument '%s'", argv[i]);
    }
    gemmnet_blas_report r;
    int status = gemmnet_blas_report_get(&r);
    if (status != GEMMNET_OK) {
        fprintf(stderr, "gemmnet info: %s\n", gemmnet_strerror(status));
        return EXIT_FAILURE_RUN;
    }
    printf("backend: %s\n", r.backend);
    printf("version: %s\n", r.version);
    printf("kernel:  %s (%s)\n", r.kernel, r.kernel_source);
    printf("threads: %d\n", (int)r.threads);
    if (r.cpu_family >= 0)
        printf("cpu:     %s (%s, family 0x%x, model 0x%x)\n", r.cpu_model, r.cpu_vendor,
               (unsigned)r.cpu_family, (unsigned)(r.cpu_model_number < 0 ? 0 : r.cpu_model_number));
    else
        printf("cpu:     %s\n", r.cpu_model);
    printf("blas:    %s\n", r.blas_library[0] ? r.blas_library : "(cblas_sgemm not found)");
    printf("lapack:  %s\n", r.lapack_library[0] ? r.lapack_library : "(sgels_ not found)");
    printf("warning: %s\n", r.warning[0] ? r.warning : "none");
    return 0;
}
