/*
 * rcprov — uuid-attach (seed 000_4c909974a3ce6a51): a device with no
 * subscription attaches with a UUID, the Authorization Server authorizes,
 * the Serving Network and the device's TRE authenticate each other with
 * certificates and ECDH, and the SN delivers IMSI, K, OPc and Milenage
 * parameters sealed to the TRE; the device proves them by EPS AKA.
 *
 * Byte-exact specification, every decision and the hardening against the
 * seed's weaknesses: docs/spec/uuid-attach.md.  Roles are sans-I/O engines
 * (rcprov/flow.h): SP/OEM, device (ME + TRE), Serving Network (with its
 * HSS), Authorization Server.
 */
#ifndef RCPROV_UUID_ATTACH_H
#define RCPROV_UUID_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/aka.h"
#include "rcprov/cert.h"
#include "rcprov/flow.h"
#include "rcprov/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------ message types (32..63) */
enum rcp_ua_msg {
    RCP_UA_ATTACH_REQUEST = 32,  /* device -> SN    step 1 */
    RCP_UA_SN_CHALLENGE = 33,    /* SN -> device    step 4 */
    RCP_UA_TRE_CREDENTIALS = 34, /* device -> SN    step 5 */
    RCP_UA_SN_CREDENTIALS = 35,  /* SN -> device    step 7 */
    RCP_UA_AKA_ATTACH = 36,      /* device -> SN    AKA proof: attach with the IMSI */
    RCP_UA_AKA_CHALLENGE = 37,   /* SN -> device    RAND, AUTN */
    RCP_UA_AKA_RESPONSE = 38,    /* device -> SN    RES or AUTS */
    RCP_UA_AKA_RESULT = 39,      /* SN -> device    success + KASME confirmation */
    RCP_UA_AUTHZ_REQUEST = 40,   /* SN -> AuthS     step 2 (after the TRE is authenticated) */
    RCP_UA_AUTHZ_RESPONSE = 41,  /* AuthS -> SN     step 3 */
    RCP_UA_ACK = 42,             /* SN -> AuthS     step 9, after AKA succeeded */
    RCP_UA_ACK_RESPONSE = 43,    /* AuthS -> SN */
    RCP_UA_REGISTER = 44,        /* SP -> AuthS     step 0-b */
    RCP_UA_REGISTER_RESPONSE = 45,
};

/* Signed-object labels (rcprov/cert.h registry, flow block 32..63). */
enum rcp_ua_label {
    RCP_UA_LABEL_ATK_TRE = 32,   /* ATK.TRE.ECDHE */
    RCP_UA_LABEL_ATK_SN = 33,    /* ATK.SN.ECDHE */
    RCP_UA_LABEL_AUTHZ_REQ = 34, /* Initial Attach Service Request, signed by the SN */
    RCP_UA_LABEL_AUTHZ = 35,     /* authorization, signed by the AuthS */
    RCP_UA_LABEL_ACK = 36,       /* Initial Attach Service Acknowledge, signed by the SN */
    RCP_UA_LABEL_REGISTER = 37,  /* UUID registration, signed by the SP */
};

#define RCP_UA_SLICE_INITIAL_ATTACH 1u /* "Slice Select Type" of step 1 */
#define RCP_UA_FQDN_MAX 253
#define RCP_UA_HASH_LEN 16 /* transcript hashes: first 16 bytes of SHA-256 */
#define RCP_UA_CX_MAX 256  /* CX_PARAMETERS clear text */
#define RCP_UA_CERT_MAX RCP_CCERT_MAX_LEN

/* ------------------------------------------------------------- UUID
 * UUID_UE = AES-128[K_TRESI](Rand (48 bits) || CATV (32 bits) || SN (48 bits))
 * (the seed's 64 + 32 + 48 = 144 bits do not fit a block; see the spec). */
#define RCP_UA_CATV_LEN 4
#define RCP_UA_TRE_SN_MAX ((UINT64_C(1) << 48) - 1)

