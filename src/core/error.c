#include <stddef.h>

#include "rcprov/error.h"

struct err_entry {
    int code;
    const char *name;
    const char *text;
};

static const struct err_entry k_errors[] = {
    {RCP_OK, "RCP_OK", "success"},
    {RCP_ERR_INVALID_ARG, "RCP_ERR_INVALID_ARG", "invalid argument"},
    {RCP_ERR_BUFFER_TOO_SMALL, "RCP_ERR_BUFFER_TOO_SMALL", "output buffer too small"},
    {RCP_ERR_DECODE, "RCP_ERR_DECODE", "malformed input"},
    {RCP_ERR_CRYPTO, "RCP_ERR_CRYPTO", "crypto library failure"},
    {RCP_ERR_AUTH, "RCP_ERR_AUTH", "integrity check failed"},
    {RCP_ERR_UNSUPPORTED, "RCP_ERR_UNSUPPORTED", "unsupported parameter"},
    {RCP_ERR_NO_MEMORY, "RCP_ERR_NO_MEMORY", "out of memory"},
    {RCP_ERR_RNG, "RCP_ERR_RNG", "random generator failure"},
    {RCP_ERR_POINT_INVALID, "RCP_ERR_POINT_INVALID", "public key is not a valid curve point"},
    {RCP_ERR_KEY_INVALID, "RCP_ERR_KEY_INVALID", "invalid key"},
    {RCP_ERR_SIGNATURE, "RCP_ERR_SIGNATURE", "signature did not verify"},
    {RCP_ERR_AKA_MAC, "RCP_ERR_AKA_MAC", "AKA MAC mismatch"},
    {RCP_ERR_AKA_SYNC, "RCP_ERR_AKA_SYNC", "AKA sequence number not acceptable"},
    {RCP_ERR_PADDING, "RCP_ERR_PADDING", "bad padding"},
    {RCP_ERR_IO, "RCP_ERR_IO", "input/output error"},
    {RCP_ERR_STATE, "RCP_ERR_STATE", "not valid in the current state"},
    {RCP_ERR_LENGTH, "RCP_ERR_LENGTH", "wrong length"},
    {RCP_ERR_RANGE, "RCP_ERR_RANGE", "value out of range"},
    {RCP_ERR_AKA_AMF, "RCP_ERR_AKA_AMF", "AMF separation bit not set"},
    {RCP_ERR_NOT_FOUND, "RCP_ERR_NOT_FOUND", "not found"},
    {RCP_ERR_EXISTS, "RCP_ERR_EXISTS", "already exists"},
    {RCP_ERR_LIMIT, "RCP_ERR_LIMIT", "limit exceeded"},
    {RCP_ERR_CERT, "RCP_ERR_CERT", "invalid certificate"},
    {RCP_ERR_EXPIRED, "RCP_ERR_EXPIRED", "expired"},
    {RCP_ERR_REVOKED, "RCP_ERR_REVOKED", "revoked"},
    {RCP_ERR_UNTRUSTED, "RCP_ERR_UNTRUSTED", "not issued by a trusted authority"},
    {RCP_ERR_REPLAY, "RCP_ERR_REPLAY", "replayed or stale message"},
    {RCP_ERR_STORE, "RCP_ERR_STORE", "store failure"},
    {RCP_ERR_PROTOCOL, "RCP_ERR_PROTOCOL", "protocol violation"},
    {RCP_ERR_TIMEOUT, "RCP_ERR_TIMEOUT", "peer did not answer in time"},
    {RCP_ERR_UNAVAILABLE, "RCP_ERR_UNAVAILABLE", "peer unavailable, retry later"},
};

static const struct err_entry *find(int err)
{
    for (size_t i = 0; i < sizeof k_errors / sizeof k_errors[0]; i++)
        if (k_errors[i].code == err)
            return &k_errors[i];
    return NULL;
}

const char *rcp_strerror(int err)
{
    const struct err_entry *e = find(err);
    return e ? e->text : "unknown error";
}

const char *rcp_errname(int err)
{
    const struct err_entry *e = find(err);
    return e ? e->name : "RCP_ERR_UNKNOWN";
}
