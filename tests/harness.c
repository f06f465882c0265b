#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"

long rcp_t_pass;
long rcp_t_fail;

void rcp_t_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    rcp_t_fail++;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void print_hex(FILE *f, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%02x", p[i]);
}

void rcp_t_check_mem(const char *file, int line, const char *what, const uint8_t *got,
                     const uint8_t *want, size_t len)
{
    if (len == 0 || memcmp(got, want, len) == 0) {
        rcp_t_pass++;
        return;
    }
    rcp_t_fail_at(file, line, "%s differs", what);
    fprintf(stderr, "  got:  ");
    print_hex(stderr, got, len);
    fprintf(stderr, "\n  want: ");
    print_hex(stderr, want, len);
    fputc('\n', stderr);
}

int rcp_t_done(const char *name)
{
    printf("%s: %ld passed, %ld failed\n", name, rcp_t_pass, rcp_t_fail);
    if (rcp_t_pass == 0) {
        printf("%s: no check ran\n", name);
        return 1;
    }
    return rcp_t_fail == 0 ? 0 : 1;
}

json_t *rcp_t_load_json(const char *rel_path)
{
    const char *dir = getenv("RCP_VECTORS");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/vectors", rel_path);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (root == NULL) {
        fprintf(stderr, "cannot load %s: %s (line %d)\n", path, err.text, err.line);
        exit(2);
    }
    return root;
}

size_t rcp_t_hex_str(const char *hex, uint8_t *out, size_t cap)
{
    size_t len = 0;
    int ret = rcp_hex_decode(hex, out, cap, &len);
    if (ret) {
        fprintf(stderr, "bad hex in vector (%s): %.60s\n", rcp_errname(ret), hex);
        exit(2);
    }
    return len;
}

const char *rcp_t_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v)) {
        fprintf(stderr, "vector lacks string field '%s'\n", key);
        exit(2);
    }
    return json_string_value(v);
}

long long rcp_t_int(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) {
        fprintf(stderr, "vector lacks integer field '%s'\n", key);
        exit(2);
    }
    return json_integer_value(v);
}

size_t rcp_t_hex(const json_t *obj, const char *key, uint8_t *out, size_t cap)
{
    return rcp_t_hex_str(rcp_t_str(obj, key), out, cap);
}

static const char *g_file;
static long g_pass0, g_fail0;

void rcp_t_file_begin(const char *file)
{
    g_file = file;
    g_pass0 = rcp_t_pass;
    g_fail0 = rcp_t_fail;
}

void rcp_t_file_end(long cases)
{
    printf("  %-48s %5ld cases, %6ld checks passed, %ld failed\n", g_file, cases,
           rcp_t_pass - g_pass0, rcp_t_fail - g_fail0);
}
