/*
 * rcprov — configuration files (conf.h, docs/config.md).
 *
 * The whole file is parsed up front into sections of (key, value, line)
 * entries; the typed getters then only look values up, so every error, the
 * parser's and the getters', names the file and the line it is about.
 * Values are never secrets (secrets live in files the configuration names),
 * so messages may quote them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "rcprov/bytes.h"

#define CONF_FILE_MAX (1u << 20) /* 1 MiB */
#define CONF_LINE_MAX 1023       /* characters, line end excluded */
#define CONF_QUOTE 64            /* characters of a value quoted in a message */

typedef struct {
    char *key;
    char *value;
    unsigned line;
} conf_entry;

struct conf_section {
    char *name;
    unsigned line;
    conf_entry *e;
    size_t n, cap;
};

struct conf {
    char *name; /* for messages */
    char *dir;  /* relative paths resolve here; NULL: the current directory */
    conf_section **s;
    size_t n, cap;
};

static void set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || cap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* "file:line: [section] key: " + message. */
static void key_err(const conf *c, const conf_section *s, const char *key, char *err, size_t cap,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void key_err(const conf *c, const conf_section *s, const char *key, char *err, size_t cap,
                    const char *fmt, ...)
{
    char where[CONF_ERR_MAX], msg[CONF_ERR_MAX];
    va_list ap;
    if (err == NULL || cap == 0)
        return;
    conf_where(c, s, key, where, sizeof where);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, cap, "%s: [%s] %s: %s", where, s ? s->name : "?", key, msg);
}

/* ------------------------------------------------------------- parsing */

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}
static int is_key_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}
static int is_section_char(char ch)
{
    return is_key_char(ch) || ch == '.' || ch == '-';
}

static char *dup_n(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static conf_section *add_section(conf *c, const char *name, size_t len, unsigned line)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        conf_section **s = realloc(c->s, cap * sizeof *s);
        if (s == NULL)
            return NULL;
        c->s = s;
        c->cap = cap;
    }
    conf_section *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->name = dup_n(name, len);
    if (s->name == NULL) {
        free(s);
        return NULL;
    }
    s->line = line;
    c->s[c->n++] = s;
    return s;
}

static int add_entry(conf_section *s, const char *key, size_t key_len, const char *val,
                     size_t val_len, unsigned line)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        conf_entry *e = realloc(s->e, cap * sizeof *e);
        if (e == NULL)
            return -1;
        s->e = e;
        s->cap = cap;
    }
    conf_entry *e = &s->e[s->n];
    e->key = dup_n(key, key_len);
    e->value = dup_n(val, val_len);
    e->line = line;
    if (e->key == NULL || e->value == NULL) {
        free(e->key);
        free(e->value);
        return -1;
    }
    s->n++;
    return 0;
}

