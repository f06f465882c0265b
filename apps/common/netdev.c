/* A uuid-attach device over CoAP: netdev.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "netdev.h"

uint64_t netdev_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void progress(netdev *d, const char *what)
{
    if (d->progress)
        d->progress(d->progress_ctx, d, what);
}

static void finish(netdev *d, int err, const char *why)
{
    d->finished = 1;
    d->err = err;
    rcp_net_release(d->net, d);
    d->t_end_us = netdev_now_us();
    if (why != d->why)
        snprintf(d->why, sizeof d->why, "%.*s", (int)sizeof d->why - 1, why ? why : "");
    progress(d, err ? "failed" : "done");
}

/* Worth a fresh exchange from the saved state: the network or a peer, not
 * the protocol.  RCP_ERR_REPLAY too: a confirmable request retransmitted
 * while the SN was slow can reach it twice (CoAP servers need not cache
 * answers); the second copy is refused as a replay after the first one
 * took effect and its answer was lost.  A fresh exchange (a new attach, or
 * a new AKA once provisioned) is the way on. */
static int retryable(int err)
{
    return err == RCP_ERR_TIMEOUT || err == RCP_ERR_UNAVAILABLE || err == RCP_ERR_EXPIRED ||
           err == RCP_ERR_IO || err == RCP_ERR_REPLAY;
}

static void schedule_retry(netdev *d, int err, const char *why)
{
    unsigned max = d->max_attempts ? d->max_attempts : 5;
    if (d->attempts + 1 >= max) {
        char msg[sizeof d->why];
        snprintf(msg, sizeof msg, "%.200s (gave up after %u attempts)", why, d->attempts + 1);
        finish(d, err, msg);
        return;
    }
    d->attempts++;
    d->retry_at_ms = netdev_now_us() / 1000u + (d->retry_ms ? d->retry_ms : 500);
    snprintf(d->why, sizeof d->why, "%s", why);
    progress(d, "retrying");
}

static void on_reply(void *ctx, int err, const uint8_t *msg, size_t len, const char *why);

/* Persist, then send the step's message for the SN. */
static void send_step(netdev *d, const rcp_step *st)
{
    char err[256];
    rcp_op_counts_add(&d->ops, &st->ops);
    if (d->save && d->save(d->save_ctx, err, sizeof err) != 0) {
        finish(d, RCP_ERR_IO, err);
        return;
    }
    if (d->dev->state == RCP_UA_DEV_DONE) {
        finish(d, 0, NULL);
        return;
    }
    const rcp_out_msg *o = NULL;
    for (size_t i = 0; i < st->n_out && o == NULL; i++)
        if (st->out[i].to == RCP_TO_SN)
            o = &st->out[i];
    if (o == NULL) {
        finish(d, RCP_ERR_STATE, "the device has nothing to send");
        return;
    }
    /* Each device its own session (its own UDP port), as real devices are
     * separate endpoints: CoAP's NSTART = 1 holds per endpoint. */
    uint16_t port = d->n_ports ? d->ports[d->sent % d->n_ports] : d->port;
    d->sent++;
    int ret = rcp_net_request(d->net, d->host, port, "ua-sn", NULL, NULL, d, o->buf, o->len,
                              on_reply, d);
    if (ret) {
        schedule_retry(d, ret, "cannot send to the Serving Network");
        return;
    }
    d->waiting = 1;
    d->bytes_up += o->len;
}

static void begin(netdev *d)
{
    rcp_step st;
    int ret = rcp_ua_device_start(d->dev, &st);
    if (ret) {
        finish(d, ret, st.why);
        return;
    }
    progress(d, d->dev->state >= RCP_UA_DEV_PROVISIONED ? "aka" : "attach");
    send_step(d, &st);
}

static void on_reply(void *ctx, int err, const uint8_t *msg, size_t len, const char *why)
{
    netdev *d = ctx;
    d->waiting = 0;
    if (err) {
        schedule_retry(d, err, why ? why : rcp_strerror(err));
        return;
    }
    d->round_trips++;
    d->bytes_down += len;
    rcp_step st;
    int ret = rcp_ua_device_handle(d->dev, msg, len, &st);
    if (ret) {
        if (retryable(ret))
            schedule_retry(d, ret, st.why);
        else
            finish(d, ret, st.why);
        return;
    }
    if (d->dev->state == RCP_UA_DEV_PROVISIONED || d->dev->state == RCP_UA_DEV_WAIT_AKA_CHALLENGE)
        progress(d, "provisioned");
    send_step(d, &st);
}

int netdev_start(netdev *d)
{
    if (d == NULL || d->net == NULL || d->dev == NULL)
        return RCP_ERR_INVALID_ARG;
    d->finished = 0;
    d->err = 0;
    d->why[0] = 0;
    d->t_start_us = netdev_now_us();
    if (d->dev->state == RCP_UA_DEV_DONE) {
        finish(d, 0, "already provisioned and verified");
        return RCP_OK;
    }
    begin(d);
    return RCP_OK;
}

void netdev_poll(netdev *d)
{
    if (d->finished || d->waiting || d->retry_at_ms == 0)
        return;
    if (netdev_now_us() / 1000u < d->retry_at_ms)
        return;
    d->retry_at_ms = 0;
    begin(d);
}
