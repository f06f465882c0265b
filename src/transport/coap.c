/* CoAP transport over libcoap 3 (OpenSSL DTLS): rcprov/transport.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coap3/coap.h>

#include "rcprov/bytes.h"
#include "rcprov/transport.h"
#include "rcprov/x509.h"

#define MAX_SERVICES 8
#define MAX_PEERS 16
#define MAX_LISTENERS 4
#define MAX_TIMERS 4
#define MAX_ACCEPT 32
#define TOKEN_MAX 8

struct ident {
    char *cert, *key, *ca;
    size_t cert_len, key_len, ca_len;
};

struct service {
    char path[64];
    rcp_net_handler h;
    void *ctx;
    int dtls_only;
};

struct peer {
    char name[254];
    char host[64];
    uint16_t port;
    char path[64];
    struct ident *id;
    rcp_ec_key *key;
};

/* A client session to one destination, reused by every request to it. */
struct conn {
    struct conn *next;
    rcp_net *net;
    char host[64];
    uint16_t port;
    struct ident *id;
    rcp_ec_key *key; /* expected peer key (DTLS), NULL: any from the CA */
    coap_session_t *session;
    coap_dtls_pki_t pki;
    const void *owner;
    unsigned used; /* requests waiting on this session */
    int dead;
};

/* A server exchange answered later (separate response): transport state
 * only, the request waits while a peer answers the engine's message. */
struct exchange {
    struct exchange *next;
    struct service *svc;
    coap_session_t *session; /* referenced */
    coap_async_t *async;
    uint8_t token[TOKEN_MAX];
    size_t token_len;
    int ready;
    coap_pdu_code_t code;
    size_t len;
    uint8_t buf[RCP_MSG_MAX];
};

/* An outgoing request waiting for its answer. */
struct request {
    struct request *next;
    struct conn *conn;
    uint8_t token[TOKEN_MAX];
    size_t token_len;
    uint64_t deadline_ms;
    char path[64];
    uint8_t *body; /* the whole request (block-wise: sent a block at a time) */
    size_t body_len;
    unsigned b1_num; /* Block1: the block in flight */
    uint8_t rtag[4]; /* Request-Tag on every message of this request */
    size_t got;      /* Block2: bytes of the answer so far */
    uint8_t answer[RCP_MSG_MAX];
    /* external caller ... */
    rcp_net_reply_fn cb;
    void *cb_ctx;
    /* ... or an engine's message to a peer: the answer goes back to svc */
    struct service *svc;
    struct exchange *ex; /* the device exchange waiting for it, or NULL */
};

/* Block-wise transfer (RFC 7959) is done here rather than by libcoap 3.0,
 * whose block-wise code loses data in the cases rcprovd needs (Block1 into a
 * handler, Block2 of a separate response, several transfers on one
 * session).  A request body arriving in blocks is put together per
 * (session, service); a large answer is kept per (session, service) while
 * the client fetches its blocks. */
struct blockbuf {
    struct blockbuf *next;
    coap_session_t *session; /* referenced */
    const void *svc;
    int answer;      /* 0: request body being received; 1: answer being served */
    uint8_t rtag[8]; /* the request's Request-Tag (RFC 9175): one transfer each */
    size_t rtag_len;
    unsigned szx; /* of the answer's blocks */
    size_t len;
    uint64_t last_ms;
    uint8_t buf[RCP_MSG_MAX];
};

struct timer {
    unsigned period_ms;
    uint64_t next_ms;
    int (*fn)(void *ctx, rcp_step *out);
    void *ctx;
    struct service *svc;
};

struct listener {
    coap_endpoint_t *ep;
    uint16_t port;
    int dtls;
};

struct rcp_net {
    rcp_net_opts o;
    coap_context_t *ctx;
    struct service svcs[MAX_SERVICES];
    size_t n_svcs;
    struct peer peers[MAX_PEERS];
    size_t n_peers;
    struct ident *idents[MAX_PEERS + 2];
    size_t n_idents;
    struct listener lis[MAX_LISTENERS];
    size_t n_lis;
    int has_dtls_listener;
    coap_dtls_pki_t server_pki;
    rcp_ec_key *accept[MAX_ACCEPT];
    size_t n_accept;
    struct timer timers[MAX_TIMERS];
    size_t n_timers;
    struct conn *conns;
    struct exchange *exchanges;
    struct request *requests;
    struct blockbuf *blocks;
    uint32_t next_rtag;
    int draining;
    rcp_net_stats st;
};

/* ---------------------------------------------------------------- logging */
static const char *const level_names[] = {"error", "warn", "info", "debug"};

