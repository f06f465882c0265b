/*
 * The canonical content digest of a store (encoding in store_impl.h and
 * docs/store.md).  A hash chain rather than one hash over a buffer, so the
 * digest of a store with a million subscribers needs one row of memory.
 */
#include <string.h>

#include "store/store_impl.h"

#define DIGEST_DOMAIN "rcprov-store-digest-v1"
#define DIGEST_ROW_TAG 'R'
#define DIGEST_TABLE_TAG 'T'
#define DIGEST_NULL 0x00
#define DIGEST_INT 0x01
#define DIGEST_TEXT 0x02
#define DIGEST_BLOB 0x03

static void put_u64(rcp_writer *w, uint64_t v)
{
    rcp_writer_u32be(w, (uint32_t)(v >> 32));
    rcp_writer_u32be(w, (uint32_t)v);
}

/* h = SHA-256(h || item) */
static void chain(rcp_store_digest_ctx *d, const uint8_t *item, size_t len)
{
    uint8_t next[RCP_SHA256_LEN];
    rcp_iov parts[2] = {{d->h, sizeof d->h}, {item, len}};
    int ret;

    if (d->err)
        return;
    ret = rcp_sha256_v(parts, 2, next);
    if (ret)
        d->err = ret;
    else
        memcpy(d->h, next, sizeof next);
}

void rcp_store_digest_init(rcp_store_digest_ctx *d)
{
    memset(d, 0, sizeof *d);
    d->err = rcp_sha256((const uint8_t *)DIGEST_DOMAIN, strlen(DIGEST_DOMAIN), d->h);
    rcp_writer_init(&d->w, d->row, sizeof d->row);
}

void rcp_store_digest_row_begin(rcp_store_digest_ctx *d, const char *table)
{
    size_t n = strlen(table);

    rcp_writer_init(&d->w, d->row, sizeof d->row);
    rcp_writer_u32be(&d->w, 0); /* the row's length prefix, patched by row_end */
    rcp_writer_u8(&d->w, DIGEST_ROW_TAG);
    rcp_writer_u32be(&d->w, (uint32_t)n);
    rcp_writer_put(&d->w, table, n);
}

void rcp_store_digest_null(rcp_store_digest_ctx *d)
{
    rcp_writer_u8(&d->w, DIGEST_NULL);
}

void rcp_store_digest_int(rcp_store_digest_ctx *d, int64_t v)
{
    rcp_writer_u8(&d->w, DIGEST_INT);
    put_u64(&d->w, (uint64_t)v);
}

static void put_bytes(rcp_store_digest_ctx *d, uint8_t tag, const uint8_t *p, size_t n)
{
    rcp_writer_u8(&d->w, tag);
    if (n > UINT32_MAX) {
        d->err = d->err ? d->err : RCP_ERR_LENGTH;
        return;
    }
    rcp_writer_u32be(&d->w, (uint32_t)n);
    if (n > 0)
        rcp_writer_put(&d->w, p, n);
}

void rcp_store_digest_text(rcp_store_digest_ctx *d, const uint8_t *p, size_t n)
{
    put_bytes(d, DIGEST_TEXT, p, n);
}

void rcp_store_digest_blob(rcp_store_digest_ctx *d, const uint8_t *p, size_t n)
{
    put_bytes(d, DIGEST_BLOB, p, n);
}

void rcp_store_digest_row_end(rcp_store_digest_ctx *d)
{
    int ret = rcp_writer_status(&d->w);
    uint32_t body;

    if (ret) {
        d->err = d->err ? d->err : ret;
        return;
    }
    body = (uint32_t)(d->w.len - 4);
    d->row[0] = (uint8_t)(body >> 24);
    d->row[1] = (uint8_t)(body >> 16);
    d->row[2] = (uint8_t)(body >> 8);
    d->row[3] = (uint8_t)body;
    chain(d, d->row, d->w.len);
    d->rows++;
}

void rcp_store_digest_table_end(rcp_store_digest_ctx *d, const char *table)
{
    uint8_t buf[128];
    rcp_writer w;
    size_t n = strlen(table);

    rcp_writer_init(&w, buf, sizeof buf);
    rcp_writer_u8(&w, DIGEST_TABLE_TAG);
    rcp_writer_u32be(&w, (uint32_t)n);
    rcp_writer_put(&w, table, n);
    put_u64(&w, d->rows);
    if (rcp_writer_status(&w)) {
        if (!d->err)
            d->err = rcp_writer_status(&w);
    } else {
        chain(d, buf, w.len);
    }
    d->rows = 0;
}

int rcp_store_digest_final(rcp_store_digest_ctx *d, uint8_t out[RCP_SHA256_LEN])
{
    int ret = d->err;

    if (ret == 0)
        memcpy(out, d->h, RCP_SHA256_LEN);
    rcp_wipe(d, sizeof *d);
    return ret;
}
