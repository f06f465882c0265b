/*
 * rcprov — a whole loopback deployment of uuid-attach in one directory, for
 * `rcprov demo`, the integration tests and the network bench
 * (docs/deploy.md): a fresh PKI, the Serving Network's, the Authorization
 * Server's and the SP's configurations, and N device state directories
 * (devstate.h).
 *
 *   DIR/pki/        ci.key ci.cbor pn.key pn.cbor tls-ca.key tls-ca.pem
 *   DIR/sn/         sn.conf ecka.key ecka.cbor ecdsa.key ecdsa.cbor tls.pem
 *                   op.hex cookie.key  (+ tls.key, a P-256 DTLS key, when the
 *                   curve is not P-256)
 *   DIR/auths/      auths.conf sign.key tls.pem
 *   DIR/sp/         sp.conf sp.key tls.pem
 *   DIR/devices/NNNNN/   device.conf tre.key tre.cbor pn.cbor ci.cbor
 *                        tre-secret.hex   (NNNNN: 00001, 00002, ...)
 *   DIR/devices.txt one line per device: "NNNNN UUIDHEX devices/NNNNN/tre.cbor"
 *
 * Relative paths inside a configuration are relative to its own directory,
 * so the tree can be moved.  Keys and secrets are mode 0600.  Certificates
 * are valid from now - 1 day for 10 years (system clock).
 */
#ifndef RCP_APP_DEPLOY_H
#define RCP_APP_DEPLOY_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/crypto.h"
#include "rcprov/rng.h"

#define DEPLOY_DEVICES_MAX 99999 /* five-digit device directories */
#define DEPLOY_SN_NAME "sn.001.01.rcprov.test"
#define DEPLOY_AUTHS_FQDN "auths.rcprov.test"
#define DEPLOY_SP_NAME "oem.rcprov.test"
#define DEPLOY_MSIN_FIRST 1000000000u

typedef struct {
    const char *dir;      /* created (must not exist, or be an empty directory) */
    size_t devices;       /* 1..DEPLOY_DEVICES_MAX */
    rcp_curve curve;      /* RCP_CURVE_P256 or RCP_CURVE_BP256R1 */
    rcp_seal_suite suite; /* the suite the devices offer first */
    const char *host;     /* IP literal or "localhost" both daemons listen on */
    uint16_t sn_port, auths_port;
    const char *sn_store, *auths_store; /* NULL: default (SQLite under the data dir); else a
                                           store URL written into the configuration */
    const char *log_level;              /* NULL: "info" */
    const rcp_rng *rng;
    void (*progress)(void *ctx, size_t done, size_t total); /* per device; may be NULL */
    void *progress_ctx;
} deploy_opts;

/* Build the deployment in a temporary directory beside DIR (DIR.tmp-<hex>),
 * flush it to disk once, and rename it to DIR: DIR appears complete or not
 * at all.  Missing parents of DIR are created.  Returns 0, or a negative
 * RCP_ERR_* with err (cap bytes) saying what failed:
 *   RCP_ERR_INVALID_ARG  an option out of its range (named in err)
 *   RCP_ERR_EXISTS       DIR exists and is not an empty directory
 *   RCP_ERR_IO           a file or directory cannot be made
 *   RCP_ERR_RNG, RCP_ERR_CRYPTO, RCP_ERR_NO_MEMORY  from key generation and
 *                        certificate issuance */
RCP_MUST_CHECK int deploy_create(const deploy_opts *o, char *err, size_t cap);

#endif