int rcp_log_level_from_name(const char *name)
{
    for (int i = 0; name && i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

const char *rcp_log_level_name(rcp_log_level l)
{
    return (unsigned)l < 4 ? level_names[l] : "?";
}

static void net_log(const rcp_net *n, rcp_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void net_log(const rcp_net *n, rcp_log_level lvl, const char *fmt, ...)
{
    if (lvl > n->o.log_level)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n->o.log)
        n->o.log(n->o.log_ctx, lvl, msg);
    else
        fprintf(stderr, "rcprovd: %s: %s\n", rcp_log_level_name(lvl), msg);
}

/* libcoap's own messages: errors and warnings only, to stderr. */
static void coap_log_sink(coap_log_t level, const char *message)
{
    size_t len = strlen(message);
    while (len && (message[len - 1] == '\n' || message[len - 1] == '\r'))
        len--;
    fprintf(stderr, "rcprovd: libcoap%s: %.*s\n", level <= LOG_ERR ? " error" : "", (int)len,
            message);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void rcp_net_opts_default(rcp_net_opts *o)
{
    memset(o, 0, sizeof *o);
    o->log_level = RCP_LOG_INFO;
    o->block_size = 1024;
    o->ack_timeout_ms = 2000;
    o->max_retransmit = 4;
    o->request_timeout_ms = 45000;
    o->peer_nstart = 1;
}

/* ------------------------------------------------------------ identities */
static void ident_free(struct ident *id)
{
    if (id == NULL)
        return;
    free(id->cert);
    if (id->key) {
        rcp_wipe(id->key, id->key_len);
        free(id->key);
    }
    free(id->ca);
    free(id);
}

static char *dup_pem(const char *p, size_t len)
{
    /* NUL-terminated copies: libcoap's PEM buffers take the terminator. */
    char *c = malloc(len + 1);
    if (c) {
        memcpy(c, p, len);
        c[len] = 0;
    }
    return c;
}

/* The copy of id kept by the net (the same one for equal identities). */
static struct ident *ident_get(rcp_net *n, const rcp_net_identity *id)
{
    if (id == NULL || id->cert_pem == NULL || id->key_pem == NULL || id->ca_pem == NULL)
        return NULL;
    for (size_t i = 0; i < n->n_idents; i++) {
        struct ident *k = n->idents[i];
        if (k->cert_len == id->cert_pem_len + 1 && k->key_len == id->key_pem_len + 1 &&
            k->ca_len == id->ca_pem_len + 1 &&
            memcmp(k->cert, id->cert_pem, id->cert_pem_len) == 0 &&
            rcp_ct_equal((const uint8_t *)k->key, (const uint8_t *)id->key_pem, id->key_pem_len) &&
            memcmp(k->ca, id->ca_pem, id->ca_pem_len) == 0)
            return k;
    }
    if (n->n_idents == sizeof n->idents / sizeof n->idents[0])
        return NULL;
    struct ident *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    k->cert = dup_pem(id->cert_pem, id->cert_pem_len);
    k->key = dup_pem(id->key_pem, id->key_pem_len);
    k->ca = dup_pem(id->ca_pem, id->ca_pem_len);
    k->cert_len = id->cert_pem_len + 1;
    k->key_len = id->key_pem_len + 1;
    k->ca_len = id->ca_pem_len + 1;
    if (!k->cert || !k->key || !k->ca) {
        ident_free(k);
        return NULL;
    }
    n->idents[n->n_idents++] = k;
    return k;
}

/* The session attribute "the DTLS peer presented an accepted key". */
static char verified_mark;

/* Is the peer's leaf certificate's key one of keys[0..n)? */
static int leaf_key_in(const uint8_t *der, size_t len, rcp_ec_key *const *keys, size_t n)
{
    rcp_x509 *c = NULL;
    rcp_ec_key *k = NULL;
    int ok = 0;
    if (rcp_x509_from_der(der, len, &c) == 0 && rcp_x509_public_key(c, &k) == 0)
        for (size_t i = 0; i < n && !ok; i++)
            ok = rcp_ec_key_equal(k, keys[i]);
    rcp_ec_key_free(k);
    rcp_x509_free(c);
    return ok;
}

static int server_cn_check(const char *cn, const uint8_t *der, size_t len, coap_session_t *s,
                           unsigned depth, int validated, void *arg)
{
    rcp_net *n = arg;
    if (depth > 0)
        return validated;
    if (!validated || !leaf_key_in(der, len, n->accept, n->n_accept)) {
        net_log(n, RCP_LOG_WARN, "DTLS client \"%s\" refused: %s", cn ? cn : "?",
                validated ? "its key has no agreement here" : "certificate not valid");
        return 0;
    }
    coap_session_set_app_data(s, &verified_mark);
    return 1;
}

static int client_cn_check(const char *cn, const uint8_t *der, size_t len, coap_session_t *s,
                           unsigned depth, int validated, void *arg)
{
    struct conn *c = arg;
    (void)s;
    if (depth > 0)
        return validated;
    if (!validated || (c->key && !leaf_key_in(der, len, &c->key, 1))) {
        net_log(c->net, RCP_LOG_WARN, "DTLS server %s:%u (\"%s\") refused: %s", c->host, c->port,
                cn ? cn : "?",
                validated ? "its key is not the one configured" : "certificate not valid");
        return 0;
    }
    return 1;
}

static void pki_setup(coap_dtls_pki_t *p, const struct ident *id, coap_dtls_cn_callback_t cb,
                      void *arg)
{
    memset(p, 0, sizeof *p);
    p->version = COAP_DTLS_PKI_SETUP_VERSION;
    p->verify_peer_cert = 1;
    p->check_common_ca = 1;
    p->allow_self_signed = 0;
    p->allow_expired_certs = 0;
    p->cert_chain_validation = 1;
    p->cert_chain_verify_depth = 3;
    p->validate_cn_call_back = cb;
    p->cn_call_back_arg = arg;
    p->pki_key.key_type = COAP_PKI_KEY_PEM_BUF;
    p->pki_key.key.pem_buf.ca_cert = (const uint8_t *)id->ca;
    p->pki_key.key.pem_buf.ca_cert_len = id->ca_len;
    p->pki_key.key.pem_buf.public_cert = (const uint8_t *)id->cert;
    p->pki_key.key.pem_buf.public_cert_len = id->cert_len;
    p->pki_key.key.pem_buf.private_key = (const uint8_t *)id->key;
    p->pki_key.key.pem_buf.private_key_len = id->key_len;
}

/* ------------------------------------------------------------- addresses */
static int make_addr(const char *host, uint16_t port, coap_address_t *a)
{
    coap_address_init(a);
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &a->addr.sin.sin_addr) == 1) {
        a->addr.sin.sin_family = AF_INET;
        a->addr.sin.sin_port = htons(port);
        a->size = sizeof a->addr.sin;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a->addr.sin6.sin6_addr) == 1) {
        a->addr.sin6.sin6_family = AF_INET6;
        a->addr.sin6.sin6_port = htons(port);
        a->size = sizeof a->addr.sin6;
        return 0;
    }
    return -1;
}

/* ------------------------------------------------------------ requests */
static void request_unlink(rcp_net *n, struct request *r)
{
    for (struct request **p = &n->requests; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            if (r->conn && r->conn->used)
                r->conn->used--;
            break;
        }
}

static void request_free(struct request *r)
{
    if (r) {
        free(r->body);
        free(r);
    }
}

static struct request *request_find(rcp_net *n, coap_session_t *s, coap_bin_const_t tok)
{
    for (struct request *r = n->requests; r; r = r->next)
        if (r->conn->session == s && r->token_len == tok.length &&
            memcmp(r->token, tok.s, tok.length) == 0)
            return r;
    return NULL;
}

static struct conn *conn_get(rcp_net *n, const char *host, uint16_t port, struct ident *id,
                             const rcp_ec_key *key, const void *owner, unsigned nstart)
{
    struct conn *c;
    for (c = n->conns; c; c = c->next)
        if (!c->dead && c->owner == owner && c->port == port && c->id == id &&
            strcmp(c->host, host) == 0 &&
            ((c->key == NULL && key == NULL) || (c->key && key && rcp_ec_key_equal(c->key, key))))
            return c;
    coap_address_t dst;
    if (make_addr(host, port, &dst) != 0 || strlen(host) >= sizeof c->host)
        return NULL;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->net = n;
    c->owner = owner;
    snprintf(c->host, sizeof c->host, "%s", host);
    c->port = port;
    c->id = id;
    if (key && rcp_ec_key_ref((rcp_ec_key *)key, &c->key) != 0) {
        free(c);
        return NULL;
    }
    if (id) {
        pki_setup(&c->pki, id, client_cn_check, c);
        c->session = coap_new_client_session_pki(n->ctx, NULL, &dst, COAP_PROTO_DTLS, &c->pki);
    } else {
        c->session = coap_new_client_session(n->ctx, NULL, &dst, COAP_PROTO_UDP);
    }
    if (c->session == NULL) {
        rcp_ec_key_free(c->key);
        free(c);
        return NULL;
    }
    coap_fixed_point_t t = {n->o.ack_timeout_ms / 1000, n->o.ack_timeout_ms % 1000};
    coap_session_set_ack_timeout(c->session, t);
    coap_session_set_max_retransmit(c->session, n->o.max_retransmit);
    if (nstart > 1)
        coap_session_set_nstart(c->session, (uint16_t)nstart);
    c->next = n->conns;
    n->conns = c;
    return c;
}

