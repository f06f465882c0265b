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
    unsigned sn_instances, auths_instances; /* 1..LAB_MAX_INSTANCES each (0: 1) */
    const char *store;     /* store URL of every daemon (postgresql://...); NULL: SQLite
                              files shared by the instances of a role */
    unsigned max_authorizations; /* UUID policy at registration (0: 3) */
    unsigned client_ack_timeout_ms, client_request_timeout_ms; /* devices' CoAP (0: defaults) */
} lab_opts;

#define LAB_MAX_INSTANCES 4

typedef struct {
    lab_opts o;
    char dir[4096];
    uint16_t sn_port, auths_port; /* instance 0 */
    launched auths, sn;           /* instance 0 */
    unsigned n_sn, n_auths;
    uint16_t sn_ports[LAB_MAX_INSTANCES], auths_ports[LAB_MAX_INSTANCES];
    launched sns[LAB_MAX_INSTANCES], authss[LAB_MAX_INSTANCES]; /* instances 1.. */
    char daemon[4096];
    rcp_net *net; /* the client side: SP and devices */
    spctx *sp;
    devstate **ds;
    netdev *devs; /* set up, not started */
    double t_setup_s, t_register_s;
    uint64_t before[4]; /* with a store URL: allocations, registrations, authorizations,
                           acks already there before this run (lab_down subtracts) */
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

/* The store URL of a role of a deployment: store when given, else the
 * SQLite file under DIR/sn/data or DIR/auths/data. */
void lab_store_url(const char *dir, const char *store, int sn, char *out, size_t cap);

/* The stores of a deployment: IMSIs allocated and ledger counts (store:
 * the URL both roles use, or NULL for the SQLite files under dir). */
int lab_count(const char *dir, const char *store, lab_result *r, char *err, size_t cap);

/* The i-th instance of a role (0: the first). */
launched *lab_daemon(lab *L, int sn, unsigned i);
/* SIGKILL instance i of a role and start it again (crash tests). */
int lab_crash_restart(lab *L, int sn, unsigned i, char *err, size_t cap);

#endif
