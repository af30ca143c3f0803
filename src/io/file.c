/* SPDX-License-Identifier: MIT */
#include "io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gru_status gru_file_read(const char *path, void **data, size_t *size) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return gru_error(GRU_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    const int stat_ok = fstat(fd, &st) == 0;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        const gru_status s = stat_ok ? gru_error(GRU_ERR_IO, "%s: not a regular file", path)
                                     : gru_error(GRU_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return s;
    }
    if ((unsigned long long)st.st_size > SIZE_MAX) {
        close(fd);
        return gru_error(GRU_ERR_IO, "%s: file too large", path);
    }
    const size_t n = (size_t)st.st_size;
    unsigned char *buf = NULL;
    if (n && !(buf = gru_malloc(n))) {
        close(fd);
        return gru_error(GRU_ERR_NOMEM, "%s: cannot allocate %zu bytes", path, n);
    }
    size_t got = 0;
    while (got < n) {
        const ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            const gru_status s = gru_error(GRU_ERR_IO, "%s: read failed after %zu of %zu bytes: %s", path, got, n,
                                           r ? strerror(errno) : "unexpected end of file");
            close(fd);
            gru_free(buf);
            return s;
        }
        got += (size_t)r;
    }
    close(fd);
    *data = buf;
    *size = n;
    return GRU_OK;
}

static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n) {
        const ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w, n -= (size_t)w;
    }
    return 1;
}

gru_status gru_file_write_atomic(const char *path, const gru_chunk *chunks, size_t n) {
    static atomic_uint counter;
    char tmp[4096];
    int fd = -1;
    /* O_EXCL on a name unique to this process and call; retry if a stale file holds it. */
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        const int len = snprintf(tmp, sizeof tmp, "%s.tmp%ld.%u", path, (long)getpid(), atomic_fetch_add(&counter, 1));
        if (len < 0 || (size_t)len >= sizeof tmp) return gru_error(GRU_ERR_IO, "%s: path too long", path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return gru_error(GRU_ERR_IO, "%s: cannot create a temporary file: %s", path, strerror(errno));
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) ok = write_all(fd, chunks[i].data, chunks[i].size);
    if (ok) ok = fsync(fd) == 0;
    int err = errno;
    if (close(fd) != 0 && ok) ok = 0, err = errno;
    if (ok && rename(tmp, path) != 0) ok = 0, err = errno;
    if (!ok) {
        unlink(tmp);
        return gru_error(GRU_ERR_IO, "%s: write failed: %s", path, strerror(err));
    }
    return GRU_OK;
}

gru_status gru_file_error(const char *file, gru_status s, const char *fmt, ...) {
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gru_error(s, "%s: %s", file, msg);
}
