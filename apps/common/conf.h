/*
 * rcprov — configuration files (docs/config.md).
 *
 * INI: "[section]" lines, "key = value" lines, comments from '#' or ';' at
 * the start of a line (after blanks).  A section name may repeat (each
 * occurrence is its own section: [auths-peer] twice is two peers); a key
 * may repeat inside a section only where the reader asks for all values
 * (conf_all).  Every error message names the file, the line, the section
 * and the key: "sn.conf:12: [sn] msin_last: not a number".
 */
#ifndef RCP_APP_CONF_H
#define RCP_APP_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_ERR_MAX 512

typedef struct conf conf;
typedef struct conf_section conf_section;

/* Parse a file.  0, or -1 with err filled ("FILE:LINE: what is wrong"). */
int conf_load(const char *path, conf **out, char *err, size_t cap);
/* Parse text; name is used in messages and relative paths resolve against
 * dir (NULL: the current directory). */
int conf_parse(const char *text, size_t len, const char *name, const char *dir, conf **out,
               char *err, size_t cap);
void conf_free(conf *c); /* NULL ok */

/* Sections in file order. */
size_t conf_n_sections(const conf *c);
const conf_section *conf_section_at(const conf *c, size_t i);
const char *conf_section_name(const conf_section *s);
/* Number of sections called name, and the i-th of them (NULL if none). */
size_t conf_count(const conf *c, const char *name);
const conf_section *conf_find(const conf *c, const char *name, size_t i);

/* Refuse unknown section names: -1 and err naming the first unknown one. */
int conf_check_sections(const conf *c, const char *const *allowed, size_t n, char *err, size_t cap);
/* Refuse keys of s not in allowed, and keys given twice unless listed in
 * repeatable (may be NULL). */
int conf_check_keys(const conf *c, const conf_section *s, const char *const *allowed, size_t n,
                    const char *const *repeatable, size_t n_rep, char *err, size_t cap);

/* Typed getters.  Each returns 0 and sets *out, or -1 with err naming
 * file:line, section and key.  A missing key is an error when required,
 * else *out keeps its value (the default the caller put there) and 0 is
 * returned. */
int conf_str(const conf *c, const conf_section *s, const char *key, int required, const char **out,
             char *err, size_t cap);
int conf_uint(const conf *c, const conf_section *s, const char *key, int required, uint64_t min,
              uint64_t max, uint64_t *out, char *err, size_t cap);
/* A path; relative paths resolve against the configuration's directory. */
int conf_path(const conf *c, const conf_section *s, const char *key, int required, char *out,
              size_t out_cap, char *err, size_t cap);
/* Exactly len bytes of hex (2*len digits). */
int conf_hex(const conf *c, const conf_section *s, const char *key, int required, uint8_t *out,
             size_t len, char *err, size_t cap);
/* One of names[0..n): *out = its index. */
int conf_enum(const conf *c, const conf_section *s, const char *key, int required,
              const char *const *names, size_t n, int *out, char *err, size_t cap);
/* "host:port" or "[v6]:port" (port 1..65535; host must be an IP literal or
 * "localhost"): host copied without brackets. */
int conf_endpoint(const conf *c, const conf_section *s, const char *key, int required, char *host,
                  size_t host_cap, uint16_t *port, char *err, size_t cap);
/* Every value of a repeatable key, in order (at most max). */
size_t conf_all(const conf_section *s, const char *key, const char **vals, size_t max);
/* Resolve a value as a path (relative to the configuration's directory). */
int conf_resolve(const conf *c, const char *value, char *out, size_t cap);
/* "file:line" of a key (or of the section header when key is NULL). */
void conf_where(const conf *c, const conf_section *s, const char *key, char *out, size_t cap);
/* "file:line" of the i-th value of a repeatable key (as conf_all orders
 * them); the section header when there is no such value. */
void conf_where_nth(const conf *c, const conf_section *s, const char *key, size_t i, char *out,
                    size_t cap);

#endif