/* Complete a request: the answer (err 0) or the failure goes to its owner. */
static void request_done(rcp_net *n, struct request *r, int err, const uint8_t *msg, size_t len,
                         const char *why);

/* Block size exponent (RFC 7959 2.2: size = 2^(szx + 4)) of a block size. */
static unsigned szx_of(unsigned block_size)
{
    unsigned szx = 0;
    while (szx < 6 && (16u << szx) < block_size)
        szx++;
    return szx;
}

static int add_uint_option(coap_pdu_t *pdu, coap_option_num_t num, unsigned v)
{
    uint8_t b[4];
    return coap_add_option(pdu, num, coap_encode_var_safe(b, sizeof b, v), b) != 0;
}

/* Send the next message of request r: the whole body, its Block1 block
 * r->b1_num, or (block2 >= 0) the request for answer block block2 of size
 * 2^(szx2+4).  Each message has a token of its own. */
static int transmit(rcp_net *n, struct request *r, long block2, unsigned szx2)
{
    struct conn *c = r->conn;
    unsigned bs = n->o.block_size, szx = szx_of(bs);
    coap_pdu_t *pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST, c->session);
    if (pdu == NULL)
        return RCP_ERR_NO_MEMORY;
    coap_session_new_token(c->session, &r->token_len, r->token);
    int ok =
        coap_add_token(pdu, r->token_len, r->token) &&
        coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(r->path), (const uint8_t *)r->path) &&
        add_uint_option(pdu, COAP_OPTION_CONTENT_FORMAT, COAP_MEDIATYPE_APPLICATION_OCTET_STREAM);
    if (ok && block2 >= 0) {
        ok = add_uint_option(pdu, COAP_OPTION_BLOCK2, ((unsigned)block2 << 4) | szx2) &&
             coap_add_option(pdu, COAP_OPTION_RTAG, sizeof r->rtag, r->rtag);
    } else if (ok && r->body_len > bs) {
        size_t off = (size_t)r->b1_num * bs, part = r->body_len - off;
        unsigned more = part > bs;
        if (more)
            part = bs;
        ok = add_uint_option(pdu, COAP_OPTION_BLOCK1, (r->b1_num << 4) | (more << 3) | szx) &&
             (r->b1_num != 0 || add_uint_option(pdu, COAP_OPTION_SIZE1, (unsigned)r->body_len)) &&
             coap_add_option(pdu, COAP_OPTION_RTAG, sizeof r->rtag, r->rtag) &&
             coap_add_data(pdu, part, r->body + off);
    } else if (ok) {
        ok = coap_add_option(pdu, COAP_OPTION_RTAG, sizeof r->rtag, r->rtag) &&
             (r->body_len == 0 || coap_add_data(pdu, r->body_len, r->body));
    }
    if (!ok) {
        coap_delete_pdu(pdu);
        return RCP_ERR_NO_MEMORY;
    }
    if (coap_send(c->session, pdu) == COAP_INVALID_MID)
        return RCP_ERR_IO;
    return RCP_OK;
}

static int send_request(rcp_net *n, struct conn *c, const char *path, const uint8_t *msg,
                        size_t len, struct request *r)
{
    if (len > RCP_MSG_MAX || strlen(path) >= sizeof r->path)
        return RCP_ERR_LENGTH;
    r->body = malloc(len ? len : 1);
    if (r->body == NULL)
        return RCP_ERR_NO_MEMORY;
    if (len)
        memcpy(r->body, msg, len);
    r->body_len = len;
    snprintf(r->path, sizeof r->path, "%s", path);
    /* Request-Tag (RFC 9175): block transfers of different requests on one
     * session stay apart at the server. */
    uint32_t tag = ++n->next_rtag;
    for (int i = 0; i < 4; i++)
        r->rtag[i] = (uint8_t)(tag >> (24 - 8 * i));
    r->conn = c;
    r->deadline_ms = now_ms() + n->o.request_timeout_ms;
    r->next = n->requests;
    n->requests = r;
    c->used++;
    int ret = transmit(n, r, -1, 0);
    if (ret) {
        request_unlink(n, r);
        free(r->body);
        r->body = NULL;
        return ret;
    }
    n->st.requests_out++;
    n->st.bytes_out += len;
    return RCP_OK;
}

int rcp_net_request(rcp_net *n, const char *host, uint16_t port, const char *path,
                    const rcp_net_identity *id, const rcp_ec_key *key, const void *owner,
                    const uint8_t *msg, size_t len, rcp_net_reply_fn cb, void *ctx)
{
    if (n == NULL || host == NULL || path == NULL || cb == NULL || (msg == NULL && len))
        return RCP_ERR_INVALID_ARG;
    struct ident *k = NULL;
    if (id && (k = ident_get(n, id)) == NULL)
        return RCP_ERR_INVALID_ARG;
    struct conn *c = conn_get(n, host, port, k, key, owner, 1);
    if (c == NULL)
        return RCP_ERR_INVALID_ARG;
    struct request *r = calloc(1, sizeof *r);
    if (r == NULL)
        return RCP_ERR_NO_MEMORY;
    r->cb = cb;
    r->cb_ctx = ctx;
    int ret = send_request(n, c, path, msg, len, r);
    if (ret)
        request_free(r);
    return ret;
}

/* ------------------------------------------------------------ exchanges */
static void exchange_free(rcp_net *n, struct exchange *ex)
{
    for (struct exchange **p = &n->exchanges; *p; p = &(*p)->next)
        if (*p == ex) {
            *p = ex->next;
            break;
        }
    for (struct request *r = n->requests; r; r = r->next)
        if (r->ex == ex)
            r->ex = NULL;
    coap_session_release(ex->session);
    rcp_wipe(ex, sizeof *ex);
    free(ex);
}

/* Give a waiting exchange its answer; libcoap calls the resource handler
 * again with the request, which sends it. */
