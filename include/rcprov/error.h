/*
 * rcprov — error codes.
 *
 * One convention for the whole code base: functions return int, 0 on success,
 * a negative RCP_ERR_* on failure.  rcp_strerror() gives a short English
 * sentence for each code; callers that talk to a user add what was wrong.
 */
#ifndef RCPROV_ERROR_H
#define RCPROV_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RCP_MUST_CHECK __attribute__((warn_unused_result))
#else
#define RCP_MUST_CHECK
#endif

enum rcp_error {
    RCP_OK = 0,
    RCP_ERR_INVALID_ARG = -1,      /* caller passed a bad argument */
    RCP_ERR_BUFFER_TOO_SMALL = -2, /* output buffer too small */
    RCP_ERR_DECODE = -3,           /* malformed input (hex, DER, CBOR, ...) */
    RCP_ERR_CRYPTO = -4,           /* the crypto library failed internally */
    RCP_ERR_AUTH = -5,             /* MAC, tag or integrity check failed */
    RCP_ERR_UNSUPPORTED = -6,      /* valid but unsupported parameter */
    RCP_ERR_NO_MEMORY = -7,        /* allocation failed */
    RCP_ERR_RNG = -8,              /* random generator failed */
    RCP_ERR_POINT_INVALID = -9,    /* public key not a valid point on the curve */
    RCP_ERR_KEY_INVALID = -10,     /* private key out of range or wrong size */
    RCP_ERR_SIGNATURE = -11,       /* signature did not verify */
    RCP_ERR_AKA_MAC = -12,         /* AUTN MAC (or AUTS MAC-S) mismatch */
    RCP_ERR_AKA_SYNC = -13,        /* AUTN SQN not acceptable: AUTS produced */
    RCP_ERR_PADDING = -14,         /* padding malformed */
    RCP_ERR_IO = -15,              /* file or socket I/O failed */
    RCP_ERR_STATE = -16,           /* call not valid in the current state */
    RCP_ERR_LENGTH = -17,          /* input has the wrong length */
    RCP_ERR_RANGE = -18,           /* value out of its allowed range */
    RCP_ERR_AKA_AMF = -19,         /* AMF separation bit not as required */
    RCP_ERR_NOT_FOUND = -20,       /* looked-up item does not exist */
    RCP_ERR_EXISTS = -21,          /* item already exists */
    RCP_ERR_LIMIT = -22,           /* a configured size/count limit was hit */
    RCP_ERR_CERT = -23,            /* certificate invalid */
    RCP_ERR_EXPIRED = -24,         /* certificate or token expired */
    RCP_ERR_REVOKED = -25,         /* certificate revoked */
    RCP_ERR_UNTRUSTED = -26,       /* chain does not end at a trust anchor */
    RCP_ERR_REPLAY = -27,          /* message already seen / not fresh */
    RCP_ERR_STORE = -28,           /* persistent store failed */
    RCP_ERR_PROTOCOL = -29,        /* message not valid in this protocol step */
    RCP_ERR_TIMEOUT = -30,         /* a peer did not answer in time */
    RCP_ERR_UNAVAILABLE = -31,     /* a peer refused or is shutting down (retry later) */
};
#define RCP_ERR_LAST RCP_ERR_UNAVAILABLE /* the most negative code */

/* Short constant string for an error code; never NULL. */
const char *rcp_strerror(int err);

/* Stable identifier such as "RCP_ERR_AUTH"; never NULL. */
const char *rcp_errname(int err);

#ifdef __cplusplus
}
#endif
#endif
