/* The common message envelope: [version, type, body] (docs/spec/cbor.md). */
#include <string.h>

#include "rcprov/envelope.h"

/* Flow names as in /docs and the CLI (seed-notes.md). */
static const char *const k_flow_names[RCP_FLOW_COUNT] = {
    [RCP_FLOW_COMMON] = "common",
    [RCP_FLOW_UUID_ATTACH] = "uuid-attach",
    [RCP_FLOW_EUICC_ATTACH] = "euicc-attach",
    [RCP_FLOW_KME] = "kme",
    [RCP_FLOW_MCIM] = "mcim",
    [RCP_FLOW_AKA_BOOTSTRAP] = "aka-bootstrap",
};

const char *rcp_flow_name(enum rcp_flow flow)
{
    if ((unsigned)flow >= RCP_FLOW_COUNT)
        return NULL;
    return k_flow_names[flow];
}

int rcp_flow_from_name(const char *name, enum rcp_flow *flow)
{
    *flow = RCP_FLOW_COMMON;
    if (name == NULL)
        return RCP_ERR_NOT_FOUND;
    for (unsigned i = 0; i < RCP_FLOW_COUNT; i++) {
        if (strcmp(name, k_flow_names[i]) == 0) {
            *flow = (enum rcp_flow)i;
            return 0;
        }
    }
    return RCP_ERR_NOT_FOUND;
}

int rcp_msg_type_flow(uint64_t type, enum rcp_flow *flow)
{
    *flow = RCP_FLOW_COMMON;
    if (type == 0 || type > RCP_MSG_TYPE_LAST(RCP_FLOW_COUNT - 1))
        return RCP_ERR_UNSUPPORTED;
    *flow = (enum rcp_flow)(type / RCP_MSG_TYPE_BLOCK);
    return 0;
}

static int env_fail(rcp_envelope *env, rcp_cbor_diag *diag, const rcp_cbor_cursor *c, int err,
                    enum rcp_cbor_reason why, size_t offset)
{
    memset(env, 0, sizeof *env);
    /* Keep the first error if the cursor already failed. */
    if (c->err) {
        err = c->err;
        why = c->diag.reason;
        offset = c->diag.offset;
    }
    env->body.err = err;
    env->body.diag.reason = why;
    env->body.diag.offset = offset;
    if (diag)
        *diag = env->body.diag;
    return err;
}

int rcp_envelope_decode(rcp_envelope *env, const uint8_t *msg, size_t len,
                        const rcp_cbor_limits *lim, rcp_cbor_diag *diag)
{
    rcp_cbor_cursor c;
    size_t n = 0;
    uint64_t version = 0, type = 0;
    enum rcp_flow flow = RCP_FLOW_COMMON;

    if (rcp_cbor_decode_init(&c, msg, len, lim) != 0)
        return env_fail(env, diag, &c, 0, RCP_CBOR_OK, 0);
    if (rcp_cbor_expect_array(&c, &n) != 0)
        return env_fail(env, diag, &c, 0, RCP_CBOR_OK, 0);
    if (n == 0)
        return env_fail(env, diag, &c, RCP_ERR_DECODE, RCP_CBOR_COUNT, 0);

    /* The version comes first so that any future layout is refused by its
     * version, not by whatever follows it. */
    size_t at = rcp_cbor_offset(&c);
    if (rcp_cbor_expect_uint(&c, &version) != 0)
        return env_fail(env, diag, &c, 0, RCP_CBOR_OK, 0);
    if (version != RCP_ENVELOPE_VERSION)
        return env_fail(env, diag, &c, RCP_ERR_UNSUPPORTED, RCP_CBOR_VERSION, at);
    if (n != RCP_ENVELOPE_FIELDS)
        return env_fail(env, diag, &c, RCP_ERR_DECODE, RCP_CBOR_COUNT, 0);

    at = rcp_cbor_offset(&c);
    if (rcp_cbor_expect_uint(&c, &type) != 0)
        return env_fail(env, diag, &c, 0, RCP_CBOR_OK, 0);
    if (rcp_msg_type_flow(type, &flow) != 0)
        return env_fail(env, diag, &c, RCP_ERR_UNSUPPORTED, RCP_CBOR_MSG_TYPE, at);

    at = rcp_cbor_offset(&c);
    if (rcp_cbor_peek(&c) != RCP_CBOR_T_MAP)
        return env_fail(env, diag, &c, RCP_ERR_DECODE, RCP_CBOR_TYPE, at);
    rcp_cbor_cursor body;
    if (rcp_cbor_enter(&c, &body) != 0 || rcp_cbor_expect_end(&c) != 0)
        return env_fail(env, diag, &c, 0, RCP_CBOR_OK, 0);

    env->version = (uint32_t)version;
    env->type = (uint32_t)type;
    env->flow = flow;
    env->body = body;
    if (diag) {
        diag->reason = RCP_CBOR_OK;
        diag->offset = 0;
    }
    return 0;
}

/* Array head, version and type: everything before the body. */
static void put_header(rcp_cbor_enc *e, uint32_t type)
{
    enum rcp_flow flow;
    if (e->err)
        return;
    if (e->len != 0 || e->depth != 0 || e->done) {
        e->err = RCP_ERR_STATE;
        e->diag.reason = RCP_CBOR_COUNT;
        e->diag.offset = e->len;
        return;
    }
    if (rcp_msg_type_flow(type, &flow) != 0) {
        e->err = RCP_ERR_INVALID_ARG;
        e->diag.reason = RCP_CBOR_MSG_TYPE;
        e->diag.offset = 0;
        return;
    }
    rcp_cbor_enc_array(e, RCP_ENVELOPE_FIELDS);
    rcp_cbor_enc_uint(e, RCP_ENVELOPE_VERSION);
    rcp_cbor_enc_uint(e, type);
}

void rcp_envelope_begin(rcp_cbor_enc *e, uint32_t type, size_t body_pairs)
{
    put_header(e, type);
    rcp_cbor_enc_map(e, body_pairs);
}

int rcp_envelope_encode(uint8_t *out, size_t cap, size_t *out_len, uint32_t type,
                        const uint8_t *body, size_t body_len, rcp_cbor_diag *diag)
{
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, cap);
    if (body == NULL || body_len == 0 || body[0] >> 5 != 5 /* major type 5: map */) {
        e.err = RCP_ERR_INVALID_ARG;
        e.diag.reason = RCP_CBOR_TYPE;
    }
    put_header(&e, type);
    rcp_cbor_enc_raw(&e, body, body_len); /* validates the body */
    int r = rcp_cbor_enc_finish(&e, out_len);
    if (diag)
        *diag = e.diag;
    return r;
}
