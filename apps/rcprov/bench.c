/* Timing helpers for the rcprov bench commands (see bench.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_time_us(const char *what, bench_op op, void *ctx, double seconds)
{
    long n = 0, batch = 1;
    double start = now_s(), elapsed = 0;
    /* Batches grow so the clock is read rarely relative to the work. */
    while (elapsed < seconds) {
        for (long i = 0; i < batch; i++) {
            int ret = op(ctx);
            if (ret != 0) {
                fprintf(stderr, "bench: %s failed: %s\n", what, rcp_strerror(ret));
                return ret;
            }
        }
        n += batch;
        elapsed = now_s() - start;
        if (elapsed < seconds / 20 && batch < (1L << 20))
            batch *= 2;
    }
    return elapsed * 1e6 / (double)n;
}

double bench_openssl_speed_verify_per_s(rcp_curve curve, int seconds)
{
    const char *alg = curve == RCP_CURVE_P256      ? "ecdsap256"
                      : curve == RCP_CURVE_BP256R1 ? "ecdsabrp256r1"
                                                   : NULL;
    char cmd[128], line[256];
    double verify = -1;
    if (alg == NULL)
        return RCP_ERR_UNSUPPORTED;
    snprintf(cmd, sizeof cmd, "openssl speed -mr -seconds %d %s 2>/dev/null", seconds, alg);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return RCP_ERR_IO;
    /* Machine-readable result line: +F4:<index>:<bits>:<sign/s>:<verify/s> */
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, "+F4:", 4) != 0)
            continue;
        char *f = line;
        for (int field = 0; field < 4 && f; field++)
            f = strchr(f + 1, ':');
        if (f)
            verify = strtod(f + 1, NULL);
    }
    int rc = pclose(p);
    if (rc != 0 || !(verify > 0)) {
        fprintf(stderr, "bench: '%s' gave no verify rate (is the openssl package installed?)\n",
                cmd);
        return RCP_ERR_IO;
    }
    return verify;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_progress(int quiet, const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    fputs("\r\033[K", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}
