/*
 * rcprov — a uuid-attach device driven over CoAP (rcprov/transport.h).
 *
 * Runs one rcp_ua_device against a Serving Network at coap://host:port/ua-sn
 * until it is DONE (provisioned and AKA verified) or fails.  Many netdevs
 * share one rcp_net and run concurrently in its loop.  After every engine
 * step the state is saved (the save hook, if set) before the next message
 * leaves, so a device killed at any point resumes from its last saved
 * state (rcp_ua_device_start restarts the attach, or the AKA once
 * provisioned).  Transport failures and "try again" answers restart the
 * exchange after a pause, at most max_attempts times.
 */
#ifndef RCP_APP_NETDEV_H
#define RCP_APP_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/transport.h"
#include "rcprov/uuid_attach.h"

typedef struct netdev netdev;

struct netdev {
    /* set by the caller */
    rcp_net *net;
    char host[64];
    uint16_t port;
    uint16_t ports[4]; /* several SN instances: successive messages rotate over
                          ports[0..n_ports) (n_ports 0: port) */
    size_t n_ports;
    rcp_ua_device *dev;
    int (*save)(void *ctx, char *err, size_t cap); /* NULL: nothing persisted */
    void *save_ctx;
    void (*progress)(void *ctx, netdev *d, const char *what); /* may be NULL */
    void *progress_ctx;
    unsigned max_attempts;  /* 0: 5 */
    unsigned retry_ms;      /* pause before a restart; 0: 500 */

    /* results */
    int finished; /* 1 once done or failed */
    int err;      /* 0: DONE; else the RCP_ERR_* that stopped it */
    char why[256];
    unsigned attempts;      /* restarts after failures */
    size_t round_trips;     /* answered device -> SN messages */
    size_t bytes_up, bytes_down;
    uint64_t t_start_us, t_end_us;
    rcp_op_counts ops; /* the device's public-key operations */

    /* internal */
    uint64_t retry_at_ms;
    int waiting;
    size_t sent;
};

/* Start (or resume) the device: sends its first message. */
int netdev_start(netdev *d);
/* Restart a device whose pause is over (call from the loop). */
void netdev_poll(netdev *d);

uint64_t netdev_now_us(void);

#endif
