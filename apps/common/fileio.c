/*
 * rcprov — file helpers (fileio.h).
 *
 * Atomic replacement follows the usual POSIX recipe: write a temporary file
 * in the same directory, fsync it, rename it over the target (rename is
 * atomic within one file system), fsync the directory.  Without the first
 * fsync a crash after the rename can leave an empty file under the new
 * name; without the second the rename itself may be lost.
 */
#define _GNU_SOURCE /* syncfs(2): one flush for a whole deployment tree */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

#define REMOVE_DEPTH_MAX 64

static void set_err(char *err, size_t cap, const char *path, const char *what, int e)
{
    if (err == NULL || cap == 0)
        return;
    if (e)
        snprintf(err, cap, "%s: %s: %s", path, what, strerror(e));
    else
        snprintf(err, cap, "%s: %s", path, what);
}

int fio_read(const char *path, size_t max, uint8_t **buf, size_t *len, char *err, size_t cap)
{
    struct stat sb;
    uint8_t *b = NULL;
    size_t got = 0;
    int ret;
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ret = -errno;
        set_err(err, cap, path, "cannot open", errno);
        return ret;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        set_err(err, cap, path, "not a regular file", 0);
        close(fd);
        return -EINVAL;
    }
    if ((uint64_t)sb.st_size > max) {
        if (err && cap)
            snprintf(err, cap, "%s: larger than %zu bytes", path, max);
        close(fd);
        return -EFBIG;
    }
    b = malloc((size_t)sb.st_size + 1);
    if (b == NULL) {
        set_err(err, cap, path, "out of memory", 0);
        close(fd);
        return -ENOMEM;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, b + got, (size_t)sb.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ret = r < 0 ? -errno : -EIO;
            if (r < 0)
                set_err(err, cap, path, "read failed", errno);
            else
                set_err(err, cap, path, "read failed: file shrank while reading", 0);
            rcp_wipe(b, (size_t)sb.st_size);
            free(b);
            close(fd);
            return ret;
        }
        got += (size_t)r;
    }
    close(fd);
    b[got] = 0;
    *buf = b;
    *len = got;
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        done += (size_t)w;
    }
    return 0;
}

int fio_fsync_parent(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) >= sizeof dir)
        return -ENAMETOOLONG;
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int ret = fsync(fd) != 0 ? -errno : 0;
    close(fd);
    return ret;
}

int fio_write_atomic(const char *path, const void *data, size_t len, mode_t mode, int replace)
{
    char tmp[PATH_MAX];
    uint8_t rnd[8];
    char hex[17];
    int err = 0;
    if (rcp_rng_fill(rcp_rng_system(), rnd, sizeof rnd) != 0 ||
        rcp_hex_encode(rnd, sizeof rnd, hex, sizeof hex) != 0)
        return -EIO;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, hex) >= sizeof tmp)
        return -ENAMETOOLONG;
    /* O_EXCL|O_NOFOLLOW: a file of ours, never one planted at that name. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    err = write_all(fd, data, len);
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0) {
        if (replace) {
            if (rename(tmp, path) != 0)
                err = errno;
        } else if (link(tmp, path) != 0) { /* fails if path exists: no overwrite */
            err = errno;
        }
    }
    if (err != 0 || !replace)
        (void)unlink(tmp);
    if (err == 0)
        (void)fio_fsync_parent(path); /* the data is safe; only the name could be lost */
    return -err;
}

int fio_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    int err = write_all(fd, data, len);
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err)
        (void)unlink(path);
    return -err;
}

int fio_mkdirs(const char *path, mode_t mode)
{
    char p[PATH_MAX];
    struct stat sb;
    size_t n = strlen(path);
    if (n == 0)
        return -ENOENT;
    if (n >= sizeof p)
        return -ENAMETOOLONG;
    memcpy(p, path, n + 1);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    /* Each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= n; i++) {
        if (i < n && p[i] != '/')
            continue;
        char save = p[i];
        p[i] = '\0';
        if (mkdir(p, mode) != 0) {
            int e = errno;
            if (e != EEXIST) {
                p[i] = save;
                return -e;
            }
            if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                p[i] = save;
                return i == n ? -EEXIST : -ENOTDIR;
            }
        }
        p[i] = save;
    }
    return 0;
}

/* Remove name in the directory parent: a file or link at once, a directory after its
 * entries.  Descends by file descriptors with O_NOFOLLOW, so a link swapped
 * in for a directory is never followed out of the tree. */
static int remove_at(int parent, const char *name, int depth)
{
    if (unlinkat(parent, name, 0) == 0)
        return 0;
    if (errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -errno;
    if (depth >= REMOVE_DEPTH_MAX)
        return -ELOOP;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        int e = errno;
        close(fd);
        return -e;
    }
    int ret = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno)
                ret = -errno;
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        ret = remove_at(dirfd(d), de->d_name, depth + 1);
        if (ret)
            break;
    }
    closedir(d);
    if (ret == 0 && unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        ret = -errno;
    return ret;
}

int fio_remove_tree(const char *path)
{
    if (path == NULL || path[0] == '\0')
        return -EINVAL;
    return remove_at(AT_FDCWD, path, 0);
}

int fio_sync_fs(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int ret = syncfs(fd) != 0 ? -errno : 0;
    close(fd);
    return ret;
}

int app_errf(char *err, size_t cap, int ret, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return ret;
}