RCP_MUST_CHECK int rcp_ua_uuid_generate(const uint8_t k_tresi[16], const uint8_t catv[4],
                                        uint64_t tre_serial, const rcp_rng *rng,
                                        uint8_t uuid[RCP_UUID_LEN]);
/* Decrypt a UUID with K_TRESI: RCP_ERR_AUTH unless CATV matches; gives SN. */
RCP_MUST_CHECK int rcp_ua_uuid_check(const uint8_t k_tresi[16], const uint8_t catv[4],
                                     const uint8_t uuid[RCP_UUID_LEN], uint64_t *tre_serial);

/* ------------------------------------------------ provisioned parameters */
typedef struct {
    char imsi[RCP_IMSI_MAX + 1];
    uint8_t k[16];
    uint8_t opc[16];
    rcp_milenage_consts consts;
    char mcc[4], mnc[4];
    uint64_t data_limit;                   /* bytes allowed on the conditional channel */
    uint64_t valid_until;                  /* authorization expiry */
    char destination[RCP_UA_FQDN_MAX + 1]; /* RSMF to contact next */
} rcp_ua_cx_params;

/* ================================================================ SP/OEM */
typedef struct {
    const char *name;      /* SP identity as registered at the AuthS */
    const rcp_ec_key *key; /* SP signing key (its agreement with the AuthS) */
    const rcp_clock *clock;
} rcp_ua_sp;

/* Build a REGISTER message for (uuid, the TRE's key id); max_authorizations
 * is the UUID's policy (1..16). */
RCP_MUST_CHECK int rcp_ua_sp_register(const rcp_ua_sp *sp, const uint8_t uuid[RCP_UUID_LEN],
                                      const uint8_t tre_kid[RCP_KID_LEN],
                                      uint32_t max_authorizations, rcp_out_msg *out);

/* Read the Authorization Server's answer to a REGISTER for uuid: 0 and
 * *created (1: registered now; 0: it already was, the same way — a repeat
 * is idempotent), or the RCP_ERR_* of the AuthS's error message with its
 * reason in why, or RCP_ERR_DECODE / RCP_ERR_PROTOCOL for a bad answer. */
RCP_MUST_CHECK int rcp_ua_sp_register_result(const uint8_t *msg, size_t len,
                                             const uint8_t uuid[RCP_UUID_LEN], int *created,
                                             char *why, size_t why_cap);

/* ================================================= Authorization Server */
#define RCP_UA_MAX_CURVES 2

typedef struct {
    uint8_t ecdsa_kid[RCP_KID_LEN]; /* kid of the SN's primary CERT.SN.ECDSA (its first
                                       credential set): signs requests and acks */
    rcp_ec_key *ecdsa_key;          /* public */
    uint8_t ecka_kids[RCP_UA_MAX_CURVES][RCP_KID_LEN]; /* kids of CERT.SN.ECKA: the IsSN
                                                          values the TRE may sign */
    size_t n_ecka;
    char name[64];
} rcp_ua_sn_agreement;

typedef struct {
    char name[64];
    uint8_t kid[RCP_KID_LEN];
    rcp_ec_key *key; /* public */
} rcp_ua_sp_agreement;

typedef struct {
    const char *fqdn;               /* this AuthS's name */
    const rcp_ec_key *key;          /* signs authorizations (private) */
    const rcp_ua_sn_agreement *sns; /* Serving Networks with an agreement */
    size_t n_sns;
    const rcp_ua_sp_agreement *sps; /* SPs allowed to register UUIDs */
    size_t n_sps;
    uint64_t authz_lifetime; /* seconds an authorization is valid */
    uint64_t data_limit;     /* bytes of the conditional data channel */
    const char *destination; /* RSMF FQDN given to provisioned devices */
    uint64_t max_skew;       /* accepted clock skew of signed requests (s) */
    rcp_store *store;
    const rcp_rng *rng;
    const rcp_clock *clock;
} rcp_ua_auths;

/* Handle one message (REGISTER, AUTHZ_REQUEST or ACK); the answer goes
 * to RCP_TO_REPLY. */
