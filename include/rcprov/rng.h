/*
 * rcprov — randomness hook.
 *
 * Everything that needs random bytes takes an rcp_rng.  Production code uses
 * rcp_rng_system() (OpenSSL's CSPRNG); tests and reproducible test vectors
 * use a deterministic generator seeded by the caller (see rcprov/crypto.h:
 * rcp_drbg_init).  Engines never call a global RNG.
 */
#ifndef RCPROV_RNG_H
#define RCPROV_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rcp_rng {
    /* Fill out with len random bytes; 0 on success, RCP_ERR_RNG on failure. */
    int (*fill)(void *ctx, uint8_t *out, size_t len);
    void *ctx;
} rcp_rng;

/* Convenience: rng->fill(rng->ctx, out, len), RCP_ERR_INVALID_ARG if NULL. */
RCP_MUST_CHECK int rcp_rng_fill(const rcp_rng *rng, uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif
#endif
