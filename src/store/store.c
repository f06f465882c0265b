/*
 * The store front: URL dispatch to a backend, and every argument check that
 * does not need the database, so each backend sees only well-formed calls
 * (the SQLite and the PostgreSQL backend share the same validation).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/postgres_schema.h"
#include "store/store_impl.h"

#define STORE_SCHEME_SQLITE "sqlite:"
#define STORE_MCC_DIGITS 3     /* TS 23.003 2.2 */
#define STORE_MNC_DIGITS_MIN 2 /* TS 23.003 2.2: 2 or 3 digits */
#define STORE_MNC_DIGITS_MAX 3

/* libpq takes the whole URL; only its URI form is accepted (a bare
 * "postgresql:NAME" would be read by libpq as a database name on the
 * default host). */
static const struct {
    const char *scheme, *uri;
} k_postgres_schemes[] = {{"postgresql:", "postgresql://"}, {"postgres:", "postgres://"}};

/* ---------------------------------------------------------------- helpers */

static void vformat(char *msg, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vformat(char *msg, size_t cap, const char *fmt, va_list ap)
{
    if (msg == NULL || cap == 0)
        return;
    if (vsnprintf(msg, cap, fmt, ap) < 0)
        msg[0] = '\0';
}

void rcp_store_msg(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(msg, cap, fmt, ap);
    va_end(ap);
}

int rcp_store_fail(rcp_store *st, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    return err;
}

const char *rcp_store_hex(rcp_store_hexbuf *b, const uint8_t *p, size_t n)
{
    if (n > (sizeof b->s - 1) / 2 || rcp_hex_encode(p, n, b->s, sizeof b->s) != 0)
        b->s[0] = '\0';
    return b->s;
}

static int is_digits(const char *s, size_t min, size_t max, size_t *len)
{
    size_t n = 0;

    if (s == NULL)
        return 0;
    for (; s[n] != '\0'; n++) {
        if (n >= max || s[n] < '0' || s[n] > '9')
            return 0;
    }
    *len = n;
    return n >= min;
}

int rcp_store_imsi_valid(const char *s)
{
    size_t n;
    return is_digits(s, RCP_IMSI_DIGITS, RCP_IMSI_DIGITS, &n);
}

void rcp_store_imsi_format(uint64_t v, char out[RCP_IMSI_MAX + 1])
{
    for (int i = RCP_IMSI_DIGITS - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[RCP_IMSI_DIGITS] = '\0';
}

int rcp_store_imsi_parse(const char *s, uint64_t *v)
{
    uint64_t acc = 0;

    if (!rcp_store_imsi_valid(s))
        return RCP_ERR_INVALID_ARG;
    for (size_t i = 0; i < RCP_IMSI_DIGITS; i++)
        acc = acc * 10 + (uint64_t)(s[i] - '0');
    *v = acc;
    return RCP_OK;
}

/* Times are stored as SQL BIGINT. */
static int time_ok(rcp_store *st, uint64_t t, const char *what)
{
    if (t > (uint64_t)INT64_MAX)
        return rcp_store_fail(st, RCP_ERR_RANGE, "%s %llu does not fit a signed 64-bit time", what,
                              (unsigned long long)t);
    return RCP_OK;
}

static int enter(rcp_store *st)
{
    if (st == NULL)
        return RCP_ERR_INVALID_ARG;
    st->errmsg[0] = '\0';
    return RCP_OK;
}

static int null_arg(rcp_store *st, const char *what)
{
    return rcp_store_fail(st, RCP_ERR_INVALID_ARG, "%s is NULL", what);
}

/* ------------------------------------------------------------ open/close */

int rcp_store_open_ex(const char *url, rcp_store **out, char *msg, size_t msg_cap)
{
    int ret = RCP_ERR_INVALID_ARG;
    size_t prefix = strlen(STORE_SCHEME_SQLITE);

    if (msg != NULL && msg_cap > 0)
        msg[0] = '\0';
    if (out == NULL) {
        rcp_store_msg(msg, msg_cap, "no output handle given");
        goto cleanup;
    }
    *out = NULL;
    if (url == NULL) {
        rcp_store_msg(msg, msg_cap, "no store URL given");
        goto cleanup;
    }
    if (strncmp(url, STORE_SCHEME_SQLITE, prefix) == 0) {
        if (url[prefix] == '\0') {
            rcp_store_msg(msg, msg_cap,
                          "store URL \"sqlite:\" names no file: use sqlite:PATH or "
                          "sqlite::memory:");
            goto cleanup;
        }
        ret = rcp_store_backend_sqlite.open(url + prefix, out, msg, msg_cap);
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof k_postgres_schemes / sizeof k_postgres_schemes[0]; i++) {
        if (strncmp(url, k_postgres_schemes[i].scheme, strlen(k_postgres_schemes[i].scheme)) != 0)
            continue;
        if (strncmp(url, k_postgres_schemes[i].uri, strlen(k_postgres_schemes[i].uri)) != 0) {
            rcp_store_msg(msg, msg_cap,
                          "PostgreSQL store URL not understood: expected "
                          "postgresql://USER@HOST:PORT/DATABASE");
            goto cleanup;
        }
        ret = rcp_store_backend_postgres.open(url, out, msg, msg_cap);
        goto cleanup;
    }
    rcp_store_msg(msg, msg_cap,
                  "store URL not understood: expected sqlite:PATH, sqlite::memory: or "
                  "postgresql://USER@HOST:PORT/DATABASE");
cleanup:
    return ret;
}

int rcp_store_open(const char *url, rcp_store **out)
{
    return rcp_store_open_ex(url, out, NULL, 0);
}

void rcp_store_close(rcp_store *st)
{
    if (st != NULL)
        st->be->close(st);
}

const char *rcp_store_errmsg(const rcp_store *st)
{
    return st == NULL ? "no store" : st->errmsg;
}

int rcp_store_digest(rcp_store *st, uint8_t out[32])
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (out == NULL)
        return null_arg(st, "digest output");
    return st->be->digest(st, out);
}

/* ================================================= Authorization Server */

static int sp_valid(const char sp[64])
{
    size_t n = 0;

    while (n < RCP_STORE_SP_MAX && sp[n] != '\0') {
        if (sp[n] < 0x20 || sp[n] > 0x7e)
            return 0;
        n++;
    }
    return n > 0 && sp[n] == '\0';
}

int rcp_store_uuid_register(rcp_store *st, const rcp_uuid_record *r, uint64_t now, int *created)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (r == NULL)
        return null_arg(st, "UUID record");
    if (!sp_valid(r->sp))
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG,
                              "SP name must be 1 to 63 printable ASCII characters");
    if (r->max_authorizations == 0)
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG,
                              "max_authorizations must be at least 1 (a UUID that can never "
                              "be authorized is not worth registering)");
    ret = time_ok(st, now, "registration time");
    if (ret)
        return ret;
    return st->be->uuid_register(st, r, now, created);
}

