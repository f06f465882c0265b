/*
 * rcprov — CoAP transport (libcoap 3, OpenSSL DTLS) for role engines.
 *
 * The transport knows no flow.  A network function registers services:
 * a CoAP resource path and a handler with the engine signature (one
 * received message in, an rcp_step out).  For each POST the transport
 * calls the handler and routes its outputs:
 *   RCP_TO_REPLY, RCP_TO_DEVICE  -> the response to the pending request;
 *   any other destination        -> a POST to the peer named out->peer
 *                                   (rcp_net_add_peer), whose answer is fed
 *                                   back to the same handler, and so on
 *                                   until an output answers the request.
 * The pending request is transport state (a CoAP separate response), not
 * protocol state: engines stay stateless between messages.
 *
 * Payloads are rcprov envelopes (content-format application/octet-stream);
 * a handler that rejects without an error message for the sender gets a
 * 4.00 with its reason as diagnostic payload; an unreachable peer gives
 * 5.04 (timeout) or 5.02 (refused); while draining, new exchanges get 5.03.
 *
 * Confirmable messages with retransmission (RFC 7252 4.2) and
 * /.well-known/core (RFC 6690) come from libcoap; block-wise transfer
 * (RFC 7959, Block1 and Block2) of messages larger than block_size is done
 * here (libcoap 3.0's block mode loses data: docs/rcprovd.md).
 * Between network functions: DTLS 1.2 with X.509 certificates from one CA,
 * and the peer's leaf key must equal a key the configuration names
 * (the same keys that sign the flow's messages).
 */
#ifndef RCPROV_TRANSPORT_H
#define RCPROV_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/crypto.h"
#include "rcprov/flow.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rcp_net rcp_net;

typedef enum {
    RCP_LOG_ERROR = 0,
    RCP_LOG_WARN = 1,
    RCP_LOG_INFO = 2,
    RCP_LOG_DEBUG = 3,
} rcp_log_level;

/* Parse "error" | "warn" | "info" | "debug"; -1 if none. */
int rcp_log_level_from_name(const char *name);
const char *rcp_log_level_name(rcp_log_level l);

typedef void (*rcp_log_fn)(void *ctx, rcp_log_level level, const char *msg);

typedef struct {
    rcp_log_level log_level; /* messages above it are not produced */
    rcp_log_fn log;          /* NULL: stderr, "rcprovd: LEVEL: msg" */
    void *log_ctx;
    unsigned block_size;     /* largest payload of one datagram: 16..1024 (power of two);
                                0: 1024; larger messages go block-wise */
    unsigned ack_timeout_ms; /* first retransmission timeout; 0: 2000 (RFC 7252); at
                                least 1000 (libcoap 3.0 ignores shorter ones) */
    unsigned max_retransmit; /* 0: 4 (RFC 7252) */
    unsigned request_timeout_ms; /* a request without answer fails after; 0: 45000 */
    unsigned peer_nstart;    /* confirmable requests in flight on a session to a named
                                peer (RFC 7252 4.7 NSTART); 0: 1.  Network functions
                                that know each other raise it (rcprovd: 32). */
} rcp_net_opts;

void rcp_net_opts_default(rcp_net_opts *o);

/* A node's DTLS identity: its X.509 certificate, private key and the CA
 * that issued its peers' certificates, all PEM (copied; the key copy is
 * wiped on free). */
typedef struct {
    const char *cert_pem;
    size_t cert_pem_len;
    const char *key_pem;
    size_t key_pem_len;
    const char *ca_pem;
    size_t ca_pem_len;
} rcp_net_identity;

RCP_MUST_CHECK int rcp_net_new(const rcp_net_opts *o, rcp_net **out);
void rcp_net_free(rcp_net *n); /* NULL ok */

/* ------------------------------------------------------------- server */
typedef int (*rcp_net_handler)(void *ctx, const uint8_t *msg, size_t len, rcp_step *out);

