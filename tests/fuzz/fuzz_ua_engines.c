/*
 * Fuzz target: the uuid-attach engines' inputs (SN, Authorization Server,
 * device), the message decoders behind them included.
 *
 * The first byte picks the engine (and, for the device, the state it waits
 * in).  Any input must be answered or refused with a known error code,
 * never crash, never report success with a message the engine does not
 * take in that state, and never leave a secret in the reason.  The world is
 * built once (in-memory stores); accepted inputs may change it, which is
 * fine: the fuzzer cannot forge the signatures that gate every write.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_walk.h"
#include "rcprov/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rcp_ua_world *g_world;

static rcp_ua_world *world(void)
{
    if (g_world == NULL) {
        rcp_ua_world_opts o = {2, RCP_CURVE_P256, RCP_SUITE_GCM, 77, NULL, 3, 0};
        char why[256];
        if (rcp_ua_world_new(&o, &g_world) != 0 ||
            rcp_ua_world_register(g_world, 0, why, sizeof why) != 0)
            abort();
    }
    return g_world;
}

static int known(int err)
{
    return err <= 0 && err >= RCP_ERR_PROTOCOL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    rcp_ua_world *w = world();
    rcp_step s;
    int ret;
    switch (data[0] % 6) {
    case 0:
    case 1:
        ret = rcp_ua_sn_handle(rcp_ua_world_sn(w), data + 1, size - 1, &s);
        break;
    case 2:
        ret = rcp_ua_auths_handle(rcp_ua_world_auths(w), data + 1, size - 1, &s);
        break;
    default: {
        /* A copy of device 1 waiting in one of its four states. */
        static const rcp_ua_dev_state states[4] = {
            RCP_UA_DEV_WAIT_CHALLENGE, RCP_UA_DEV_WAIT_CREDENTIALS, RCP_UA_DEV_WAIT_AKA_CHALLENGE,
            RCP_UA_DEV_WAIT_AKA_RESULT};
        rcp_ua_device d = *rcp_ua_world_device(w, 1), before;
        d.state = states[(data[0] / 6) % 4];
        before = d;
        ret = rcp_ua_device_handle(&d, data + 1, size - 1, &s);
        /* A refused message leaves the device exactly as it was. */
        FUZZ_ASSERT(ret == 0 || memcmp(&d, &before, sizeof d) == 0);
        rcp_ua_device_wipe(&d);
        rcp_ua_device_wipe(&before);
        break;
    }
    }
    FUZZ_ASSERT(known(ret) && ret == s.err);
    FUZZ_ASSERT(s.n_out <= RCP_STEP_MAX_OUT);
    for (size_t i = 0; i < s.n_out; i++)
        FUZZ_ASSERT(s.out[i].len <= RCP_MSG_MAX);
    FUZZ_ASSERT(memchr(s.why, 0, sizeof s.why) != NULL);
    return 0;
}