RCP_MUST_CHECK int rcp_ua_auths_handle(const rcp_ua_auths *a, const uint8_t *msg, size_t len,
                                       rcp_step *out);

/* ======================================================= Serving Network */
typedef struct {
    rcp_curve curve;
    const rcp_ec_key *ecka_key; /* SK.SN.ECKA (static key agreement) */
    const uint8_t *cert_ecka;   /* CERT.SN.ECKA (compact) */
    size_t cert_ecka_len;
    const rcp_ec_key *ecdsa_key; /* SK.SN.ECDSA */
    const uint8_t *cert_ecdsa;   /* CERT.SN.ECDSA (compact) */
    size_t cert_ecdsa_len;
    uint8_t ecka_kid[RCP_KID_LEN];  /* set by rcp_ua_sn_creds_init */
    uint8_t ecdsa_kid[RCP_KID_LEN]; /* set by rcp_ua_sn_creds_init */
} rcp_ua_sn_creds;

/* Compute the key ids of a credential set once (the engine uses them in
 * every message).  Call after filling the keys; RCP_ERR_INVALID_ARG if a
 * key is missing or not on c->curve. */
RCP_MUST_CHECK int rcp_ua_sn_creds_init(rcp_ua_sn_creds *c);

typedef struct {
    char fqdn[RCP_UA_FQDN_MAX + 1];
    rcp_ec_key *key; /* the AuthS's authorization-signing key (public) */
} rcp_ua_auths_agreement;

typedef struct {
    const rcp_ua_sn_creds *creds; /* one set per supported curve (at most
                                     RCP_UA_MAX_CURVES); creds[0].ecdsa_key also
                                     signs what goes to Authorization Servers */
    size_t n_creds;
    rcp_seal_suite suites[2]; /* supported seal suites, in no order */
    size_t n_suites;
    rcp_ccert_store *trust;              /* CI anchors (multi-CI); PN certificates get cached */
    const rcp_ua_auths_agreement *auths; /* Authorization Servers with an agreement */
    size_t n_auths;
    uint8_t cookie_key[RCP_COOKIE_KEY_LEN];
    const uint8_t *cookie_key_accept; /* NULL, or a second key (RCP_COOKIE_KEY_LEN bytes)
                                         whose cookies are still opened: the other key of a
                                         rotation (docs/operations.md).  New cookies always
                                         use cookie_key. */
    uint64_t cookie_lifetime;         /* seconds */
    const char *mcc, *mnc;    /* PLMN; the serving network id of KASME */
    uint64_t msin_first, msin_last;
    const uint8_t *op;                 /* the operator's OP (16 bytes); OPc = f(K, OP) */
    const rcp_milenage_consts *consts; /* the operator's Milenage constants */
    uint8_t amf[2];                    /* AMF of AKA vectors (separation bit set) */
    rcp_sqn_scheme sqn;
    rcp_store *store;
    const rcp_rng *rng;
    const rcp_clock *clock;
    const rcp_trace *trace; /* test vectors only; NULL in production */
} rcp_ua_sn;

/* Handle one message from a device (ATTACH_REQUEST, TRE_CREDENTIALS,
 * AKA_ATTACH, AKA_RESPONSE) or from an Authorization Server
 * (AUTHZ_RESPONSE, ACK_RESPONSE). */
RCP_MUST_CHECK int rcp_ua_sn_handle(const rcp_ua_sn *sn, const uint8_t *msg, size_t len,
                                    rcp_step *out);

/* Acknowledgements still owed to Authorization Servers: allocations whose
 * AKA succeeded but whose ACK_RESPONSE was never recorded (a lost message,
 * an unreachable AuthS, a restart).  Puts up to RCP_STEP_MAX_OUT ACKs
 * (RCP_TO_AUTHS) into out, starting at *cursor in the list of those due,
 * and advances *cursor (back to 0 at the end): call it periodically; the
 * answers go to rcp_ua_sn_handle as usual.  An ACK sent twice is harmless
 * (the AuthS answers a repeated acknowledgement the same way). */
