/* rcprov pki — shared declarations of the pki_*.c files (docs/cli-pki.md). */
#ifndef RCP_CLI_PKI_H
#define RCP_CLI_PKI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rcprov/cert.h"
#include "rcprov/crypto.h"
#include "rcprov/x509.h"

#define PKI_FILE_MAX (8u << 20) /* largest input file read */
#define PKI_MULTI_MAX 32        /* repeated --trusted / --untrusted / --crl */
#define PKI_DAY 86400LL

enum pki_format { PKI_X509 = 1, PKI_COMPACT = 2 };

/* What a file holds, by its first bytes and a trial parse. */
enum pki_kind {
    PKI_KIND_UNKNOWN = 0,
    PKI_KIND_X509_CERT,
    PKI_KIND_X509_CRL,
    PKI_KIND_COMPACT_CERT,
    PKI_KIND_COMPACT_CRL,
    PKI_KIND_KEY, /* a PEM private key: never a certificate */
};

const char *pki_format_name(enum pki_format f);
enum pki_kind pki_detect(const uint8_t *buf, size_t len);
const char *pki_kind_name(enum pki_kind k);

/* ------------------------------------------------------------ files */

/* Read a whole file (at most max bytes).  On failure prints
 * "<cmd>: <what> <path>: <reason>" and returns CLI_EXIT_USAGE. */
int pki_read_file(const char *cmd, const char *what, const char *path, size_t max, uint8_t **buf,
                  size_t *len);

/* Write data to path atomically: a temporary file in the same directory,
 * created with mode (O_EXCL, so a key is 0600 from its first byte), written,
 * fsync'ed, then renamed over path (replace) or linked to it (no replace:
 * fails with EEXIST when path exists).  Nothing is left on failure.
 * Returns 0 or an errno value. */
int pki_write_atomic(const char *path, const void *data, size_t len, mode_t mode, int replace);

/* 1 when path exists (any type). */
int pki_exists(const char *path);

/* ------------------------------------------------------------ values */

/* Time: Unix seconds, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC).
 * Prints the error naming opt; returns 0 or CLI_EXIT_USAGE. */
int pki_parse_time(const char *cmd, const char *opt, const char *s, int64_t *out);
void pki_fmt_time(int64_t t, char out[32]);

/* Subject name for --name/--org: 1..64 bytes of UTF-8, no control
 * characters.  Prints the error; returns 0 or CLI_EXIT_USAGE. */
int pki_check_name(const char *cmd, const char *opt, const char *s);

/* Serial bytes of a counter value (minimal big-endian, at least 1 byte). */
size_t pki_serial_bytes(uint64_t v, uint8_t out[8]);

/* Hex of bytes into out (NUL-terminated), "" on overflow. */
void pki_hex(const uint8_t *p, size_t n, char *out, size_t cap);

/* Split the repeatable options multi[] (each taking a value) out of argv:
 * their values go to vals[i][0..n[i]); the rest stays in argv (in order)
 * for cli_parse.  flags[] lists the options taking no value.  Prints the
 * error; returns 0 or CLI_EXIT_USAGE. */
int pki_split_multi(const char *cmd, int *argc, char **argv, const char *const *multi,
                    size_t n_multi, const char *const *flags, size_t n_flags,
                    const char *vals[][PKI_MULTI_MAX], size_t *n);

/* -------------------------------------------------------- CA directory */

/* A CA directory: DIR/ca.conf, DIR/ca.key (PKCS#8, 0600), DIR/ca.pem or
 * DIR/ca.cbor, DIR/serial, DIR/crlnumber, DIR/issued, DIR/revoked, DIR/lock. */
struct pki_ca {
    char dir[4096];
    enum pki_format format;
    rcp_ec_key *key;
    rcp_x509 *x509;                   /* PKI_X509 */
    uint8_t ccert[RCP_CCERT_MAX_LEN]; /* PKI_COMPACT */
    size_t ccert_len;
    rcp_ccert cc;
    char name[RCP_X509_DN_MAX]; /* commonName, or the DN when there is none */
    int lock_fd;
};

/* Load DIR (prints the error naming opt and returns CLI_EXIT_USAGE). */
int pki_ca_load(const char *cmd, const char *opt, const char *dir, struct pki_ca *ca);
void pki_ca_free(struct pki_ca *ca);

/* Exclusive lock on DIR/lock for a state update (released by _free). */
int pki_ca_lock(const char *cmd, struct pki_ca *ca);

/* Reserve the next serial (DIR/serial, atomic update under the lock). */
int pki_ca_next_serial(const char *cmd, struct pki_ca *ca, uint64_t *serial);

/* Reserve the next CRL number (DIR/crlnumber). */
int pki_ca_next_crl_number(const char *cmd, struct pki_ca *ca, uint64_t *number);

/* Append "SERIALHEX NOT_AFTER USAGE SUBJECT" to DIR/issued (atomic). */
int pki_ca_record_issued(const char *cmd, struct pki_ca *ca, const uint8_t *serial,
                         size_t serial_len, int64_t not_after, const char *usage,
                         const char *subject);

/* 1 if DIR/issued lists serial, 0 if not, -1 on a read error. */
int pki_ca_was_issued(struct pki_ca *ca, const uint8_t *serial, size_t serial_len);

/* Revoked serials from DIR/revoked. */
struct pki_revoked {
    uint8_t serial[RCP_X509_SERIAL_MAX];
    size_t serial_len;
    int64_t at;
};
int pki_ca_revoked(const char *cmd, struct pki_ca *ca, struct pki_revoked **list, size_t *n);
int pki_ca_add_revoked(const char *cmd, struct pki_ca *ca, const uint8_t *serial, size_t serial_len,
                       int64_t at);

/* Write a new CA directory dir (must not exist) atomically: built in a
 * temporary directory beside it and renamed.  cert is the CA's certificate
 * in its format's file encoding (PEM for x509, CBOR for compact);
 * next_serial starts DIR/serial (2 for a root, whose own certificate took 1). */
int pki_ca_create(const char *cmd, const char *opt, const char *dir, enum pki_format format,
                  const rcp_ec_key *key, const uint8_t *cert, size_t cert_len,
                  uint64_t next_serial);

/* ------------------------------------------------------------ commands */

int pki_cmd_init(int argc, char **argv);
int pki_cmd_issue(int argc, char **argv);
int pki_cmd_cross(int argc, char **argv);
int pki_cmd_revoke(int argc, char **argv);
int pki_cmd_crl(int argc, char **argv);
int pki_cmd_verify(int argc, char **argv);
int pki_cmd_show(int argc, char **argv);

#endif
