/* Helpers shared by the cmocka tests; see support.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

/* ---- a counting allocator ------------------------------------------------ */

static void *counting_alloc(void *context, size_t size)
{
    counting_allocator *counter = context;
    counter->attempts++;
    counter->largest = size > counter->largest ? size : counter->largest;
    if (counter->attempts == counter->fail_on)
        return NULL;
    void *block = malloc(size);
    counter->allocations += block != NULL;
    return block;
}

static void counting_release(void *context, void *ptr)
{
    counting_allocator *counter = context;
    counter->releases++;
    free(ptr);
}

gemmnet_allocator counting_hooks(counting_allocator *counter)
{
    return (gemmnet_allocator){counting_alloc, counting_release, counter};
}

void assert_no_leak(const counting_allocator *counter, const char *what)
{
    if (counter->allocations != counter->releases)
        fail_msg("%s: %zu allocations but %zu releases", what, counter->allocations,
                 counter->releases);
}

/* ---- fixture files ------------------------------------------------------- */

/* Every fixture directory starts so; fixture_dir_remove removes no other. */
static const char fixture_prefix[] = "/tmp/gemmnet-";

int fixture_dir_create(char *dir, const char *name)
{
    int length = snprintf(dir, FIXTURE_DIR_SIZE, "%s%s-XXXXXX", fixture_prefix, name);
    if (length < 0 || length >= FIXTURE_DIR_SIZE || !mkdtemp(dir)) {
        dir[0] = '\0';
        return -1;
    }
    return 0;
}

/* Removes path: a directory with all it holds, or anything else (a link
 * itself, not what it points to). */
static int remove_tree(const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0)
        return -1;
    if (!S_ISDIR(info.st_mode))
        return unlink(path);
    DIR *listing = opendir(path);
    if (!listing)
        return -1;
    int status = 0;
    char child[1024];
    for (struct dirent *entry; (entry = readdir(listing)) != NULL;) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        int length = snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        if (length < 0 || (size_t)length >= sizeof child || remove_tree(child) != 0)
            status = -1;
    }
    closedir(listing);
    return rmdir(path) == 0 ? status : -1;
}

int fixture_dir_remove(const char *dir)
{
    size_t prefix = sizeof fixture_prefix - 1;
    if (strncmp(dir, fixture_prefix, prefix) != 0 || strchr(dir + prefix, '/') != NULL)
        return -1;
    return remove_tree(dir);
}

size_t fixture_dir_entries(const char *dir, const char *text)
{
    size_t count = 0;
    DIR *listing = opendir(dir);
    for (struct dirent *entry; listing && (entry = readdir(listing)) != NULL;) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count += strstr(entry->d_name, text) != NULL;
    }
    if (listing)
        closedir(listing);
    return count;
}

char *fixture_path(char *path, size_t size, const char *dir, const char *name)
{
    int length = snprintf(path, size, "%s/%s", dir, name);
    if (length < 0 || (size_t)length >= size)
        fail_msg("the path %s/%s does not fit in %zu bytes", dir, name, size);
    return path;
}

void write_file(const char *path, const void *bytes, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (!file) {
        fail_msg("cannot create %s: %s", path, strerror(errno));
        return;
    }
    size_t written = fwrite(bytes, 1, size, file);
    int error = written == size ? 0 : errno;
    if (fclose(file) != 0 && written == size)
        error = errno;
    if (written != size || error != 0)
        fail_msg("cannot write %zu bytes to %s: %s", size, path,
                 error ? strerror(error) : "short write");
}

unsigned char *try_read_file(const char *path, size_t *size)
{
    *size = 0;
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    size_t capacity = 4096, length = 0;
    unsigned char *bytes = malloc(capacity);
    /* Reads until fread comes up short (the end, or an error), keeping a
     * byte for the NUL. */
    while (bytes) {
        length += fread(bytes + length, 1, capacity - 1 - length, file);
        if (length < capacity - 1)
            break;
        unsigned char *grown = realloc(bytes, 2 * capacity);
        if (!grown)
            free(bytes);
        bytes = grown;
        capacity *= 2;
    }
    int failed = !bytes || ferror(file);
    fclose(file);
    if (failed) {
        free(bytes);
        return NULL;
    }
    bytes[length] = '\0';
    *size = length;
    return bytes;
}

unsigned char *read_file(const char *path, size_t *size)
{
    errno = 0;
    unsigned char *bytes = try_read_file(path, size);
    if (!bytes)
        fail_msg("cannot read %s: %s", path, strerror(errno));
    return bytes;
}

void expect_same_run_file(const char *a, const char *b, const char *what)
{
    size_t size_a, size_b;
    unsigned char *x = read_file(a, &size_a), *y = read_file(b, &size_b);
    if (size_a != size_b || memcmp(x, y, size_a) != 0)
        fail_msg("%s: the resumed run's file differs from the uninterrupted run's", what);
    free(x);
    free(y);
}
