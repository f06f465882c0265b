/*
 * rcprov — what every flow engine shares.
 *
 * A role engine is sans-I/O: the caller hands it one received message and
 * gets back the messages to send and what happened (rcp_step).  Engines
 * never open sockets, sleep, read the clock or draw randomness except
 * through the hooks in their configuration (rcp_clock, rcp_rng).
 *
 * Network functions keep no per-device memory between two messages except
 * in the store or in a sealed cookie (rcp_cookie_*) that travels with the
 * exchange: AES-128-GCM under a key only that function holds, bound to a
 * kind, an expiry and the device identity.
 */
#ifndef RCPROV_FLOW_H
#define RCPROV_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/cbor.h"
#include "rcprov/crypto.h"
#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ clock hook */
typedef struct {
    uint64_t (*now)(void *ctx); /* seconds since the Unix epoch */
    void *ctx;
} rcp_clock;

uint64_t rcp_clock_now(const rcp_clock *c);
/* The system clock (time(NULL)). */
const rcp_clock *rcp_clock_system(void);

/* A settable clock for tests and simulations. */
typedef struct {
    uint64_t t;
    rcp_clock clock; /* points back at this struct after rcp_fake_clock_init */
} rcp_fake_clock;
void rcp_fake_clock_init(rcp_fake_clock *fc, uint64_t t);

/* ------------------------------------------------------------ trace hook
 * For test-vector transcripts only: an engine given a trace emits its
 * intermediate values (ephemeral private keys, shared secrets, derived
 * keys, clear texts) by name.  Production configurations leave it NULL;
 * nothing else ever sees these values, and nothing logs them. */
typedef struct {
    void (*emit)(void *ctx, const char *name, const uint8_t *value, size_t len);
    void *ctx;
} rcp_trace;

static inline void rcp_trace_emit(const rcp_trace *t, const char *name, const uint8_t *v,
                                  size_t len)
{
    if (t && t->emit)
        t->emit(t->ctx, name, v, len);
}

/* --------------------------------------------------------- engine output */
#define RCP_MSG_MAX 2048 /* largest message any flow sends */
#define RCP_STEP_MAX_OUT 2

/* Where an output message goes; the transport maps these to peers. */
typedef enum {
    RCP_TO_NONE = 0,
    RCP_TO_REPLY = 1,  /* answer to the sender of the message being handled */
    RCP_TO_DEVICE = 2, /* to the device on whose behalf the exchange runs
                          (e.g. after a back-end answer) */
    RCP_TO_AUTHS = 3,  /* to the Authorization Server named in the exchange */
    RCP_TO_SN = 4,     /* from a device: to its Serving Network */
} rcp_dest;

typedef struct {
    rcp_dest to;
    char peer[254]; /* RCP_TO_AUTHS: the Authorization Server's FQDN */
    uint32_t type;  /* message type (rcprov/envelope.h registry) */
    size_t len;
    uint8_t buf[RCP_MSG_MAX];
} rcp_out_msg;

/* Operation counts, for the cost figures of a flow.  pkv_* count public-key
 * validations (SEC 1 2.3.4 point decoding + 3.2.2.1 public key validation,
 * TR-03111 3.2.2) of points the role did not make itself: compressed
 * points cost a square root more than uncompressed ones. */
typedef struct {
    uint32_t sign, verify, ecdh, keygen, seal, open;
    uint32_t pkv_compressed, pkv_uncompressed;
} rcp_op_counts;

/* a += b, field by field. */
void rcp_op_counts_add(rcp_op_counts *a, const rcp_op_counts *b);

/* The result of handling one message.  err is 0 or the RCP_ERR_* that
 * rejected the message; why says, for people, what was wrong (never a
 * secret).  A rejected message leaves the engine and the store unchanged;
 * the engine may still queue an error message for the peer. */
typedef struct {
    size_t n_out;
    rcp_out_msg out[RCP_STEP_MAX_OUT];
    int err;
    char why[192];
    int done;          /* the role finished its part of the flow */
    rcp_op_counts ops; /* public-key and AEAD operations done in this step */
} rcp_step;

void rcp_step_init(rcp_step *s);
/* Record a failure (first one wins); returns err for `return rcp_step_fail(...)`. */
int rcp_step_fail(rcp_step *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reserve the next output slot (NULL when full). */
rcp_out_msg *rcp_step_out(rcp_step *s, rcp_dest to, uint32_t type);

/* -------------------------------------------------------- error message
 * Common message type 1: { 1: code (int, a negative RCP_ERR_*), 2: reason }
 * sent to a peer whose message was rejected. */
#define RCP_MSG_ERROR 1u
#define RCP_ERROR_REASON_MAX 160

RCP_MUST_CHECK int rcp_error_msg_encode(int code, const char *reason, uint8_t *out, size_t cap,
                                        size_t *out_len);
/* A code received from a peer, as this side reports it: a known RCP_ERR_*
 * stays itself; 0, positive or unknown codes become RCP_ERR_PROTOCOL (a
 * peer cannot make an engine return a code outside the set it documents). */
int rcp_error_from_peer(int code);

/* Decode the body of an error message (the envelope's body cursor). */
RCP_MUST_CHECK int rcp_error_msg_decode(rcp_cbor_cursor *body, int *code, char *reason,
                                        size_t reason_cap);

/* --------------------------------------------------------------- cookie
 * cookie = iv (12) || AES-128-GCM(key, iv, aad = "rcprov cookie" || kind,
 *                                 plaintext) || tag (16)
 * The plaintext is the engine's CBOR state; it starts with the expiry, and
 * rcp_cookie_open refuses an expired cookie (RCP_ERR_EXPIRED) or one of
 * another kind or key (RCP_ERR_AUTH). */
#define RCP_COOKIE_KEY_LEN 16
#define RCP_COOKIE_OVERHEAD (12 + 16)
#define RCP_COOKIE_MAX 384

RCP_MUST_CHECK int rcp_cookie_seal(const uint8_t key[RCP_COOKIE_KEY_LEN], uint8_t kind,
                                   const rcp_rng *rng, const uint8_t *state, size_t state_len,
                                   uint8_t *out, size_t cap, size_t *out_len);
/* Decrypt into state (cap >= cookie_len - RCP_COOKIE_OVERHEAD). */
RCP_MUST_CHECK int rcp_cookie_open(const uint8_t key[RCP_COOKIE_KEY_LEN], uint8_t kind,
                                   const uint8_t *cookie, size_t cookie_len, uint8_t *state,
                                   size_t cap, size_t *state_len);

/* ------------------------------------------------------ padded CBOR
 * The seal suites' clear text is one CBOR item followed by 0..15 bytes of
 * 0xFF (docs/spec/crypto.md): find the item's length in msrc and check the
 * padding.  Exactly one prefix of a CBOR stream is a complete item, so the
 * split is unambiguous.  RCP_ERR_PADDING when no split is valid. */
RCP_MUST_CHECK int rcp_unpad_cbor(const uint8_t *msrc, size_t len, const rcp_cbor_limits *lim,
                                  size_t *item_len);

#ifdef __cplusplus
}
#endif
#endif