/* One line [p, e) (line end removed).  0, or -1 with err set. */
static int parse_line(conf *c, conf_section **cur, const char *p, const char *e, unsigned line,
                      char *err, size_t cap)
{
    while (p < e && is_blank(*p))
        p++;
    if (p == e || *p == '#' || *p == ';')
        return 0;
    if (*p == '[') {
        const char *q = memchr(p, ']', (size_t)(e - p));
        if (q == NULL) {
            set_err(err, cap, "%s:%u: section header without ']'", c->name, line);
            return -1;
        }
        const char *name = p + 1;
        size_t len = (size_t)(q - name);
        int ok = len > 0;
        for (size_t i = 0; ok && i < len; i++)
            ok = is_section_char(name[i]);
        if (!ok) {
            set_err(err, cap,
                    "%s:%u: bad section name [%.*s] (lowercase letters, digits, '_', '.', '-')",
                    c->name, line, (int)(len > CONF_QUOTE ? CONF_QUOTE : len), name);
            return -1;
        }
        for (q++; q < e && is_blank(*q); q++)
            ;
        if (q != e) {
            set_err(err, cap,
                    "%s:%u: text after the section header [%.*s] (comments go on their own line)",
                    c->name, line, (int)len, name);
            return -1;
        }
        *cur = add_section(c, name, len, line);
        if (*cur == NULL) {
            set_err(err, cap, "%s:%u: out of memory", c->name, line);
            return -1;
        }
        return 0;
    }
    /* key = value */
    const char *k = p;
    while (p < e && !is_blank(*p) && *p != '=')
        p++;
    size_t key_len = (size_t)(p - k);
    while (p < e && is_blank(*p))
        p++;
    if (p == e || *p != '=' || key_len == 0) {
        set_err(err, cap, "%s:%u: expected '[section]', 'key = value' or a comment", c->name, line);
        return -1;
    }
    for (size_t i = 0; i < key_len; i++) {
        if (!is_key_char(k[i])) {
            set_err(err, cap, "%s:%u: bad key '%.*s' (lowercase letters, digits and '_')", c->name,
                    line, (int)(key_len > CONF_QUOTE ? CONF_QUOTE : key_len), k);
            return -1;
        }
    }
    if (*cur == NULL) {
        set_err(err, cap, "%s:%u: key '%.*s' before any [section]", c->name, line, (int)key_len, k);
        return -1;
    }
    const char *v = p + 1;
    while (v < e && is_blank(*v))
        v++;
    const char *ve = e;
    while (ve > v && is_blank(ve[-1]))
        ve--;
    if (v == ve) {
        set_err(err, cap, "%s:%u: [%s] %.*s: empty value (leave the key out to get its default)",
                c->name, line, (*cur)->name, (int)key_len, k);
        return -1;
    }
    /* No quoting, so no inline comments either; refusing "x  # note" beats
     * silently taking the note as part of a path. */
    for (const char *t = v + 1; t < ve; t++) {
        if ((*t == '#' || *t == ';') && is_blank(t[-1])) {
            set_err(err, cap, "%s:%u: [%s] %.*s: '%c' after a blank: comments go on their own line",
                    c->name, line, (*cur)->name, (int)key_len, k, *t);
            return -1;
        }
    }
    if (add_entry(*cur, k, key_len, v, (size_t)(ve - v), line)) {
        set_err(err, cap, "%s:%u: out of memory", c->name, line);
        return -1;
    }
    return 0;
}

int conf_parse(const char *text, size_t len, const char *name, const char *dir, conf **out,
               char *err, size_t cap)
{
    if (out == NULL || (text == NULL && len > 0)) {
        set_err(err, cap, "conf_parse: bad arguments");
        return -1;
    }
    *out = NULL;
    if (name == NULL)
        name = "(configuration)";
    if (len > CONF_FILE_MAX) {
        set_err(err, cap, "%s: larger than 1 MiB: not a configuration file", name);
        return -1;
    }
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul) {
        unsigned line = 1;
        for (const char *t = text; t < nul; t++)
            line += *t == '\n';
        set_err(err, cap, "%s:%u: NUL byte: not a text file", name, line);
        return -1;
    }
    conf *c = calloc(1, sizeof *c);
    if (c == NULL) {
        set_err(err, cap, "%s: out of memory", name);
        return -1;
    }
    c->name = strdup(name);
    c->dir = dir ? strdup(dir) : NULL;
    if (c->name == NULL || (dir && c->dir == NULL)) {
        conf_free(c);
        set_err(err, cap, "%s: out of memory", name);
        return -1;
    }
    conf_section *cur = NULL;
    const char *p = text, *end = text + len;
    for (unsigned line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (e > p && e[-1] == '\r')
            e--;
        if ((size_t)(e - p) > CONF_LINE_MAX) {
            set_err(err, cap, "%s:%u: line longer than %u characters", name, line, CONF_LINE_MAX);
            conf_free(c);
            return -1;
        }
        if (parse_line(c, &cur, p, e, line, err, cap)) {
            conf_free(c);
            return -1;
        }
        p = nl ? nl + 1 : end;
    }
    *out = c;
    return 0;
}