int rcp_store_uuid_get(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_uuid_record *out)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (uuid == NULL || out == NULL)
        return null_arg(st, uuid == NULL ? "UUID" : "output record");
    return st->be->uuid_get(st, uuid, out);
}

static int record_ok(rcp_store *st, const uint8_t *record, size_t record_len)
{
    if (record_len > RCP_STORE_RECORD_MAX)
        return rcp_store_fail(st, RCP_ERR_LENGTH,
                              "ledger record of %zu bytes is longer than the %d allowed",
                              record_len, RCP_STORE_RECORD_MAX);
    if (record == NULL && record_len > 0)
        return null_arg(st, "ledger record");
    return RCP_OK;
}

int rcp_store_authorize(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                        const uint8_t authz_id[RCP_AUTHZ_ID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                        uint64_t now, uint64_t expires, const uint8_t *record, size_t record_len)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (uuid == NULL || authz_id == NULL || sn_kid == NULL)
        return null_arg(st, uuid == NULL ? "UUID" : authz_id == NULL ? "authz_id" : "sn_kid");
    ret = record_ok(st, record, record_len);
    if (ret == 0)
        ret = time_ok(st, now, "authorization time");
    if (ret == 0)
        ret = time_ok(st, expires, "expiry");
    if (ret)
        return ret;
    if (expires <= now)
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG,
                              "authorization expiry %llu is not after its issue time %llu",
                              (unsigned long long)expires, (unsigned long long)now);
    return st->be->authorize(st, uuid, authz_id, sn_kid, now, expires, record, record_len);
}

