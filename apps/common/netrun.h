/*
 * rcprov — client-side runs over CoAP shared by `rcprov sp register`,
 * `rcprov device`, `rcprov demo` and `rcprov bench uuid-attach --net`:
 * an SP registering UUIDs at an Authorization Server (CoAP over DTLS with
 * the SP's certificate; the REGISTER itself is signed by the SP's key), and
 * many devices run concurrently in one event loop.
 */
#ifndef RCP_APP_NETRUN_H
#define RCP_APP_NETRUN_H

#include <stddef.h>
#include <stdint.h>

#include "netdev.h"
#include "rcprov/transport.h"
#include "rcprov/uuid_attach.h"

/* An SP from its sp.conf:  [sp] name, key, tls_cert, tls_ca, auths = HOST:PORT */
typedef struct spctx spctx;
int sp_load(const char *conf_path, spctx **out, char *err, size_t cap);
void sp_free(spctx *sp);
/* The Authorization Server endpoint of sp.conf (override with host/port). */
void sp_set_auths(spctx *sp, const char *host, uint16_t port);

typedef struct {
    uint8_t uuid[RCP_UUID_LEN];
    uint8_t tre_kid[RCP_KID_LEN];
    int done;
    int err; /* 0 or RCP_ERR_* */
    int created; /* 1: new registration; 0: already registered (idempotent) */
    char why[192];
} sp_item;

/* Register every item (at most concurrency requests at a time) through
 * net; returns how many failed.  progress may be NULL. */
size_t sp_register_all(spctx *sp, rcp_net *net, sp_item *items, size_t n,
                       uint32_t max_authorizations, unsigned concurrency,
                       void (*progress)(void *ctx, size_t done, size_t n), void *ctx);

/* The TRE key id (CERT.TRE's subject key id) of a compact certificate file. */
int tre_kid_from_file(const char *path, uint8_t kid[RCP_KID_LEN], char *err, size_t cap);

/* Run devs[0..n) (each set up: net, host, port, dev, ...) with at most
 * concurrency in flight; returns how many failed.  *stop (may be NULL)
 * set to 1 ends the run early (unfinished devices count as failed).
 * tick (may be NULL) is called about 10 times a second. */
size_t netrun_devices(rcp_net *net, netdev *devs, size_t n, unsigned concurrency,
                      void (*tick)(void *ctx, size_t done, size_t ok, size_t failed), void *ctx,
                      volatile int *stop);

/* Percentile p (0..100) of v[0..n) (sorted in place). */
double netrun_percentile(double *v, size_t n, double p);

#endif