static void exchange_answer(rcp_net *n, struct exchange *ex, coap_pdu_code_t code,
                            const uint8_t *msg, size_t len)
{
    (void)n;
    if (ex->ready)
        return;
    ex->ready = 1;
    ex->code = code;
    ex->len = len <= sizeof ex->buf ? len : 0;
    if (ex->len)
        memcpy(ex->buf, msg, ex->len);
    coap_async_trigger(ex->async);
}

static int exchange_waits(const rcp_net *n, const struct exchange *ex)
{
    for (const struct request *r = n->requests; r; r = r->next)
        if (r->ex == ex)
            return 1;
    return 0;
}

static struct peer *peer_find(rcp_net *n, const char *name)
{
    for (size_t i = 0; i < n->n_peers; i++)
        if (strcmp(n->peers[i].name, name) == 0)
            return &n->peers[i];
    return NULL;
}

static int is_answer(rcp_dest d)
{
    return d == RCP_TO_REPLY || d == RCP_TO_DEVICE;
}

/* Send the step's messages for peers; their answers go back to svc, and
 * ex (may be NULL) waits for them.  Returns how many were sent. */
static size_t route_to_peers(rcp_net *n, struct service *svc, const rcp_step *st,
                             struct exchange *ex)
{
    size_t sent = 0;
    for (size_t i = 0; i < st->n_out; i++) {
        const rcp_out_msg *o = &st->out[i];
        if (is_answer(o->to) || o->to == RCP_TO_NONE)
            continue;
        struct peer *p = peer_find(n, o->peer);
        if (p == NULL) {
            net_log(n, RCP_LOG_ERROR, "no peer \"%s\" configured for a message of type %u", o->peer,
                    o->type);
            continue;
        }
        struct conn *c = conn_get(n, p->host, p->port, p->id, p->key, NULL, n->o.peer_nstart);
        struct request *r = calloc(1, sizeof *r);
        if (c == NULL || r == NULL) {
            request_free(r);
            net_log(n, RCP_LOG_ERROR, "cannot reach peer %s at %s:%u", p->name, p->host, p->port);
            continue;
        }
        r->svc = svc;
        r->ex = ex;
        if (send_request(n, c, p->path, o->buf, o->len, r) != 0) {
            request_free(r);
            net_log(n, RCP_LOG_ERROR, "cannot send to peer %s", p->name);
            continue;
        }
        net_log(n, RCP_LOG_DEBUG, "-> %s: message type %u, %zu bytes", p->name, o->type, o->len);
        sent++;
    }
    return sent;
}

static const rcp_out_msg *step_answer(const rcp_step *st)
{
    for (size_t i = 0; i < st->n_out; i++)
        if (is_answer(st->out[i].to))
            return &st->out[i];
    return NULL;
}

static void request_done(rcp_net *n, struct request *r, int err, const uint8_t *msg, size_t len,
                         const char *why)
{
    request_unlink(n, r);
    if (err)
        n->st.failures++;
    /* A peer that stopped answering may have restarted and forgotten the
     * (DTLS) session: the next request opens a fresh one. */
    if ((err == RCP_ERR_TIMEOUT || err == RCP_ERR_IO) && r->conn)
        r->conn->dead = 1;
    if (r->cb) {
        r->cb(r->cb_ctx, err, msg, len, why);
        request_free(r);
        return;
    }
    struct service *svc = r->svc;
    struct exchange *ex = r->ex;
    if (err) {
        request_free(r);
        net_log(n, RCP_LOG_WARN, "peer request failed: %s", why ? why : rcp_strerror(err));
        if (ex && !exchange_waits(n, ex))
            exchange_answer(n, ex,
                            err == RCP_ERR_TIMEOUT ? COAP_RESPONSE_CODE_GATEWAY_TIMEOUT
                                                   : COAP_RESPONSE_CODE_BAD_GATEWAY,
                            (const uint8_t *)(why ? why : ""), why ? strlen(why) : 0);
        return;
    }
    rcp_step st;
    /* msg may point into r (a block-wise answer put together there). */
    int ret = svc->h(svc->ctx, msg, len, &st);
    request_free(r);
    if (ret)
        net_log(n, RCP_LOG_INFO, "/%s: peer answer: %s: %s", svc->path, rcp_errname(ret), st.why);
    const rcp_out_msg *a = step_answer(&st);
    route_to_peers(n, svc, &st, ex);
    if (ex == NULL)
        return;
    if (a)
        exchange_answer(n, ex, COAP_RESPONSE_CODE_CHANGED, a->buf, a->len);
    else if (!exchange_waits(n, ex))
        exchange_answer(n, ex, COAP_RESPONSE_CODE_INTERNAL_ERROR, (const uint8_t *)st.why,
                        strlen(st.why));
}

/* ------------------------------------------------------ block buffers */
/* The Request-Tag of a request (empty when absent). */
static void request_tag(const coap_pdu_t *req, uint8_t tag[8], size_t *len)
{
    coap_opt_iterator_t it;
    coap_opt_t *o = coap_check_option(req, COAP_OPTION_RTAG, &it);
    *len = 0;
    if (o && coap_opt_length(o) <= 8) {
        *len = coap_opt_length(o);
        memcpy(tag, coap_opt_value(o), *len);
    }
}

static struct blockbuf *blockbuf_find(rcp_net *n, coap_session_t *s, const void *svc, int answer,
                                      const coap_pdu_t *req)
{
    uint8_t tag[8];
    size_t tl = 0;
    request_tag(req, tag, &tl);
    for (struct blockbuf *b = n->blocks; b; b = b->next)
        if (b->session == s && b->svc == svc && b->answer == answer && b->rtag_len == tl &&
            memcmp(b->rtag, tag, tl) == 0)
            return b;
    return NULL;
}

static void blockbuf_drop(rcp_net *n, struct blockbuf *b)
{
    for (struct blockbuf **q = &n->blocks; *q; q = &(*q)->next)
        if (*q == b) {
            *q = b->next;
            break;
        }
    coap_session_release(b->session);
    rcp_wipe(b, sizeof *b);
    free(b);
}

/* A fresh buffer for (session, service, direction, Request-Tag),
 * replacing a stale one. */
static struct blockbuf *blockbuf_new(rcp_net *n, coap_session_t *s, const void *svc, int answer,
                                     const coap_pdu_t *req)
{
    struct blockbuf *b = blockbuf_find(n, s, svc, answer, req);
    if (b)
        blockbuf_drop(n, b);
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    request_tag(req, b->rtag, &b->rtag_len);
    b->session = coap_session_reference(s);
    b->svc = svc;
    b->answer = answer;
    b->last_ms = now_ms();
    b->next = n->blocks;
    n->blocks = b;
    return b;
}

/* Answer block num (size 2^(szx+4), at most the answer's own block size)
 * of the answer in b; the last block frees b. */