int rcp_store_acknowledge(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                          const uint8_t uuid[RCP_UUID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                          uint64_t now, const uint8_t *record, size_t record_len, int *first)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (uuid == NULL || authz_id == NULL || sn_kid == NULL)
        return null_arg(st, uuid == NULL ? "UUID" : authz_id == NULL ? "authz_id" : "sn_kid");
    ret = record_ok(st, record, record_len);
    if (ret == 0)
        ret = time_ok(st, now, "acknowledgement time");
    if (ret)
        return ret;
    return st->be->acknowledge(st, authz_id, uuid, sn_kid, now, record, record_len, first);
}

int rcp_store_authz_get(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                        rcp_authorization *out)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (authz_id == NULL || out == NULL)
        return null_arg(st, authz_id == NULL ? "authz_id" : "output authorization");
    return st->be->authz_get(st, authz_id, out);
}

int rcp_store_ledger_count(rcp_store *st, rcp_ledger_kind kind, uint64_t *count)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (count == NULL)
        return null_arg(st, "count");
    if (kind != 0 && kind != RCP_LEDGER_REGISTER && kind != RCP_LEDGER_AUTHORIZE &&
        kind != RCP_LEDGER_ACK)
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG, "ledger kind %d is not 0, 1, 2 or 3",
                              (int)kind);
    return st->be->ledger_count(st, kind, count);
}

int rcp_store_ledger_get(rcp_store *st, uint64_t seq, rcp_ledger_entry *out)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (out == NULL)
        return null_arg(st, "output entry");
    if (seq == 0 || seq > (uint64_t)INT64_MAX)
        return rcp_store_fail(st, RCP_ERR_NOT_FOUND, "the ledger has no entry %llu",
                              (unsigned long long)seq);
    return st->be->ledger_get(st, seq, out);
}

/* ======================================================= Serving Network */

static uint64_t pow10_u64(unsigned n)
{
    uint64_t v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

/* s holds decimal digits only (checked by the caller). */
static uint64_t decimal(const char *s)
{
    uint64_t acc = 0;
    for (; *s; s++)
        acc = acc * 10 + (uint64_t)(*s - '0');
    return acc;
}

/* An AuthS name (FQDN) as stored and logged: printable, no spaces. */
static int name_valid(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return 0;
    for (; s[n] != '\0'; n++) {
        if (n >= RCP_STORE_NAME_MAX || s[n] <= 0x20 || s[n] > 0x7e)
            return 0;
    }
    return n > 0;
}

/* TS 23.003 2.2: IMSI = MCC (3 digits) || MNC (2 or 3) || MSIN, at most 15
 * digits.  rcprov allocates 15-digit IMSIs only, so that IMSI order is
 * numeric order and "highest IMSI in the range + 1" is the next free one. */
static int provision_range(rcp_store *st, const rcp_provision_request *req,
                           rcp_store_alloc_range *range)
{
    size_t mcc_len, mnc_len;
    uint64_t limit, plmn;

    if (!is_digits(req->mcc, STORE_MCC_DIGITS, STORE_MCC_DIGITS, &mcc_len))
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG, "MCC must be %d decimal digits",
                              STORE_MCC_DIGITS);
    if (!is_digits(req->mnc, STORE_MNC_DIGITS_MIN, STORE_MNC_DIGITS_MAX, &mnc_len))
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG, "MNC must be %d or %d decimal digits",
                              STORE_MNC_DIGITS_MIN, STORE_MNC_DIGITS_MAX);
    if (req->msin_digits != RCP_IMSI_DIGITS - mcc_len - mnc_len)
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG,
                              "msin_digits is %u; with a %zu-digit MNC it must be %zu (15-digit "
                              "IMSI)",
                              req->msin_digits, mnc_len, RCP_IMSI_DIGITS - mcc_len - mnc_len);
    limit = pow10_u64(req->msin_digits);
    if (req->msin_first > req->msin_last || req->msin_last >= limit)
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG,
                              "MSIN range %llu..%llu is empty or does not fit %u digits",
                              (unsigned long long)req->msin_first,
                              (unsigned long long)req->msin_last, req->msin_digits);
    plmn = decimal(req->mcc) * pow10_u64((unsigned)mnc_len) + decimal(req->mnc);
    range->req = req;
    range->imsi_first = plmn * limit + req->msin_first;
    range->imsi_last = plmn * limit + req->msin_last;
    return RCP_OK;
}