/* The directory part of path, made absolute so that the configuration's
 * relative paths keep their meaning after a chdir. */
static char *dir_of(const char *path)
{
    char buf[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof buf)
        return NULL;
    if (n == 0) {
        buf[0] = '.';
        n = 1;
    } else {
        memcpy(buf, path, n);
    }
    buf[n] = '\0';
    char *abs = realpath(buf, NULL);
    return abs ? abs : strdup(buf);
}

int conf_load(const char *path, conf **out, char *err, size_t cap)
{
    struct stat st;
    char *buf = NULL, *dir = NULL;
    size_t len = 0;
    int ret = -1;
    if (path == NULL || out == NULL) {
        set_err(err, cap, "conf_load: bad arguments");
        return -1;
    }
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, cap, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        set_err(err, cap, "%s: cannot stat: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, cap, "%s: not a regular file", path);
        goto done;
    }
    if (st.st_size > (off_t)CONF_FILE_MAX) {
        set_err(err, cap, "%s: larger than 1 MiB: not a configuration file", path);
        goto done;
    }
    buf = malloc(CONF_FILE_MAX + 1);
    if (buf == NULL) {
        set_err(err, cap, "%s: out of memory", path);
        goto done;
    }
    for (;;) { /* the file may grow while read: stop one byte past the limit */
        ssize_t r = read(fd, buf + len, CONF_FILE_MAX + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            set_err(err, cap, "%s: cannot read: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > CONF_FILE_MAX) {
            set_err(err, cap, "%s: larger than 1 MiB: not a configuration file", path);
            goto done;
        }
    }
    dir = dir_of(path);
    if (dir == NULL) {
        set_err(err, cap, "%s: path too long", path);
        goto done;
    }
    ret = conf_parse(buf, len, path, dir, out, err, cap);
done:
    free(buf);
    free(dir);
    close(fd);
    return ret;
}

void conf_free(conf *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        conf_section *s = c->s[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->e[j].key);
            free(s->e[j].value);
        }
        free(s->e);
        free(s->name);
        free(s);
    }
    free(c->s);
    free(c->name);
    free(c->dir);
    free(c);
}

/* ------------------------------------------------------------ sections */

size_t conf_n_sections(const conf *c)
{
    return c ? c->n : 0;
}

const conf_section *conf_section_at(const conf *c, size_t i)
{
    return c && i < c->n ? c->s[i] : NULL;
}

const char *conf_section_name(const conf_section *s)
{
    return s ? s->name : NULL;
}

size_t conf_count(const conf *c, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; c && name && i < c->n; i++)
        n += strcmp(c->s[i]->name, name) == 0;
    return n;
}

const conf_section *conf_find(const conf *c, const char *name, size_t i)
{
    for (size_t j = 0; c && name && j < c->n; j++)
        if (strcmp(c->s[j]->name, name) == 0 && i-- == 0)
            return c->s[j];
    return NULL;
}