static void serve_block(rcp_net *n, struct blockbuf *b, coap_pdu_t *resp, unsigned num,
                        unsigned szx)
{
    if (szx > b->szx) {
        /* Larger blocks than ours were asked for: same offset, our size. */
        num <<= szx - b->szx;
        szx = b->szx;
    }
    size_t bs = (size_t)16 << szx, off = (size_t)num * bs;
    if (off >= b->len) {
        coap_pdu_set_code(resp, COAP_RESPONSE_CODE_BAD_OPTION);
        coap_add_data(resp, 21, (const uint8_t *)"no such block (Block2)");
        return;
    }
    size_t part = b->len - off < bs ? b->len - off : bs;
    unsigned more = off + part < b->len;
    coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CHANGED);
    if (!add_uint_option(resp, COAP_OPTION_CONTENT_FORMAT,
                         COAP_MEDIATYPE_APPLICATION_OCTET_STREAM) ||
        !add_uint_option(resp, COAP_OPTION_BLOCK2, (num << 4) | (more << 3) | szx) ||
        (num == 0 && !add_uint_option(resp, COAP_OPTION_SIZE2, (unsigned)b->len)) ||
        !coap_add_data(resp, part, b->buf + off))
        coap_pdu_set_code(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR);
    b->last_ms = now_ms();
    if (!more)
        blockbuf_drop(n, b);
}

/* -------------------------------------------------------- server side */
static void respond(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
                    coap_pdu_t *resp, coap_pdu_code_t code, const uint8_t *msg, size_t len)
{
    rcp_net *n = coap_get_app_data(coap_session_get_context(s));
    coap_pdu_set_code(resp, code);
    n->st.responses_out++;
    if (len == 0)
        return;
    if (COAP_RESPONSE_CLASS(code) == 2) {
        n->st.bytes_out += len;
        if (len > n->o.block_size && len <= RCP_MSG_MAX) {
            /* Block-wise (Block2): the first block now, the others on request. */
            struct blockbuf *b = blockbuf_new(n, s, coap_resource_get_userdata(res), 1, req);
            if (b == NULL) {
                coap_pdu_set_code(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR);
                return;
            }
            memcpy(b->buf, msg, len);
            b->len = len;
            b->szx = szx_of(n->o.block_size);
            serve_block(n, b, resp, 0, b->szx);
            return;
        }
        if (!add_uint_option(resp, COAP_OPTION_CONTENT_FORMAT,
                             COAP_MEDIATYPE_APPLICATION_OCTET_STREAM) ||
            !coap_add_data(resp, len, msg))
            coap_pdu_set_code(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR);
    } else {
        /* Diagnostic payload (RFC 7252 5.5.2): UTF-8 text for people. */
        coap_add_data(resp, len < 200 ? len : 200, msg);
    }
}

static void respond_text(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
                         coap_pdu_t *resp, coap_pdu_code_t code, const char *why)
{
    respond(res, s, req, resp, code, (const uint8_t *)why, strlen(why));
}

static int session_on_dtls(const coap_session_t *s)
{
    return coap_session_get_proto(s) == COAP_PROTO_DTLS;
}

static void on_post(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
                    const coap_string_t *query, coap_pdu_t *resp)
{
    (void)query;
    rcp_net *n = coap_get_app_data(coap_session_get_context(s));
    struct service *svc = coap_resource_get_userdata(res);
    coap_bin_const_t tok = coap_pdu_get_token(req);
    coap_async_t *as = coap_find_async(s, tok);
    if (as) {
        struct exchange *ex = coap_async_get_app_data(as);
        if (ex == NULL || !ex->ready)
            return; /* a repeat while the peer works: empty ACK again */
        respond(res, s, req, resp, ex->code, ex->buf, ex->len);
        /* libcoap frees the async entry itself once this handler returns. */
        coap_async_set_app_data(as, NULL);
        exchange_free(n, ex);
        return;
    }
    if (svc->dtls_only && !session_on_dtls(s)) {
        respond_text(res, s, req, resp, COAP_RESPONSE_CODE_UNAUTHORIZED,
                     "this service is offered over DTLS only");
        return;
    }
    if (session_on_dtls(s) && coap_session_get_app_data(s) != &verified_mark) {
        respond_text(res, s, req, resp, COAP_RESPONSE_CODE_UNAUTHORIZED,
                     "no accepted client certificate");
        return;
    }
    size_t len = 0;
    const uint8_t *data = NULL;
    if (!coap_get_data(req, &len, &data)) {
        len = 0;
        data = (const uint8_t *)"";
    }
    coap_block_t blk;
    if (coap_get_block(req, COAP_OPTION_BLOCK2, &blk) && blk.num > 0) {
        /* The client fetches the next block of an answer (Block2). */
        struct blockbuf *b = blockbuf_find(n, s, svc, 1, req);
        if (b == NULL)
            respond_text(res, s, req, resp, COAP_RESPONSE_CODE_INCOMPLETE,
                         "no block-wise answer in progress");
        else
            serve_block(n, b, resp, blk.num, blk.szx);
        return;
    }
    /* Draining: no new exchange; the blocks of one in flight still pass. */
    int has_b1 = coap_get_block(req, COAP_OPTION_BLOCK1, &blk);
    if (n->draining && (!has_b1 || blk.num == 0)) {
        respond_text(res, s, req, resp, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE,
                     "shutting down, retry later");
        return;
    }
    struct blockbuf *in = NULL;
    if (has_b1) {
        /* One block of a request (Block1): put the body together. */
        size_t bs = (size_t)16 << blk.szx, off = (size_t)blk.num * bs;
        in = blk.num == 0 ? blockbuf_new(n, s, svc, 0, req) : blockbuf_find(n, s, svc, 0, req);
        if (in == NULL || off > in->len || len > RCP_MSG_MAX - off || (blk.m && len != bs)) {
            if (in)
                blockbuf_drop(n, in);
            respond_text(res, s, req, resp,
                         off + len > RCP_MSG_MAX ? COAP_RESPONSE_CODE_REQUEST_TOO_LARGE
                                                 : COAP_RESPONSE_CODE_INCOMPLETE,
                         off + len > RCP_MSG_MAX ? "message larger than 2048 bytes"
                                                 : "block-wise request out of order");
            return;
        }
        memcpy(in->buf + off, data, len);
        in->len = off + len;
        in->last_ms = now_ms();
        if (blk.m) {
            coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CONTINUE);
            if (!add_uint_option(resp, COAP_OPTION_BLOCK1, (blk.num << 4) | (1u << 3) | blk.szx))
                coap_pdu_set_code(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR);
            return;
        }
        data = in->buf;
        len = in->len;
    } else if (len > RCP_MSG_MAX) {
        respond_text(res, s, req, resp, COAP_RESPONSE_CODE_REQUEST_TOO_LARGE,
                     "message larger than 2048 bytes");
        return;
    }
    n->st.requests_in++;
    n->st.bytes_in += len;
    rcp_step st;
    int ret = svc->h(svc->ctx, data, len, &st);
    if (in)
        blockbuf_drop(n, in);
    if (ret)
        net_log(n, RCP_LOG_INFO, "/%s: %s: %s", svc->path, rcp_errname(ret), st.why);
    const rcp_out_msg *a = step_answer(&st);
    if (a) {
        route_to_peers(n, svc, &st, NULL);
        respond(res, s, req, resp, COAP_RESPONSE_CODE_CHANGED, a->buf, a->len);
        return;
    }
    int has_peer = 0;
    for (size_t i = 0; i < st.n_out; i++)
        has_peer |= !is_answer(st.out[i].to) && st.out[i].to != RCP_TO_NONE;
    if (!has_peer) {
        if (ret)
            respond_text(res, s, req, resp, COAP_RESPONSE_CODE_BAD_REQUEST, st.why);
        else
            respond(res, s, req, resp, COAP_RESPONSE_CODE_CHANGED, NULL, 0);
        return;
    }
    /* The answer needs a peer first: a separate response. */
    struct exchange *ex = calloc(1, sizeof *ex);
    if (ex == NULL) {
        respond_text(res, s, req, resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "out of memory");
        return;
    }
    ex->async = coap_register_async(s, req, 0);
    if (ex->async == NULL) {
        free(ex);
        respond_text(res, s, req, resp, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE, "busy");
        return;
    }
    ex->svc = svc;
    ex->session = coap_session_reference(s);
    ex->token_len = tok.length <= TOKEN_MAX ? tok.length : 0;
    memcpy(ex->token, tok.s, ex->token_len);
    coap_async_set_app_data(ex->async, ex);
    ex->next = n->exchanges;
    n->exchanges = ex;
    if (route_to_peers(n, svc, &st, ex) == 0) {
        /* Nothing could be sent: answer now (next loop turn). */
        exchange_answer(n, ex, COAP_RESPONSE_CODE_BAD_GATEWAY, (const uint8_t *)"peer unreachable",
                        16);
    }
    /* No response code: libcoap sends an empty ACK for a CON request. */
}