/* Serve POST /path with handler (path: 1..63 of [a-z0-9-]).  dtls_only:
 * refuse (4.01) requests that did not come over an authenticated DTLS
 * session (the services network functions offer each other). */
RCP_MUST_CHECK int rcp_net_add_service(rcp_net *n, const char *path, rcp_net_handler h, void *ctx,
                                       int dtls_only);

/* Listen on host:port (IP literal; port 0 picks a free one, see
 * rcp_net_port).  id == NULL: plain CoAP over UDP.  id != NULL: CoAP over
 * DTLS, clients must present a certificate from id's CA whose key equals
 * one of accept[0..n_accept) (one DTLS listener identity per rcp_net). */
RCP_MUST_CHECK int rcp_net_listen(rcp_net *n, const char *host, uint16_t port,
                                  const rcp_net_identity *id, const rcp_ec_key *const *accept,
                                  size_t n_accept);
/* The port of the i-th listener (after port 0). */
uint16_t rcp_net_port(const rcp_net *n, size_t i);

/* A named peer for outputs with out->peer == name: POST coap[s]://host:port/path.
 * id != NULL: DTLS with that identity, and the peer's certificate key must
 * equal key. */
RCP_MUST_CHECK int rcp_net_add_peer(rcp_net *n, const char *name, const char *host, uint16_t port,
                                    const char *path, const rcp_net_identity *id,
                                    const rcp_ec_key *key);

/* Run fn every period_ms; its outputs go to peers as handler outputs do,
 * and the answers go to handler h (ctx hctx) of the service path. */
RCP_MUST_CHECK int rcp_net_add_timer(rcp_net *n, unsigned period_ms,
                                     int (*fn)(void *ctx, rcp_step *out), void *ctx,
                                     const char *service_path);

/* ------------------------------------------------------------- client */
/* Called once per request: err 0 and the answer's payload (a 2.xx), or
 * err != 0 (RCP_ERR_TIMEOUT, RCP_ERR_PROTOCOL for a 4.xx/5.xx with why
 * giving the code and diagnostic, RCP_ERR_IO). */
typedef void (*rcp_net_reply_fn)(void *ctx, int err, const uint8_t *msg, size_t len,
                                 const char *why);

/* POST msg to coap[s]://host:port/path (id != NULL: DTLS; key: expected
 * peer key or NULL to accept any certificate from id's CA).  Sessions are
 * kept per (destination, owner) and reused: owner NULL shares one session
 * per destination; a distinct owner (e.g. one simulated device) gets its
 * own session, i.e. its own UDP port, as a separate endpoint would.  A
 * session has at most one confirmable request in flight (NSTART = 1). */
RCP_MUST_CHECK int rcp_net_request(rcp_net *n, const char *host, uint16_t port, const char *path,
                                   const rcp_net_identity *id, const rcp_ec_key *key,
                                   const void *owner, const uint8_t *msg, size_t len,
                                   rcp_net_reply_fn cb, void *ctx);
/* Close the sessions of owner once nothing waits on them. */
void rcp_net_release(rcp_net *n, const void *owner);

/* ------------------------------------------------------------ the loop */
/* Process I/O and timers for at most timeout_ms (0: only what is ready). */
RCP_MUST_CHECK int rcp_net_run(rcp_net *n, unsigned timeout_ms);

/* Stop taking new exchanges (they get 5.03); exchanges in flight finish. */
void rcp_net_drain(rcp_net *n);
/* Server exchanges waiting for a peer plus client requests without answer. */
size_t rcp_net_in_flight(const rcp_net *n);

typedef struct {
    uint64_t requests_in;   /* POSTs handled */
    uint64_t responses_out; /* answers sent (any code) */
    uint64_t requests_out;  /* POSTs sent to peers or servers */
    uint64_t replies_in;    /* answers received */
    uint64_t failures;      /* requests that timed out or failed */
    uint64_t bytes_in, bytes_out; /* payload bytes */
} rcp_net_stats;
void rcp_net_get_stats(const rcp_net *n, rcp_net_stats *out);

#ifdef __cplusplus
}
#endif
#endif
