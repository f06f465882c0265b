/*
 * rcprov — a device's state directory (docs/device-state.md).
 *
 * One directory holds one device (ME + TRE) of the uuid-attach flow:
 *
 *   DIR/device.conf  what the factory gave it: curve, UUID, its
 *                    Authorization Server, the seal suites it offers, and
 *                    the files of its TRE credentials (key, CERT.TRE,
 *                    CERT.PN, CI anchors)
 *   DIR/state.cbor   the engine's state (rcp_ua_device), absent before the
 *                    first run, replaced atomically by devstate_save
 *
 * The caller saves after every engine step, before it sends the message the
 * step produced, so a process killed at any point resumes from the last
 * state a peer may have seen (rcp_ua_device_start).  devstate_load takes an
 * exclusive lock on DIR for the life of the devstate: one process per
 * device.
 */
#ifndef RCP_APP_DEVSTATE_H
#define RCP_APP_DEVSTATE_H

#include <stddef.h>

#include "rcprov/uuid_attach.h"

#define DEVSTATE_CONF "device.conf"
#define DEVSTATE_FILE "state.cbor"
#define DEVSTATE_VERSION 1 /* format version of state.cbor */
#define DEVSTATE_MAX 4096  /* largest state.cbor (a full one is below 1 KiB with 32 IND slots) */
#define DEVSTATE_CI_MAX 8  /* CI anchors in device.conf */

/* Owns the TRE key, the certificates, the trust store and the engine. */
typedef struct devstate devstate;

/* Load DIR/device.conf and its files, check them (the key is the one of
 * CERT.TRE and is not readable by group or others, CERT.TRE chains to a CI
 * anchor through CERT.PN at the clock's time, curves agree), then
 * DIR/state.cbor when it exists (else the device starts IDLE).  rng and
 * clock are kept by pointer and must outlive the devstate.  Stale temporary
 * files of an interrupted save are removed.  Returns 0, or a negative
 * RCP_ERR_* with err naming the file and what is wrong:
 *   RCP_ERR_INVALID_ARG  a NULL argument, a path too long
 *   RCP_ERR_UNAVAILABLE  DIR is locked by another process (or another
 *                        devstate of this one)
 *   RCP_ERR_IO           a file cannot be read, or the TRE key file is
 *                        readable by group or others
 *   RCP_ERR_DECODE       device.conf, a key, a certificate or state.cbor is
 *                        malformed or inconsistent
 *   RCP_ERR_UNSUPPORTED  state.cbor has another format version
 *   RCP_ERR_UNTRUSTED, RCP_ERR_EXPIRED, RCP_ERR_SIGNATURE, RCP_ERR_CERT ...
 *                        the certificate chain does not verify (the code of
 *                        rcp_ccert_verify_chain)
 *   RCP_ERR_NO_MEMORY
 * The lock is held by one open file descriptor per devstate: a process
 * holding thousands of devices needs RLIMIT_NOFILE above that. */
RCP_MUST_CHECK int devstate_load(const char *dir, const rcp_rng *rng, const rcp_clock *clock,
                                 devstate **out, char *err, size_t cap);

/* The engine; its state fields are what devstate_save writes. */
rcp_ua_device *devstate_device(devstate *d);

/* Write DIR/state.cbor atomically (mode 0600; fsync'ed file and directory).
 * RCP_ERR_STATE when the engine's fields are out of range (nothing is
 * written), RCP_ERR_IO with err naming the file when the write fails. */
RCP_MUST_CHECK int devstate_save(devstate *d, char *err, size_t cap);

const char *devstate_dir(const devstate *d);

/* Wipe every secret (TRE key, ephemeral key, K, OPc, KASME), release the
 * lock and free.  NULL ok. */
void devstate_free(devstate *d);

#endif