/* -------------------------------------------------------- client side */
static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
                                   const coap_pdu_t *recv, const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    rcp_net *n = coap_get_app_data(coap_session_get_context(s));
    struct request *r = request_find(n, s, coap_pdu_get_token(recv));
    if (r == NULL)
        return COAP_RESPONSE_OK; /* late answer to a request given up */
    coap_pdu_code_t code = coap_pdu_get_code(recv);
    size_t len = 0;
    const uint8_t *data = NULL;
    if (!coap_get_data(recv, &len, &data)) {
        len = 0;
        data = (const uint8_t *)"";
    }
    coap_block_t b;
    if (code == COAP_RESPONSE_CODE_CONTINUE) {
        /* Block1: the server took block b1_num; send the next one. */
        size_t bs = n->o.block_size;
        if ((size_t)(r->b1_num + 1) * bs >= r->body_len ||
            (coap_get_block(recv, COAP_OPTION_BLOCK1, &b) && b.num != r->b1_num)) {
            request_done(n, r, RCP_ERR_PROTOCOL, NULL, 0, "unexpected 2.31 Continue");
            return COAP_RESPONSE_OK;
        }
        r->b1_num++;
        int ret = transmit(n, r, -1, 0);
        if (ret)
            request_done(n, r, ret, NULL, 0, "cannot send the next block");
        return COAP_RESPONSE_OK;
    }
    if (COAP_RESPONSE_CLASS(code) == 2 && coap_get_block(recv, COAP_OPTION_BLOCK2, &b)) {
        /* Block2: one block of the answer; ask for the next until the last. */
        size_t off = (size_t)b.num << (b.szx + 4);
        if (off != r->got || len > sizeof r->answer - off || (b.m && len != (16u << b.szx))) {
            request_done(n, r, RCP_ERR_PROTOCOL, NULL, 0,
                         "block-wise answer out of order or too large");
            return COAP_RESPONSE_OK;
        }
        memcpy(r->answer + off, data, len);
        r->got = off + len;
        if (b.m) {
            int ret = transmit(n, r, (long)b.num + 1, b.szx);
            if (ret)
                request_done(n, r, ret, NULL, 0, "cannot ask for the next block");
            return COAP_RESPONSE_OK;
        }
        data = r->answer;
        len = r->got;
    }
    n->st.replies_in++;
    if (COAP_RESPONSE_CLASS(code) == 2) {
        n->st.bytes_in += len;
        request_done(n, r, 0, data, len, NULL);
        return COAP_RESPONSE_OK;
    }
    char why[256];
    int cls = COAP_RESPONSE_CLASS(code), detail = code & 0x1f;
    snprintf(why, sizeof why, "CoAP %d.%02d: %.*s", cls, detail, (int)(len < 200 ? len : 200),
             (const char *)data);
    int err = RCP_ERR_PROTOCOL;
    if (code == COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE || code == COAP_RESPONSE_CODE_BAD_GATEWAY)
        err = RCP_ERR_UNAVAILABLE;
    else if (code == COAP_RESPONSE_CODE_GATEWAY_TIMEOUT)
        err = RCP_ERR_TIMEOUT;
    request_done(n, r, err, NULL, 0, why);
    return COAP_RESPONSE_OK;
}

static void fail_session(rcp_net *n, coap_session_t *s, int err, const char *why)
{
    struct request *r = n->requests;
    while (r) {
        struct request *next = r->next;
        if (r->conn->session == s)
            request_done(n, r, err, NULL, 0, why);
        r = next;
    }
}

static void on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
                    const coap_mid_t mid)
{
    (void)mid;
    rcp_net *n = coap_get_app_data(coap_session_get_context(s));
    const char *why = "no answer after every retransmission";
    int err = RCP_ERR_TIMEOUT;
    switch (reason) {
    case COAP_NACK_TOO_MANY_RETRIES:
        break;
    case COAP_NACK_TLS_FAILED:
        why = "DTLS handshake failed (certificate not accepted?)";
        err = RCP_ERR_UNAVAILABLE;
        break;
    case COAP_NACK_RST:
        why = "peer reset the exchange";
        err = RCP_ERR_UNAVAILABLE;
        break;
    default:
        why = "peer unreachable";
        err = RCP_ERR_UNAVAILABLE;
        break;
    }
    struct request *r = sent ? request_find(n, s, coap_pdu_get_token(sent)) : NULL;
    if (r)
        request_done(n, r, err, NULL, 0, why);
    else if (reason != COAP_NACK_TOO_MANY_RETRIES || sent == NULL)
        fail_session(n, s, err, why);
}

