/* The CLI's standard streams: stdin as "-", the check of stdout before
 * exit, and when streaming output must be flushed. */
#include "streams.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *command_name = NULL;

void cli_set_command(const char *name)
{
    command_name = name;
}

const char *cli_command(void)
{
    return command_name;
}

/* "gemmnet train: " or "gemmnet: ". */
static void print_prefix(void)
{
    if (command_name)
        fprintf(stderr, "gemmnet %s: ", command_name);
    else
        fputs("gemmnet: ", stderr);
}

const char *cli_input_name(const char *path)
{
    return path && strcmp(path, "-") == 0 ? "<stdin>" : path;
}

/* ---- stdin as a file ---------------------------------------------------- */

/* The copy of stdin (once made) and the path that opens it again. */
static FILE *stdin_copy = NULL;
static char stdin_copy_path[64];

/* Copies the rest of stdin to copy; returns 0 or an errno value. */
static int copy_stdin(FILE *copy)
{
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, stdin)) > 0)
        if (fwrite(buffer, 1, n, copy) != n)
            return errno ? errno : EIO;
    if (ferror(stdin))
        return errno ? errno : EIO;
    return fflush(copy) == 0 ? 0 : (errno ? errno : EIO);
}

static bool stdin_claimed = false;

bool cli_claim_stdin(void)
{
    bool available = !stdin_claimed;
    stdin_claimed = true;
    return available;
}

const char *cli_input_path(const char *path, gemmnet_error *err)
{
    if (strcmp(path, "-") != 0)
        return path;
    if (!cli_claim_stdin()) {
        snprintf(err->message, sizeof err->message, "only one input can be - (stdin)");
        return NULL;
    }
    /* tmpfile's file has no name; /proc/self/fd/N opens it again, with
     * its own offset, as the library's readers expect of a path. */
    errno = 0;
    stdin_copy = tmpfile();
    int error = stdin_copy ? copy_stdin(stdin_copy) : (errno ? errno : EIO);
    if (error) {
        snprintf(err->message, sizeof err->message, "<stdin>: cannot copy to a temporary file: %s",
                 strerror(error));
        return NULL;
    }
    snprintf(stdin_copy_path, sizeof stdin_copy_path, "/proc/self/fd/%d", fileno(stdin_copy));
    return stdin_copy_path;
}

void cli_fix_message(gemmnet_error *err)
{
    if (!err || !stdin_copy)
        return;
    char fixed[sizeof err->message];
    size_t used = 0, length = strlen(stdin_copy_path);
    for (const char *p = err->message; *p && used + 8 < sizeof fixed;) {
        if (strncmp(p, stdin_copy_path, length) == 0) {
            memcpy(fixed + used, "<stdin>", 7);
            used += 7;
            p += length;
        } else {
            fixed[used++] = *p++;
        }
    }
    fixed[used] = '\0';
    memcpy(err->message, fixed, used + 1);
}

int cli_read_csv(gemmnet_dataset *data,
                 const char *path,
                 const gemmnet_csv_options *options,
                 gemmnet_error *err)
{
    const char *open_path = cli_input_path(path, err);
    if (!open_path) {
        *data = (gemmnet_dataset){0};
        return GEMMNET_E_IO;
    }
    int status = gemmnet_dataset_read_csv(data, open_path, options, NULL, err);
    cli_fix_message(err);
    return status;
}

/* ---- stdout ------------------------------------------------------------- */

static bool stdout_reported = false;

void cli_report_stdout_failure(int error)
{
    if (stdout_reported)
        return;
    stdout_reported = true;
    error = error ? error : (errno ? errno : EIO);
    print_prefix();
    fprintf(stderr, "standard output: write failed: %s\n", strerror(error));
}

bool cli_stdout_failed(void)
{
    return stdout_reported || ferror(stdout);
}

int cli_finish(int status)
{
    if (stdin_copy)
        fclose(stdin_copy);
    stdin_copy = NULL;
    errno = 0;
    bool failed = fflush(stdout) != 0 || ferror(stdout);
    int error = errno;
    /* A close can fail too (a full NFS volume reports it here). */
    if (fclose(stdout) != 0 && !failed) {
        failed = true;
        error = errno;
    }
    if (!failed)
        return status;
    cli_report_stdout_failure(error ? error : EIO);
    return status ? status : 1;
}

bool cli_input_is_file(FILE *in)
{
    struct stat st;
    return fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether in's buffer still holds unread bytes (glibc's FILE is public);
 * elsewhere, conservatively, never. */
static bool buffered(const FILE *in)
{
#ifdef __GLIBC__
    return in->_IO_read_ptr < in->_IO_read_end;
#else
    (void)in;
    return false;
#endif
}

bool cli_input_would_wait(FILE *in)
{
    if (buffered(in))
        return false;
    struct pollfd p = {.fd = fileno(in), .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}
