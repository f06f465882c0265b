/*
 * Fuzz target: the message envelope decoder (rcprov/envelope.h).
 *
 * A decoded envelope has a registered type and version 1, its body is read
 * whole with the cursor, and encoding the same type around the same body
 * gives back the input exactly.  A refused input leaves the envelope
 * failing with the same error.
 */
#include "fuzz_walk.h"
#include "rcprov/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rcp_envelope env;
    rcp_cbor_diag d;
    int r = rcp_envelope_decode(&env, data, size, NULL, &d);
    if (r != 0) {
        FUZZ_ASSERT(env.body.err == r && env.type == 0 && env.version == 0);
        FUZZ_ASSERT(d.reason == env.body.diag.reason && d.offset <= size);
        if (d.reason == RCP_CBOR_VERSION || d.reason == RCP_CBOR_MSG_TYPE)
            FUZZ_ASSERT(r == RCP_ERR_UNSUPPORTED);
        else if (d.reason == RCP_CBOR_TYPE || d.reason == RCP_CBOR_COUNT)
            FUZZ_ASSERT(r == RCP_ERR_DECODE);
        else
            FUZZ_ASSERT(r == fuzz_reason_code(d.reason));
        return 0;
    }

    enum rcp_flow flow;
    FUZZ_ASSERT(env.version == RCP_ENVELOPE_VERSION);
    FUZZ_ASSERT(rcp_msg_type_flow(env.type, &flow) == 0 && flow == env.flow);
    FUZZ_ASSERT(rcp_flow_name(env.flow) != NULL);
    FUZZ_ASSERT(rcp_cbor_peek(&env.body) == RCP_CBOR_T_MAP);
    FUZZ_ASSERT(env.body.buf + env.body.len == data + size);

    /* same type around the same body: the input again, in exactly its size */
    uint8_t *out = malloc(size);
    size_t n = 0;
    FUZZ_ASSERT(out != NULL);
    FUZZ_ASSERT(rcp_envelope_encode(out, size, &n, env.type, env.body.buf, env.body.len, NULL) ==
                0);
    FUZZ_ASSERT(n == size && memcmp(out, data, size) == 0);

    /* and the body re-encoded item by item behind rcp_envelope_begin */
    size_t pairs = 0;
    rcp_cbor_cursor head = env.body;
    FUZZ_ASSERT(rcp_cbor_expect_map(&head, &pairs) == 0);
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, size);
    rcp_envelope_begin(&e, env.type, pairs);
    fuzz_walk(&head, &e);
    FUZZ_ASSERT(rcp_cbor_enc_finish(&e, &n) == 0);
    FUZZ_ASSERT(n == size && memcmp(out, data, size) == 0);
    free(out);

    /* one byte short of the size limit refuses it */
    rcp_cbor_limits lim = RCP_CBOR_LIMITS_DEFAULT;
    lim.max_size = size - 1;
    FUZZ_ASSERT(rcp_envelope_decode(&env, data, size, &lim, &d) == RCP_ERR_LIMIT);
    return 0;
}