static int on_event(coap_session_t *s, const coap_event_t ev)
{
    rcp_net *n = coap_get_app_data(coap_session_get_context(s));
    if (ev == COAP_EVENT_DTLS_ERROR || ev == COAP_EVENT_DTLS_CLOSED ||
        ev == COAP_EVENT_SESSION_FAILED || ev == COAP_EVENT_SESSION_CLOSED) {
        for (struct conn *c = n->conns; c; c = c->next)
            if (c->session == s)
                c->dead = 1;
    }
    return 0;
}

/* ------------------------------------------------------------ set-up */
int rcp_net_new(const rcp_net_opts *o, rcp_net **out)
{
    static int started;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    rcp_net_opts d;
    rcp_net_opts_default(&d);
    if (o) {
        d.log_level = o->log_level;
        d.log = o->log;
        d.log_ctx = o->log_ctx;
        if (o->block_size)
            d.block_size = o->block_size;
        if (o->ack_timeout_ms)
            d.ack_timeout_ms = o->ack_timeout_ms < 1000 ? 1000 : o->ack_timeout_ms;
        if (o->max_retransmit)
            d.max_retransmit = o->max_retransmit;
        if (o->request_timeout_ms)
            d.request_timeout_ms = o->request_timeout_ms;
        d.peer_nstart = o->peer_nstart;
    }
    if (d.block_size < 16 || d.block_size > 1024 || (d.block_size & (d.block_size - 1)) ||
        (unsigned)d.log_level > RCP_LOG_DEBUG || d.max_retransmit > 20 || d.peer_nstart > 256)
        return RCP_ERR_INVALID_ARG;
    if (!started) {
        coap_startup();
        coap_set_log_handler(coap_log_sink);
        started = 1;
    }
    coap_set_log_level(d.log_level >= RCP_LOG_DEBUG ? LOG_WARNING : LOG_ERR);
    rcp_net *n = calloc(1, sizeof *n);
    if (n == NULL)
        return RCP_ERR_NO_MEMORY;
    n->o = d;
    n->ctx = coap_new_context(NULL);
    if (n->ctx == NULL) {
        free(n);
        return RCP_ERR_NO_MEMORY;
    }
    coap_set_app_data(n->ctx, n);
    /* Block-wise transfer is done by this file (see struct blockbuf), not by
     * libcoap's block mode. */
    /* libcoap walks every session of an endpoint on each turn of the loop:
     * idle device sessions (a device between two messages, or finished)
     * are dropped beyond 256 and after 30 s, so a busy server does not
     * slow down with the number of devices it has ever seen.  A session an
     * exchange still waits on is referenced and stays. */
    coap_context_set_max_idle_sessions(n->ctx, 256);
    coap_context_set_session_timeout(n->ctx, 30);
    coap_register_response_handler(n->ctx, on_response);
    coap_register_nack_handler(n->ctx, on_nack);
    coap_register_event_handler(n->ctx, on_event);
    *out = n;
    return RCP_OK;
}

void rcp_net_free(rcp_net *n)
{
    if (n == NULL)
        return;
    /* No callbacks into half-freed lists while sessions close. */
    coap_register_event_handler(n->ctx, NULL);
    coap_register_nack_handler(n->ctx, NULL);
    coap_register_response_handler(n->ctx, NULL);
    while (n->requests) {
        struct request *r = n->requests;
        n->requests = r->next;
        request_free(r);
    }
    while (n->blocks)
        blockbuf_drop(n, n->blocks);
    while (n->exchanges) {
        struct exchange *ex = n->exchanges;
        n->exchanges = ex->next;
        coap_session_release(ex->session);
        free(ex);
    }
    struct conn *c = n->conns;
    n->conns = NULL;
    while (c) {
        struct conn *next = c->next;
        coap_session_release(c->session);
        rcp_ec_key_free(c->key);
        free(c);
        c = next;
    }
    coap_free_context(n->ctx);
    for (size_t i = 0; i < n->n_peers; i++)
        rcp_ec_key_free(n->peers[i].key);
    for (size_t i = 0; i < n->n_accept; i++)
        rcp_ec_key_free(n->accept[i]);
    for (size_t i = 0; i < n->n_idents; i++)
        ident_free(n->idents[i]);
    free(n);
}

static int path_ok(const char *p)
{
    size_t len = p ? strlen(p) : 0;
    if (len == 0 || len > 63)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
            return 0;
    return 1;
}

int rcp_net_add_service(rcp_net *n, const char *path, rcp_net_handler h, void *ctx, int dtls_only)
{
    if (n == NULL || h == NULL || !path_ok(path) || n->n_svcs == MAX_SERVICES)
        return RCP_ERR_INVALID_ARG;
    struct service *svc = &n->svcs[n->n_svcs];
    snprintf(svc->path, sizeof svc->path, "%s", path);
    svc->h = h;
    svc->ctx = ctx;
    svc->dtls_only = dtls_only;
    coap_resource_t *r = coap_resource_init(coap_make_str_const(svc->path), 0);
    if (r == NULL)
        return RCP_ERR_NO_MEMORY;
    coap_register_handler(r, COAP_REQUEST_POST, on_post);
    coap_resource_set_userdata(r, svc);
    coap_add_attr(r, coap_make_str_const("rt"), coap_make_str_const("\"rcprov\""), 0);
    coap_add_resource(n->ctx, r);
    n->n_svcs++;
    return RCP_OK;
}

/* A listener's UDP receive queue, enlarged: a server taking bursts from many
 * devices otherwise drops datagrams once the default queue (about 200 KB,
 * a hundred or so datagrams) is full, and each drop costs the sender a
 * retransmission timeout.  libcoap 3.0 gives no handle on an endpoint's
 * socket, so it is found by its bound port.  The kernel caps the size at
 * net.core.rmem_max. */
#define RCVBUF_WANTED (4 << 20)

static void grow_rcvbuf(uint16_t port)
{
    for (int fd = 3; fd < 4096; fd++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int type = 0;
        socklen_t tl = sizeof type;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
            getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_DGRAM)
            continue;
        uint16_t p = ss.ss_family == AF_INET    ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                     : ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                                : 0;
        if (p != port)
            continue;
        int want = RCVBUF_WANTED;
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    }
}

