/*
 * rcprov — in-process worlds for simulations, tests, vectors and benches.
 *
 * A uuid-attach world holds a fresh PKI (CI -> PN -> TRE certificates, the
 * SN's ECKA and ECDSA certificates), an Authorization Server, a Serving
 * Network with its HSS, an SP, and N devices, all in one process, with a
 * seeded DRBG and a fake clock: the same seed gives the same run.  Messages
 * travel over an in-process bus; a tap can watch, record, alter or drop
 * them (the adversary of the tests).
 */
#ifndef RCPROV_SIM_H
#define RCPROV_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/uuid_attach.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { RCP_NODE_DEVICE = 1, RCP_NODE_SN = 2, RCP_NODE_AUTHS = 3 } rcp_node;

/* Called for every message on the bus before delivery.  It may change
 * buf[0..*len) (cap RCP_MSG_MAX) or return non-zero to drop it. */
typedef int (*rcp_bus_tap)(void *ctx, size_t device, rcp_node from, rcp_node to, uint32_t type,
                           uint8_t *buf, size_t *len);

typedef struct {
    size_t devices;              /* number of devices (>= 1) */
    rcp_curve curve;             /* P-256 or brainpoolP256r1 */
    rcp_seal_suite suite;        /* the suite devices offer first */
    uint64_t seed;               /* DRBG seed */
    const char *dir;             /* NULL: in-memory stores; else SQLite files there */
    uint32_t max_authorizations; /* UUID policy (default 3) */
    uint64_t msin_count;         /* size of the SN's IMSI range (default devices + 16) */
} rcp_ua_world_opts;

typedef struct {
    size_t round_trips; /* device -> network messages answered */
    size_t bytes_up, bytes_down;
    rcp_op_counts device_ops;
    rcp_op_counts sn_ops;
    rcp_op_counts auths_ops;
} rcp_ua_run_stats;

typedef struct rcp_ua_world rcp_ua_world;

RCP_MUST_CHECK int rcp_ua_world_new(const rcp_ua_world_opts *o, rcp_ua_world **out);
void rcp_ua_world_free(rcp_ua_world *w);

/* The parts, for tests that poke at them. */
rcp_ua_device *rcp_ua_world_device(rcp_ua_world *w, size_t i);
const rcp_ua_sn *rcp_ua_world_sn(rcp_ua_world *w);
const rcp_ua_auths *rcp_ua_world_auths(rcp_ua_world *w);
rcp_store *rcp_ua_world_sn_store(rcp_ua_world *w);
rcp_store *rcp_ua_world_auths_store(rcp_ua_world *w);
rcp_fake_clock *rcp_ua_world_clock(rcp_ua_world *w);
const rcp_rng *rcp_ua_world_rng(rcp_ua_world *w);
/* The SP of the world (registers UUIDs). */
const rcp_ua_sp *rcp_ua_world_sp(rcp_ua_world *w);

/* Set the bus tap (NULL: none). */
void rcp_ua_world_set_tap(rcp_ua_world *w, rcp_bus_tap tap, void *ctx);

/* Called after each delivered message with the receiver's result (0, or
 * the RCP_ERR_* that rejected it) and its reason. */
typedef void (*rcp_bus_observer)(void *ctx, size_t device, rcp_node to, uint32_t type, int err,
                                 const char *why);
void rcp_ua_world_set_observer(rcp_ua_world *w, rcp_bus_observer obs, void *ctx);

/* Revoke device i's CERT.TRE: the PN issues a CRL listing it and the SN
 * takes it (the PN certificate is cached first). */
RCP_MUST_CHECK int rcp_ua_world_revoke_tre(rcp_ua_world *w, size_t i);

/* Issue a CERT.SN.ECKA for a fresh key under the world's CI with another
 * subject (a second, genuine SN), for "token made for another SN" tests. */
RCP_MUST_CHECK int rcp_ua_world_issue_other_sn_ecka(rcp_ua_world *w, uint8_t *out, size_t cap,
                                                    size_t *len);

/* Register device i's UUID at the AuthS through the SP (step 0-b). */
RCP_MUST_CHECK int rcp_ua_world_register(rcp_ua_world *w, size_t i, char *why, size_t why_cap);

/* Run device i from its current state until it is DONE, an error stops it,
 * or max_steps messages were exchanged.  Pending acknowledgements reach the
 * AuthS in the same run.  stats (may be NULL) are added to. */
RCP_MUST_CHECK int rcp_ua_world_run(rcp_ua_world *w, size_t i, rcp_ua_run_stats *stats, char *why,
                                    size_t why_cap);

/* Deliver one message to a node as the bus would (for replay tests):
 * answers are delivered onward as in a run; returns the first error. */
RCP_MUST_CHECK int rcp_ua_world_inject(rcp_ua_world *w, size_t device, rcp_node from, rcp_node to,
                                       const uint8_t *msg, size_t len, char *why, size_t why_cap);

/* Certificates of the world's PKI (compact encodings), for vectors. */
typedef enum {
    RCP_UA_CERT_CI = 1,
    RCP_UA_CERT_PN,
    RCP_UA_CERT_SN_ECKA,
    RCP_UA_CERT_SN_ECDSA,
} rcp_ua_cert_id;
RCP_MUST_CHECK int rcp_ua_world_cert(rcp_ua_world *w, rcp_ua_cert_id id, const uint8_t **cert,
                                     size_t *len);
/* Keys of the world (test keys). */
typedef enum {
    RCP_UA_KEY_CI = 1,
    RCP_UA_KEY_PN,
    RCP_UA_KEY_SN_ECKA,
    RCP_UA_KEY_SN_ECDSA,
    RCP_UA_KEY_AUTHS,
    RCP_UA_KEY_SP,
} rcp_ua_key_id;
const rcp_ec_key *rcp_ua_world_key(rcp_ua_world *w, rcp_ua_key_id id);

/* Trace hooks for vector transcripts (NULL: none). */
void rcp_ua_world_set_trace(rcp_ua_world *w, const rcp_trace *sn, const rcp_trace *device);

/* Device i's TRE credentials. */
const rcp_ua_tre_creds *rcp_ua_world_tre(rcp_ua_world *w, size_t i);

#ifdef __cplusplus
}
#endif
#endif
