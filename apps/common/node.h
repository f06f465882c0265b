/*
 * rcprov — a daemon configuration loaded and its network roles built
 * (docs/config.md).
 *
 * node_load reads `rcprovd --config FILE`: [daemon] settings and any set of
 * roles ([sn]: uuid-attach Serving Network, [auths]: uuid-attach
 * Authorization Server) with their agreements.  Everything is checked
 * before the daemon touches the network: keys against their certificates,
 * certificates against their trust anchors and curves, secret files'
 * modes, ranges.  On success the role structures are ready for the engines
 * (rcp_ua_sn_handle, rcp_ua_auths_handle) and the transport
 * (rcp_net_listen, rcp_net_add_peer): stores open, system rng and clock.
 *
 * Everything the structures point to is owned by the node and lives until
 * node_free.
 */
#ifndef RCP_APP_NODE_H
#define RCP_APP_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "rcprov/transport.h"
#include "rcprov/uuid_attach.h"

#define NODE_HOST_MAX 64
#define NODE_PATH_MAX 4096
#define NODE_URL_MAX (NODE_PATH_MAX + 16)

/* An Authorization Server an SN has an agreement with ([auths-peer]). */
typedef struct node_peer {
    char name[RCP_UA_FQDN_MAX + 1]; /* FQDN the SN engine names in out->peer */
    char host[NODE_HOST_MAX];       /* IP literal ("localhost" becomes 127.0.0.1) */
    uint16_t port;
    rcp_ec_key *key; /* its key (from cert): DTLS peer key and authorization key */
} node_peer;

typedef struct node {
    char path[NODE_PATH_MAX];     /* the config file, as given */
    rcp_net_opts net;             /* log_level and block_size from [daemon]; the
                                     other fields 0 (the transport's defaults) */
    char data_dir[NODE_PATH_MAX]; /* absolute unless the config's directory
                                     could not be resolved; exists, created 0700 */
    unsigned drain_seconds;

    /* ---------------------------------------------- [sn] */
    int has_sn;
    char sn_name[RCP_UA_FQDN_MAX + 1]; /* for logs (default: CERT.SN.ECDSA subject) */
    char sn_host[NODE_HOST_MAX];       /* CoAP over UDP listener (IP literal) */
    uint16_t sn_port;
    char sn_store_url[NODE_URL_MAX]; /* as opened, for logs */
    rcp_ua_sn sn;                    /* ready to use: creds, trust, auths agreements, store */
    rcp_net_identity sn_id;          /* PEM of tls_cert, tls_key (default ecdsa_key),
                                        tls_ca (owned) */
    node_peer *peers;                /* [auths-peer] in file order */
    size_t n_peers;

    /* ---------------------------------------------- [auths] */
    int has_auths;
    char auths_host[NODE_HOST_MAX]; /* CoAP over DTLS listener (IP literal) */
    uint16_t auths_port;
    char auths_store_url[NODE_URL_MAX];
    rcp_ua_auths auths;        /* ready to use, store open */
    rcp_net_identity auths_id; /* PEM of its tls_cert, key, tls_ca (owned) */
    const rcp_ec_key **accept; /* DTLS client keys the AuthS accepts: per
                                  sn-agreement the key of its tls_cert, or its
                                  ECDSA key without one; then every sp-agreement key */
    size_t n_accept;

    /* ---------------------------------------------- owned (use the fields above) */
    rcp_ec_key *sn_ecka_key, *sn_ecdsa_key;
    rcp_ec_key *sn_tls_key; /* [sn] tls_key; NULL without (the DTLS key is sn_ecdsa_key) */
    uint8_t sn_cert_ecka[RCP_CCERT_MAX_LEN], sn_cert_ecdsa[RCP_CCERT_MAX_LEN];
    rcp_ua_sn_creds sn_creds;
    rcp_ccert_store *sn_trust;
    rcp_ua_auths_agreement *sn_agreements; /* n_peers of them, same order as peers */
    char sn_mcc[4], sn_mnc[4];
    uint8_t sn_op[16]; /* secret */
    uint8_t sn_cookie_key_accept[RCP_COOKIE_KEY_LEN]; /* secret; see cookie_key_accept_file */
    rcp_milenage_consts sn_consts;
    rcp_ec_key *auths_key;
    char auths_fqdn[RCP_UA_FQDN_MAX + 1];
    char auths_destination[RCP_UA_FQDN_MAX + 1];
    rcp_ua_sn_agreement *auths_sns;
    rcp_ec_key **auths_sn_tls; /* auths.n_sns: the key of [sn-agreement] tls_cert,
                                  NULL where it has none */
    rcp_ua_sp_agreement *auths_sps;
} node;

/* Load the configuration at path and build its roles.  0, or -1 with err
 * (one line naming file:line, [section] and key, e.g. "sn.conf:12: [sn]
 * msin_last: not a number between 1 and 9999999999"); *out is NULL then. */
int node_load(const char *path, node **out, char *err, size_t cap);

/* Close the stores and free everything, wiping secrets (key PEMs, OP,
 * cookie key).  NULL ok. */
void node_free(node *n);

#endif
