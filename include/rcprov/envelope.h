/*
 * rcprov — the message envelope shared by all five flows.
 *
 * Every rcprov message is one deterministic CBOR item (docs/spec/cbor.md):
 *
 *     envelope = [ version: uint, type: uint, body: { * int => any } ]
 *
 * version is RCP_ENVELOPE_VERSION; type is a message type from the registry
 * below, which gives each flow its own disjoint block of 32 numbers; body is
 * a map whose keys and values the flow's spec defines.  A decoder reads the
 * version first and stops there when it does not know it, so a later
 * version may change everything after the first element.
 */
#ifndef RCPROV_ENVELOPE_H
#define RCPROV_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/cbor.h"
#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RCP_ENVELOPE_VERSION 1u
#define RCP_ENVELOPE_FIELDS 3u

/* Message type registry: flow f owns types [32 f, 32 f + 31].  Type 0 is
 * never sent (a zeroed struct is not a message).  Types 192..255 are kept
 * for future flows; every registered type is below 256, so its head takes at
 * most two bytes. */
#define RCP_MSG_TYPE_BLOCK 32u
#define RCP_MSG_TYPE_FIRST(flow) ((uint32_t)(flow)*RCP_MSG_TYPE_BLOCK)
#define RCP_MSG_TYPE_LAST(flow) (RCP_MSG_TYPE_FIRST(flow) + RCP_MSG_TYPE_BLOCK - 1u)

enum rcp_flow {
    RCP_FLOW_COMMON = 0,        /* types 1..31: messages every flow may use */
    RCP_FLOW_UUID_ATTACH = 1,   /* 32..63   seed 000 */
    RCP_FLOW_EUICC_ATTACH = 2,  /* 64..95   seed 001 */
    RCP_FLOW_KME = 3,           /* 96..127  seed 002 */
    RCP_FLOW_MCIM = 4,          /* 128..159 seed 003 */
    RCP_FLOW_AKA_BOOTSTRAP = 5, /* 160..191 seed 004 */
};
#define RCP_FLOW_COUNT 6u

/* Envelope bytes around the body: array head, version, type (< 256). */
#define RCP_ENVELOPE_OVERHEAD_MAX 4u

/* Name of a flow as used in the CLI and the docs ("uuid-attach", ...;
 * "common" for RCP_FLOW_COMMON); NULL for a value outside the enum. */
const char *rcp_flow_name(enum rcp_flow flow);

/* Flow by name.  RCP_ERR_NOT_FOUND for an unknown name. */
RCP_MUST_CHECK int rcp_flow_from_name(const char *name, enum rcp_flow *flow);

/* Flow that owns a message type.  RCP_ERR_UNSUPPORTED when the type is 0 or
 * in no flow's block. */
RCP_MUST_CHECK int rcp_msg_type_flow(uint64_t type, enum rcp_flow *flow);

/* A decoded envelope.  body spans exactly the body map and is positioned
 * before its head: read it with rcp_cbor_expect_map() or look keys up with
 * rcp_cbor_map_find_int(); body.buf/body.len are the body's encoding.
 * Diagnostic offsets of the body cursor count from the start of the
 * message. */
typedef struct rcp_envelope {
    uint32_t version;
    uint32_t type;
    enum rcp_flow flow;
    rcp_cbor_cursor body;
} rcp_envelope;

/*
 * Decode msg[0..len) under lim (NULL: rcp_cbor defaults).  Checks, in order:
 *   the whole message is valid deterministic CBOR  (rcp_cbor_validate errors)
 *   an array of at least one item                 RCP_ERR_DECODE (TYPE/COUNT)
 *   version is a uint                             RCP_ERR_DECODE (TYPE)
 *   version == RCP_ENVELOPE_VERSION               RCP_ERR_UNSUPPORTED (VERSION)
 *   exactly three items                           RCP_ERR_DECODE (COUNT)
 *   type is a uint in a registered block          RCP_ERR_DECODE (TYPE) /
 *                                                 RCP_ERR_UNSUPPORTED (MSG_TYPE)
 *   body is a map                                 RCP_ERR_DECODE (TYPE)
 * diag (may be NULL) gets the reason and the offset of the failing item.  On
 * failure env is zeroed and env->body holds the error.
 */
RCP_MUST_CHECK int rcp_envelope_decode(rcp_envelope *env, const uint8_t *msg, size_t len,
                                       const rcp_cbor_limits *lim, rcp_cbor_diag *diag);

/*
 * Start a message in a fresh encoder: writes the array head, the version,
 * the type and a body map head of body_pairs pairs.  The caller then writes
 * exactly body_pairs key/value pairs (keys in ascending order) and calls
 * rcp_cbor_enc_finish().  A type outside the registry sets
 * RCP_ERR_INVALID_ARG (MSG_TYPE) in e; an encoder that already holds data
 * RCP_ERR_STATE (COUNT).
 */
void rcp_envelope_begin(rcp_cbor_enc *e, uint32_t type, size_t body_pairs);

/*
 * Wrap an already encoded body (one deterministic CBOR map) into a message
 * in out[0..cap); *out_len gets its length.  Errors: RCP_ERR_INVALID_ARG
 * (type outside the registry, or body not one valid map),
 * RCP_ERR_BUFFER_TOO_SMALL (needs at most body_len + RCP_ENVELOPE_OVERHEAD_MAX).
 * diag (may be NULL) gets the reason.
 */
RCP_MUST_CHECK int rcp_envelope_encode(uint8_t *out, size_t cap, size_t *out_len, uint32_t type,
                                       const uint8_t *body, size_t body_len, rcp_cbor_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