int rcp_net_listen(rcp_net *n, const char *host, uint16_t port, const rcp_net_identity *id,
                   const rcp_ec_key *const *accept, size_t n_accept)
{
    coap_address_t a;
    if (n == NULL || host == NULL || n->n_lis == MAX_LISTENERS || make_addr(host, port, &a) != 0)
        return RCP_ERR_INVALID_ARG;
    if (id) {
        if (n->has_dtls_listener || n_accept == 0 || n_accept > MAX_ACCEPT || accept == NULL ||
            !coap_dtls_is_supported())
            return RCP_ERR_INVALID_ARG;
        struct ident *k = ident_get(n, id);
        if (k == NULL)
            return RCP_ERR_INVALID_ARG;
        for (size_t i = 0; i < n_accept; i++)
            if (rcp_ec_key_ref((rcp_ec_key *)accept[i], &n->accept[n->n_accept++]) != 0)
                return RCP_ERR_INVALID_ARG;
        pki_setup(&n->server_pki, k, server_cn_check, n);
        if (!coap_context_set_pki(n->ctx, &n->server_pki))
            return RCP_ERR_CRYPTO;
        n->has_dtls_listener = 1;
    }
    coap_endpoint_t *ep = coap_new_endpoint(n->ctx, &a, id ? COAP_PROTO_DTLS : COAP_PROTO_UDP);
    if (ep == NULL)
        return RCP_ERR_IO;
    /* The port actually bound (port 0 asks the system for one): libcoap 3.0
     * has no getter for an endpoint's socket, but prints "ADDR:PORT ...". */
    uint16_t bound = port;
    if (port == 0) {
        const char *str = coap_endpoint_str(ep);
        const char *colon = str ? strrchr(str, ':') : NULL;
        if (colon)
            bound = (uint16_t)strtoul(colon + 1, NULL, 10);
    }
    grow_rcvbuf(bound);
    n->lis[n->n_lis].ep = ep;
    n->lis[n->n_lis].port = bound;
    n->lis[n->n_lis].dtls = id != NULL;
    n->n_lis++;
    return RCP_OK;
}

uint16_t rcp_net_port(const rcp_net *n, size_t i)
{
    return n && i < n->n_lis ? n->lis[i].port : 0;
}

int rcp_net_add_peer(rcp_net *n, const char *name, const char *host, uint16_t port,
                     const char *path, const rcp_net_identity *id, const rcp_ec_key *key)
{
    coap_address_t a;
    if (n == NULL || name == NULL || host == NULL || !path_ok(path) || n->n_peers == MAX_PEERS ||
        strlen(name) >= sizeof n->peers[0].name || strlen(host) >= sizeof n->peers[0].host ||
        make_addr(host, port, &a) != 0 || peer_find(n, name) || (id && key == NULL))
        return RCP_ERR_INVALID_ARG;
    struct peer *p = &n->peers[n->n_peers];
    memset(p, 0, sizeof *p);
    if (id && (p->id = ident_get(n, id)) == NULL)
        return RCP_ERR_INVALID_ARG;
    if (key && rcp_ec_key_ref((rcp_ec_key *)key, &p->key) != 0)
        return RCP_ERR_INVALID_ARG;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->host, sizeof p->host, "%s", host);
    snprintf(p->path, sizeof p->path, "%s", path);
    p->port = port;
    n->n_peers++;
    return RCP_OK;
}

int rcp_net_add_timer(rcp_net *n, unsigned period_ms, int (*fn)(void *ctx, rcp_step *out),
                      void *ctx, const char *service_path)
{
    if (n == NULL || fn == NULL || period_ms == 0 || n->n_timers == MAX_TIMERS)
        return RCP_ERR_INVALID_ARG;
    struct service *svc = NULL;
    for (size_t i = 0; i < n->n_svcs; i++)
        if (service_path && strcmp(n->svcs[i].path, service_path) == 0)
            svc = &n->svcs[i];
    if (svc == NULL)
        return RCP_ERR_INVALID_ARG;
    n->timers[n->n_timers++] = (struct timer){period_ms, now_ms() + period_ms, fn, ctx, svc};
    return RCP_OK;
}

void rcp_net_release(rcp_net *n, const void *owner)
{
    if (n == NULL || owner == NULL)
        return;
    for (struct conn *c = n->conns; c; c = c->next)
        if (c->owner == owner)
            c->dead = 1; /* closed by housekeeping once no request uses it */
}

/* ------------------------------------------------------------ the loop */
static void housekeeping(rcp_net *n)
{
    uint64_t t = now_ms();
    /* Requests past their deadline. */
    for (int again = 1; again;) {
        again = 0;
        for (struct request *r = n->requests; r; r = r->next)
            if (t >= r->deadline_ms) {
                request_done(n, r, RCP_ERR_TIMEOUT, NULL, 0, "no answer in time");
                again = 1;
                break;
            }
    }
    /* Client sessions that failed: drop them once nothing uses them. */
    for (struct conn **p = &n->conns; *p;) {
        struct conn *c = *p;
        if (c->dead && c->used == 0) {
            *p = c->next;
            coap_session_release(c->session);
            rcp_ec_key_free(c->key);
            free(c);
        } else {
            p = &c->next;
        }
    }
    /* Block-wise transfers abandoned half way. */
    for (struct blockbuf *b = n->blocks, *next; b; b = next) {
        next = b->next;
        if (t - b->last_ms > n->o.request_timeout_ms)
            blockbuf_drop(n, b);
    }
    if (n->draining)
        return;
    for (size_t i = 0; i < n->n_timers; i++) {
        struct timer *tm = &n->timers[i];
        if (t < tm->next_ms)
            continue;
        tm->next_ms = t + tm->period_ms;
        rcp_step st;
        rcp_step_init(&st);
        if (tm->fn(tm->ctx, &st) != 0)
            net_log(n, RCP_LOG_WARN, "timer of /%s: %s", tm->svc->path, st.why);
        route_to_peers(n, tm->svc, &st, NULL);
    }
}

int rcp_net_run(rcp_net *n, unsigned timeout_ms)
{
    if (n == NULL)
        return RCP_ERR_INVALID_ARG;
    int r = coap_io_process(n->ctx, timeout_ms ? timeout_ms : COAP_IO_NO_WAIT);
    housekeeping(n);
    return r < 0 ? RCP_ERR_IO : RCP_OK;
}

void rcp_net_drain(rcp_net *n)
{
    if (n)
        n->draining = 1;
}

size_t rcp_net_in_flight(const rcp_net *n)
{
    size_t k = 0;
    if (n == NULL)
        return 0;
    for (const struct exchange *ex = n->exchanges; ex; ex = ex->next)
        k++;
    for (const struct request *r = n->requests; r; r = r->next)
        k++;
    return k;
}

void rcp_net_get_stats(const rcp_net *n, rcp_net_stats *out)
{
    if (n && out)
        *out = n->st;
}
