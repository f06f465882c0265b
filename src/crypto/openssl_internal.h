/*
 * Internal interface between the OpenSSL backend files (src/crypto/openssl*.c).
 * Nothing outside src/crypto includes this header.  It names OpenSSL's key
 * type by its struct tag only, so that it includes no OpenSSL header itself
 * (tests/scripts/check_layers.sh); the .c files that use it include
 * <openssl/evp.h>, where EVP_PKEY is that struct.
 */
#ifndef RCP_OPENSSL_INTERNAL_H
#define RCP_OPENSSL_INTERNAL_H

#include "rcprov/crypto.h"

struct evp_pkey_st; /* EVP_PKEY */

/* The EVP_PKEY inside key, borrowed: valid while key lives, not to be
 * freed or modified.  NULL for NULL. */
struct evp_pkey_st *rcp_ec_key_evp(const rcp_ec_key *key);

/* A new rcp_ec_key from an EC EVP_PKEY (public key, or key pair) on a
 * Weierstrass curve of crypto.h, validated as rcp_ec_key_from_public /
 * rcp_ec_key_from_private do.  For a key pair the public point must be the
 * one the scalar gives.  RCP_ERR_UNSUPPORTED for another key type, explicit
 * curve parameters or an unknown curve; RCP_ERR_POINT_INVALID,
 * RCP_ERR_KEY_INVALID. */
int rcp_ec_key_from_evp(const struct evp_pkey_st *pkey, rcp_ec_key **out);

#endif