RCP_MUST_CHECK int rcp_ua_sn_resend_acks(const rcp_ua_sn *sn, size_t *cursor, rcp_step *out);

/* ================================================= device (ME + TRE) */
typedef enum {
    RCP_UA_DEV_IDLE = 0,
    RCP_UA_DEV_WAIT_CHALLENGE,   /* sent ATTACH_REQUEST */
    RCP_UA_DEV_WAIT_CREDENTIALS, /* sent TRE_CREDENTIALS */
    RCP_UA_DEV_PROVISIONED,      /* holds IMSI, K, OPc: next, AKA */
    RCP_UA_DEV_WAIT_AKA_CHALLENGE,
    RCP_UA_DEV_WAIT_AKA_RESULT,
    RCP_UA_DEV_DONE, /* AKA succeeded and KASME confirmed */
} rcp_ua_dev_state;

/* Long-term TRE credentials (factory). */
typedef struct {
    rcp_curve curve;
    const rcp_ec_key *key;   /* SK.TRE.ECDSA */
    const uint8_t *cert_tre; /* CERT.TRE.ECDSA (compact) */
    size_t cert_tre_len;
    const uint8_t *cert_pn; /* CERT.PN.ECDSA (compact) */
    size_t cert_pn_len;
    rcp_ccert_store *trust; /* CERT.CI anchors */
} rcp_ua_tre_creds;

typedef struct {
    /* configuration */
    const rcp_ua_tre_creds *tre;
    uint8_t uuid[RCP_UUID_LEN];
    char auths_fqdn[RCP_UA_FQDN_MAX + 1];
    rcp_seal_suite suites[2]; /* offered, in preference order */
    size_t n_suites;
    const rcp_rng *rng;
    const rcp_clock *clock;
    rcp_sqn_scheme sqn;
    const rcp_trace *trace; /* test vectors only; NULL in production */

    /* state (the caller persists it between messages) */
    rcp_ua_dev_state state;
    uint8_t h_m1[RCP_UA_HASH_LEN]; /* transcript hash of the ATTACH_REQUEST sent */
    uint8_t sk_ecdhe[32];          /* SK.TRE.ECDHE while the exchange runs */
    uint8_t pk_ecdhe[RCP_P256_POINT_COMPRESSED];
    uint8_t nonce[RCP_NONCE_LEN];
    rcp_seal_suite suite;
    uint8_t sn_ecka_kid[RCP_KID_LEN];
    char sn_subject[RCP_CCERT_SUBJECT_MAX + 1]; /* of CERT.SN.ECKA */
    rcp_ua_cx_params cx;                        /* valid from PROVISIONED on */
    rcp_usim_sqn usim;                          /* USIM SQN state for the provisioned credentials */
    uint8_t kasme[32];                          /* after AKA */
    uint8_t rand[16];
} rcp_ua_device;

/* Initialise the device's state (zeroed, IDLE). */
void rcp_ua_device_init(rcp_ua_device *d, const rcp_ua_tre_creds *tre,
                        const uint8_t uuid[RCP_UUID_LEN], const char *auths_fqdn,
                        const rcp_rng *rng, const rcp_clock *clock);
void rcp_ua_device_wipe(rcp_ua_device *d);

/* Copy the fields of a device that are state (not configuration: tre, rng,
 * clock, trace, uuid, auths_fqdn, suites stay): for persisting it. */
void rcp_ua_device_copy_state(rcp_ua_device *to, const rcp_ua_device *from);

/* Start (or restart, after a lost message or a power cut) the attach:
 * ATTACH_REQUEST to RCP_TO_SN.  From PROVISIONED on it starts the AKA
 * instead (AKA_ATTACH). */
RCP_MUST_CHECK int rcp_ua_device_start(rcp_ua_device *d, rcp_step *out);

/* Handle a message from the SN. */
RCP_MUST_CHECK int rcp_ua_device_handle(rcp_ua_device *d, const uint8_t *msg, size_t len,
                                        rcp_step *out);

#ifdef __cplusplus
}
#endif
#endif