static int listed(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

static void join(char *out, size_t cap, const char *const *list, size_t n)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && off < cap; i++) {
        int w = snprintf(out + off, cap - off, "%s%s", i ? ", " : "", list[i]);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

int conf_check_sections(const conf *c, const char *const *allowed, size_t n, char *err, size_t cap)
{
    char known[CONF_ERR_MAX];
    for (size_t i = 0; c && i < c->n; i++) {
        if (!listed(c->s[i]->name, allowed, n)) {
            join(known, sizeof known, allowed, n);
            set_err(err, cap, "%s:%u: unknown section [%s] (known: %s)", c->name, c->s[i]->line,
                    c->s[i]->name, known);
            return -1;
        }
    }
    return 0;
}

int conf_check_keys(const conf *c, const conf_section *s, const char *const *allowed, size_t n,
                    const char *const *repeatable, size_t n_rep, char *err, size_t cap)
{
    char known[CONF_ERR_MAX];
    for (size_t i = 0; s && i < s->n; i++) {
        const conf_entry *e = &s->e[i];
        if (!listed(e->key, allowed, n)) {
            join(known, sizeof known, allowed, n);
            set_err(err, cap, "%s:%u: [%s] %s: unknown key (known in [%s]: %s)", c->name, e->line,
                    s->name, e->key, s->name, known);
            return -1;
        }
        if (listed(e->key, repeatable, n_rep))
            continue;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->e[j].key, e->key) == 0) {
                set_err(err, cap, "%s:%u: [%s] %s: given twice (also on line %u)", c->name, e->line,
                        s->name, e->key, s->e[j].line);
                return -1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------- getters */

static const conf_entry *find_nth(const conf_section *s, const char *key, size_t i)
{
    for (size_t j = 0; s && key && j < s->n; j++)
        if (strcmp(s->e[j].key, key) == 0 && i-- == 0)
            return &s->e[j];
    return NULL;
}

void conf_where_nth(const conf *c, const conf_section *s, const char *key, size_t i, char *out,
                    size_t cap)
{
    if (out == NULL || cap == 0)
        return;
    const conf_entry *e = find_nth(s, key, i);
    snprintf(out, cap, "%s:%u", c && c->name ? c->name : "(configuration)",
             e   ? e->line
             : s ? s->line
                 : 0);
}

void conf_where(const conf *c, const conf_section *s, const char *key, char *out, size_t cap)
{
    conf_where_nth(c, s, key, 0, out, cap);
}

size_t conf_all(const conf_section *s, const char *key, const char **vals, size_t max)
{
    size_t n = 0;
    for (size_t j = 0; s && key && j < s->n && n < max; j++)
        if (strcmp(s->e[j].key, key) == 0)
            vals[n++] = s->e[j].value;
    return n;
}

/* The value of key, NULL when absent (an error if required). */
static int get(const conf *c, const conf_section *s, const char *key, int required,
               const char **val, char *err, size_t cap)
{
    const conf_entry *e = find_nth(s, key, 0);
    *val = e ? e->value : NULL;
    if (e == NULL && required) {
        key_err(c, s, key, err, cap, "missing (required in [%s])", s ? s->name : "?");
        return -1;
    }
    return 0;
}

int conf_str(const conf *c, const conf_section *s, const char *key, int required, const char **out,
             char *err, size_t cap)
{
    const char *v;
    if (get(c, s, key, required, &v, err, cap))
        return -1;
    if (v)
        *out = v;
    return 0;
}

/* Decimal digits only: no sign, no blanks, no 0x; overflow is an error. */
static int parse_u64(const char *v, uint64_t *out)
{
    uint64_t x = 0;
    if (*v == '\0')
        return -1;
    for (; *v; v++) {
        if (*v < '0' || *v > '9')
            return -1;
        unsigned d = (unsigned)(*v - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

int conf_uint(const conf *c, const conf_section *s, const char *key, int required, uint64_t min,
              uint64_t max, uint64_t *out, char *err, size_t cap)
{
    const char *v;
    uint64_t x;
    if (get(c, s, key, required, &v, err, cap))
        return -1;
    if (v == NULL)
        return 0;
    if (parse_u64(v, &x) || x < min || x > max) {
        key_err(c, s, key, err, cap, "not a number between %llu and %llu", (unsigned long long)min,
                (unsigned long long)max);
        return -1;
    }
    *out = x;
    return 0;
}

int conf_resolve(const conf *c, const char *value, char *out, size_t cap)
{
    int n;
    if (value == NULL || out == NULL || cap == 0)
        return -1;
    if (value[0] == '/' || c == NULL || c->dir == NULL)
        n = snprintf(out, cap, "%s", value);
    else if (strcmp(c->dir, "/") == 0)
        n = snprintf(out, cap, "/%s", value);
    else
        n = snprintf(out, cap, "%s/%s", c->dir, value);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int conf_path(const conf *c, const conf_section *s, const char *key, int required, char *out,
              size_t out_cap, char *err, size_t cap)
{
    const char *v;
    if (get(c, s, key, required, &v, err, cap))
        return -1;
    if (v == NULL)
        return 0;
    if (conf_resolve(c, v, out, out_cap)) {
        key_err(c, s, key, err, cap, "path too long");
        return -1;
    }
    return 0;
}

int conf_hex(const conf *c, const conf_section *s, const char *key, int required, uint8_t *out,
             size_t len, char *err, size_t cap)
{
    const char *v;
    if (get(c, s, key, required, &v, err, cap))
        return -1;
    if (v == NULL)
        return 0;
    if (strlen(v) != 2 * len || rcp_hex_decode_exact(v, out, len) != 0) {
        key_err(c, s, key, err, cap, "not %zu hex digits", 2 * len);
        return -1;
    }
    return 0;
}

int conf_enum(const conf *c, const conf_section *s, const char *key, int required,
              const char *const *names, size_t n, int *out, char *err, size_t cap)
{
    char known[CONF_ERR_MAX];
    const char *v;
    if (get(c, s, key, required, &v, err, cap))
        return -1;
    if (v == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    join(known, sizeof known, names, n);
    key_err(c, s, key, err, cap, "'%.*s' is not one of: %s", CONF_QUOTE, v, known);
    return -1;
}

int conf_endpoint(const conf *c, const conf_section *s, const char *key, int required, char *host,
                  size_t host_cap, uint16_t *port, char *err, size_t cap)
{
    const char *v, *h, *colon;
    size_t h_len;
    uint64_t p;
    char tmp[64];
    unsigned char addr[16];
    int v6 = 0;
    if (get(c, s, key, required, &v, err, cap))
        return -1;
    if (v == NULL)
        return 0;
    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || close[1] != ':') {
            key_err(c, s, key, err, cap, "'%.*s' is not [IPv6]:port (e.g. [::1]:5683)", CONF_QUOTE,
                    v);
            return -1;
        }
        h = v + 1;
        h_len = (size_t)(close - h);
        colon = close + 1;
        v6 = 1;
    } else {
        colon = strrchr(v, ':');
        if (colon == NULL) {
            key_err(c, s, key, err, cap,
                    "'%.*s' is not host:port (e.g. 127.0.0.1:5683, [::1]:5683, localhost:5683)",
                    CONF_QUOTE, v);
            return -1;
        }
        if (memchr(v, ':', (size_t)(colon - v)) != NULL) {
            key_err(c, s, key, err, cap, "'%.*s': an IPv6 address goes in brackets ([::1]:5683)",
                    CONF_QUOTE, v);
            return -1;
        }
        h = v;
        h_len = (size_t)(colon - v);
    }
    if (h_len == 0 || h_len >= sizeof tmp) {
        key_err(c, s, key, err, cap, "'%.*s': host must be an IP address or localhost", CONF_QUOTE,
                v);
        return -1;
    }
    memcpy(tmp, h, h_len);
    tmp[h_len] = '\0';
    int ok = v6 ? inet_pton(AF_INET6, tmp, addr) == 1
                : strcmp(tmp, "localhost") == 0 || inet_pton(AF_INET, tmp, addr) == 1;
    if (!ok) {
        key_err(c, s, key, err, cap, "'%.*s': host must be an IP address or localhost", CONF_QUOTE,
                v);
        return -1;
    }
    if (parse_u64(colon + 1, &p) || p < 1 || p > 65535) {
        key_err(c, s, key, err, cap, "'%.*s': port must be a number between 1 and 65535",
                CONF_QUOTE, v);
        return -1;
    }
    if (host == NULL || h_len >= host_cap) {
        key_err(c, s, key, err, cap, "'%.*s': host too long", CONF_QUOTE, v);
        return -1;
    }
    memcpy(host, tmp, h_len + 1);
    *port = (uint16_t)p;
    return 0;
}
