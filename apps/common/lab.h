/*
 * rcprov — a loopback deployment brought up and down as a whole, for
 * `rcprov demo`, `rcprov bench uuid-attach --net` and the integration
 * tests: deployment directory (deploy.h), an Authorization Server and a
 * Serving Network as rcprovd processes, the SP's registrations, and the
 * devices loaded from their state directories, ready to run (netrun.h).
 */
#ifndef RCP_APP_LAB_H
#define RCP_APP_LAB_H

#include <stddef.h>
#include <stdint.h>

#include "devstate.h"
#include "launch.h"
#include "netrun.h"

typedef struct {
    size_t devices;
    rcp_curve curve;
    rcp_seal_suite suite;
    const char *dir;       /* NULL: a fresh temporary folder (removed by lab_down) */
    const char *base;      /* where that folder goes; NULL: $TMPDIR or /tmp */
    int keep;              /* keep dir at lab_down */
    int persist;           /* devices save state.cbor after every step */
    const char *log_level; /* of the daemons; NULL: info */
    int quiet;             /* no progress on stderr */
} lab_opts;

typedef struct {
    lab_opts o;
    char dir[4096];
    uint16_t sn_port, auths_port;
    launched auths, sn;
    rcp_net *net; /* the client side: SP and devices */
    spctx *sp;
    devstate **ds;
    netdev *devs; /* set up, not started */
    double t_setup_s, t_register_s;
} lab;

/* Build, start and register; 0 or -1 with err (everything undone). */
int lab_up(lab *L, const lab_opts *o, char *err, size_t cap);

typedef struct {
    int sn_status, auths_status; /* exit status of the daemons (0: clean stop) */
    int counted;                 /* the stores could be read */
    uint64_t sn_allocations, ledger_registrations, ledger_authorizations, ledger_acks;
} lab_result;

/* Stop the daemons (SIGTERM: in-flight exchanges finish), read their
 * stores, free everything, remove the folder unless kept. */
void lab_down(lab *L, lab_result *r);

/* The stores of a deployment directory: IMSIs allocated and ledger counts. */
int lab_count(const char *dir, lab_result *r, char *err, size_t cap);

#endif