int rcp_store_provision(rcp_store *st, const rcp_provision_request *req, uint64_t now,
                        rcp_provision_result *out)
{
    rcp_store_alloc_range range;
    int ret = enter(st);
    if (ret)
        return ret;
    if (req == NULL || out == NULL)
        return null_arg(st, req == NULL ? "provision request" : "provision result");
    if (req->k == NULL || req->opc == NULL || req->consts == NULL)
        return null_arg(st, req->k == NULL ? "K" : req->opc == NULL ? "OPc" : "Milenage constants");
    for (size_t i = 0; i < sizeof req->consts->r; i++) {
        if (req->consts->r[i] > RCP_MIL_ROT_MAX)
            return rcp_store_fail(st, RCP_ERR_INVALID_ARG,
                                  "Milenage rotation r%zu = %u is above %d", i + 1,
                                  req->consts->r[i], RCP_MIL_ROT_MAX);
    }
    if (!name_valid(req->auths))
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG,
                              "auths must name the Authorization Server: 1 to %d printable "
                              "ASCII characters without spaces",
                              RCP_STORE_NAME_MAX);
    ret = provision_range(st, req, &range);
    if (ret == 0)
        ret = time_ok(st, now, "provisioning time");
    if (ret)
        return ret;
    return st->be->provision(st, &range, now, out);
}

static int imsi_arg(rcp_store *st, const char *imsi)
{
    if (imsi == NULL)
        return null_arg(st, "IMSI");
    if (!rcp_store_imsi_valid(imsi))
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG, "IMSI must be %d decimal digits",
                              RCP_IMSI_DIGITS);
    return RCP_OK;
}

int rcp_store_hss_get(rcp_store *st, const char *imsi, rcp_hss_subscriber *out)
{
    int ret = enter(st);
    if (ret == 0)
        ret = imsi_arg(st, imsi);
    if (ret)
        return ret;
    if (out == NULL)
        return null_arg(st, "output subscriber");
    return st->be->hss_get(st, imsi, out);
}

int rcp_store_hss_set_sqn(rcp_store *st, const char *imsi, uint64_t old_sqn, uint64_t new_sqn)
{
    int ret = enter(st);
    if (ret == 0)
        ret = imsi_arg(st, imsi);
    if (ret)
        return ret;
    if (old_sqn > RCP_SQN_HE_MAX || new_sqn > RCP_SQN_HE_MAX)
        return rcp_store_fail(st, RCP_ERR_RANGE, "SQN above 2^48 - 1");
    return st->be->hss_set_sqn(st, imsi, old_sqn, new_sqn);
}

int rcp_store_alloc_by_imsi(rcp_store *st, const char *imsi, rcp_allocation *out)
{
    int ret = enter(st);
    if (ret == 0)
        ret = imsi_arg(st, imsi);
    if (ret)
        return ret;
    if (out == NULL)
        return null_arg(st, "output allocation");
    return st->be->alloc_by_imsi(st, imsi, out);
}

