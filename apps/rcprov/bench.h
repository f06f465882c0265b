/* rcprov bench — timing helpers shared by the benchmark commands.
 * Figures are ratios against primitives measured in the same run, because
 * the machines are shared and noisy; each figure is the median of rounds. */
#ifndef RCP_BENCH_H
#define RCP_BENCH_H

#include <stddef.h>

#include "rcprov/crypto.h"

#define BENCH_MAX_ROUNDS 15

/* One timed operation: returns 0, or an error that stops the measurement. */
typedef int (*bench_op)(void *ctx);

/* Run op repeatedly for about seconds; microseconds per call, or a negative
 * RCP_ERR_* if op failed (the error is printed with what). */
double bench_time_us(const char *what, bench_op op, void *ctx, double seconds);

/* Verifications per second of `openssl speed -mr -seconds S ecdsa<curve>`,
 * the OpenSSL primitive measured by OpenSSL's own tool; negative on error. */
double bench_openssl_speed_verify_per_s(rcp_curve curve, int seconds);

/* Median of n values (n <= BENCH_MAX_ROUNDS); sorts v in place. */
double bench_median(double *v, size_t n);

/* Progress line on stderr ("\r" updated) unless quiet. */
void bench_progress(int quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The Serving Network alone in this process (rcprov bench uuid-attach-sn):
 * median flows per second of rounds of n prepared flows. */
int bench_sn_inprocess(rcp_curve curve, size_t n, unsigned rounds, double *flows_per_s);

/* rcprov bench uuid-attach --net */
int bench_net_run(int argc, char **argv);

#endif
