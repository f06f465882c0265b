/*
 * rcprov — file helpers shared by the two programs: whole-file reads,
 * atomic writes, directory trees.
 *
 * Every function returns 0 or a negative errno value (-ENOENT, -EEXIST, ...),
 * so a caller can tell "absent" from "broken" and print strerror(-ret).
 */
#ifndef RCP_APP_FILEIO_H
#define RCP_APP_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read a whole regular file of at most max bytes.  On success *buf (malloc,
 * free it; wipe it first when it holds a secret) holds *len bytes plus a NUL
 * one byte past the end, so a text file can be used as a C string.  On
 * failure *buf is NULL, *len 0, and err (cap bytes, may be NULL) says
 * "PATH: cannot open: No such file or directory", "PATH: not a regular
 * file", "PATH: larger than N bytes", "PATH: out of memory" or "PATH: read
 * failed: ...".  Returns 0, -errno of open/read, -EINVAL (not a regular
 * file), -EFBIG (too large) or -ENOMEM. */
int fio_read(const char *path, size_t max, uint8_t **buf, size_t *len, char *err, size_t cap);

/* Write data to path whole or not at all: a temporary file beside it
 * ("PATH.tmp-<16 hex>"), created O_EXCL|O_NOFOLLOW with mode (a key is 0600
 * from its first byte), written, fsync'ed, then renamed over path (replace)
 * or linked to it (no replace: -EEXIST when path exists), and the parent
 * directory fsync'ed.  Nothing is left behind on failure.  Returns 0 or
 * -errno (-ENAMETOOLONG when the temporary name does not fit PATH_MAX). */
int fio_write_atomic(const char *path, const void *data, size_t len, mode_t mode, int replace);

/* Create path (O_EXCL|O_NOFOLLOW, with mode) and write data, without fsync:
 * for trees built in a temporary directory that is synced once and renamed
 * into place (deploy_create).  -EEXIST when path exists; a partly written
 * file is removed on failure. */
int fio_write_new(const char *path, const void *data, size_t len, mode_t mode);

/* mkdir -p: create path and its missing parents with mode.  An existing
 * directory is fine; an existing non-directory is -ENOTDIR (or -EEXIST for
 * the last component). */
int fio_mkdirs(const char *path, mode_t mode);

/* rm -rf without following symbolic links (a link is removed, not its
 * target).  A path that does not exist is 0.  Gives up below 64 levels
 * (-ELOOP). */
int fio_remove_tree(const char *path);

/* fsync the directory holding path (after a rename or link into it), so
 * the new name survives a power cut. */
int fio_fsync_parent(const char *path);

/* Flush the whole file system holding path (one syncfs instead of one
 * fsync per file of a tree written with fio_write_new). */
int fio_sync_fs(const char *path);

/* printf into err[0..cap) (when err and cap), then return ret: for
 * `return app_errf(err, cap, -1, "...", ...)`. */
int app_errf(char *err, size_t cap, int ret, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