int rcp_store_alloc_by_uuid(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_allocation *out)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (uuid == NULL || out == NULL)
        return null_arg(st, uuid == NULL ? "UUID" : "output allocation");
    return st->be->alloc_by_uuid(st, uuid, out);
}

int rcp_store_alloc_set_state(rcp_store *st, const char *imsi, rcp_alloc_state state)
{
    int ret = enter(st);
    if (ret == 0)
        ret = imsi_arg(st, imsi);
    if (ret)
        return ret;
    if (state != RCP_ALLOC_PROVISIONED && state != RCP_ALLOC_AKA_OK && state != RCP_ALLOC_ACKED)
        return rcp_store_fail(st, RCP_ERR_INVALID_ARG, "allocation state %d is not 1, 2 or 3",
                              (int)state);
    return st->be->alloc_set_state(st, imsi, state);
}

int rcp_store_alloc_pending_acks(rcp_store *st, rcp_allocation *out, size_t max, size_t *n)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (n == NULL || (out == NULL && max > 0))
        return null_arg(st, n == NULL ? "count" : "output array");
    *n = 0;
    return st->be->alloc_pending_acks(st, out, max, n);
}

int rcp_store_hss_advance(rcp_store *st, const char *imsi, rcp_sqn_next_fn next, void *ctx,
                          rcp_hss_subscriber *out)
{
    int ret = enter(st);
    if (ret == 0)
        ret = imsi_arg(st, imsi);
    if (ret)
        return ret;
    if (next == NULL || out == NULL)
        return null_arg(st, next == NULL ? "SQN function" : "output subscriber");
    return st->be->hss_advance(st, imsi, next, ctx, out);
}

int rcp_store_aka_complete(rcp_store *st, const char *imsi, const uint8_t rand[RCP_NONCE_LEN],
                           uint64_t now, rcp_allocation *out)
{
    int ret = enter(st);
    if (ret == 0)
        ret = imsi_arg(st, imsi);
    if (ret)
        return ret;
    if (rand == NULL || out == NULL)
        return null_arg(st, rand == NULL ? "RAND" : "output allocation");
    return st->be->aka_complete(st, imsi, rand, now, out);
}

int rcp_store_alloc_acked(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                          const uint8_t authz_id[RCP_AUTHZ_ID_LEN])
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (uuid == NULL || authz_id == NULL)
        return null_arg(st, uuid == NULL ? "UUID" : "authorization id");
    return st->be->alloc_acked(st, uuid, authz_id);
}

int rcp_store_nonce_consume(rcp_store *st, const uint8_t nonce[RCP_NONCE_LEN], uint64_t now)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (nonce == NULL)
        return null_arg(st, "one-time value");
    ret = time_ok(st, now, "consumption time");
    if (ret)
        return ret;
    return st->be->nonce_consume(st, nonce, now);
}

int rcp_store_alloc_count(rcp_store *st, uint64_t *count)
{
    int ret = enter(st);
    if (ret)
        return ret;
    if (count == NULL)
        return null_arg(st, "count");
    return st->be->alloc_count(st, count);
}

void rcp_store_url_redact(const char *url, char *out, size_t cap)
{
    if (out == NULL || cap == 0)
        return;
    if (url == NULL) {
        out[0] = '\0';
        return;
    }
    const char *auth = strstr(url, "://");
    const char *at = auth ? strchr(auth + 3, '@') : NULL;
    const char *slash = auth ? strchr(auth + 3, '/') : NULL;
    const char *colon = auth ? strchr(auth + 3, ':') : NULL;
    /* user:password@ before the host part (and before any path). */
    if (at && colon && colon < at && (slash == NULL || at < slash))
        snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
    else
        snprintf(out, cap, "%s", url);
}

int rcp_store_schema_newer(rcp_store *st, int64_t version)
{
    return rcp_store_fail(st, RCP_ERR_UNSUPPORTED,
                          "store schema version %lld is newer than this rcprov supports (%d): "
                          "upgrade rcprov, the store was left untouched",
                          (long long)version, RCP_STORE_SCHEMA_VERSION);
}
