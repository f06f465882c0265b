/* The Serving Network's composite store transactions: AKA completion,
 * acknowledgement, SQN advance.  Each failure leaves the store unchanged.
 * On SQLite (in memory), and on PostgreSQL too when $RCP_PG_URL is set
 * (tests/scripts/store_pg.sh), on an empty schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rcprov/aka.h"
#include "rcprov/bytes.h"
#include "rcprov/store.h"
#include "tools/pg_test.h"

static rcp_store *provisioned(const char *url, char imsi[RCP_IMSI_MAX + 1], uint8_t authz[16],
                              uint8_t uuid[16])
{
    rcp_store *st = NULL;
    rcp_milenage_consts c;
    rcp_provision_request rq;
    rcp_provision_result pr;
    uint8_t k[16] = {1}, opc[16] = {2};
    rcp_milenage_consts_default(&c);
    memset(&rq, 0, sizeof rq);
    memset(uuid, 0x11, 16);
    memset(authz, 0x22, 16);
    memcpy(rq.uuid, uuid, 16);
    memset(rq.nonce, 0x33, 16);
    memcpy(rq.authz_id, authz, 16);
    memset(rq.tre_kid, 0x44, 8);
    rq.mcc = "001";
    rq.mnc = "01";
    rq.msin_first = 1000000000u;
    rq.msin_last = 1000000009u;
    rq.msin_digits = 10;
    rq.auths = "auths.test";
    rq.k = k;
    rq.opc = opc;
    rq.consts = &c;
    if (rcp_store_open(url, &st) != 0) {
        rcp_t_fail_at(__FILE__, __LINE__, "cannot open %s", url);
        exit(rcp_t_done("test_store_sn"));
    }
    CHECK_OK(rcp_store_provision(st, &rq, 100, &pr));
    memcpy(imsi, pr.sub.imsi, RCP_IMSI_MAX + 1);
    rcp_wipe(&pr, sizeof pr);
    return st;
}

static void digest(rcp_store *st, uint8_t d[32])
{
    CHECK_OK(rcp_store_digest(st, d));
}

static int next_plus_32(void *ctx, uint64_t sqn, uint64_t *next)
{
    (void)ctx;
    *next = sqn + 32;
    return 0;
}

static int refuse(void *ctx, uint64_t sqn, uint64_t *next)
{
    (void)ctx, (void)sqn, (void)next;
    return RCP_ERR_RANGE;
}

static void run(const char *url)
{
    char imsi[RCP_IMSI_MAX + 1];
    uint8_t authz[16], uuid[16], before[32], after[32], rand[16];
    rcp_allocation al;
    rcp_hss_subscriber sub;
    rcp_store *st = provisioned(url, imsi, authz, uuid);
    memset(rand, 0x55, sizeof rand);

    /* SQN advance: read-modify-write in one transaction. */
    CHECK_OK(rcp_store_hss_advance(st, imsi, next_plus_32, NULL, &sub));
    CHECK(sub.sqn == 32);
    CHECK_OK(rcp_store_hss_advance(st, imsi, next_plus_32, NULL, &sub));
    CHECK(sub.sqn == 64);
    digest(st, before);
    CHECK_ERR(rcp_store_hss_advance(st, imsi, refuse, NULL, &sub), RCP_ERR_RANGE);
    CHECK_ERR(rcp_store_hss_advance(st, "001019999999999", next_plus_32, NULL, &sub),
              RCP_ERR_NOT_FOUND);
    digest(st, after);
    CHECK_MEM(after, before, 32);

    /* Acknowledgement before AKA is refused and changes nothing. */
    CHECK_ERR(rcp_store_alloc_acked(st, uuid, authz), RCP_ERR_STATE);
    digest(st, after);
    CHECK_MEM(after, before, 32);

    /* AKA completion: once per RAND, moves PROVISIONED -> AKA_OK. */
    CHECK_OK(rcp_store_aka_complete(st, imsi, rand, 200, &al));
    CHECK(al.state == RCP_ALLOC_AKA_OK && memcmp(al.uuid, uuid, 16) == 0);
    digest(st, before);
    CHECK_ERR(rcp_store_aka_complete(st, imsi, rand, 201, &al), RCP_ERR_REPLAY);
    CHECK_ERR(rcp_store_aka_complete(st, "001019999999999", (const uint8_t *)"0123456789abcdef",
                                     201, &al),
              RCP_ERR_NOT_FOUND);
    digest(st, after);
    CHECK_MEM(after, before, 32);
    /* A second AKA run (new RAND) keeps AKA_OK. */
    rand[0] ^= 1;
    CHECK_OK(rcp_store_aka_complete(st, imsi, rand, 202, &al));
    CHECK(al.state == RCP_ALLOC_AKA_OK);

    /* Acknowledgement: only for the latest authorization; repeatable. */
    uint8_t other[16];
    memset(other, 0x99, sizeof other);
    digest(st, before);
    CHECK_ERR(rcp_store_alloc_acked(st, uuid, other), RCP_ERR_PROTOCOL);
    CHECK_ERR(rcp_store_alloc_acked(st, other, authz), RCP_ERR_NOT_FOUND);
    digest(st, after);
    CHECK_MEM(after, before, 32);
    CHECK_OK(rcp_store_alloc_acked(st, uuid, authz));
    CHECK_OK(rcp_store_alloc_by_uuid(st, uuid, &al));
    CHECK(al.state == RCP_ALLOC_ACKED);
    digest(st, before);
    CHECK_OK(rcp_store_alloc_acked(st, uuid, authz)); /* a retried ack: no change */
    digest(st, after);
    CHECK_MEM(after, before, 32);
    /* AKA after the ack keeps ACKED (a state never goes back). */
    rand[1] ^= 1;
    CHECK_OK(rcp_store_aka_complete(st, imsi, rand, 203, &al));
    CHECK(al.state == RCP_ALLOC_ACKED);

    CHECK_ERR(rcp_store_aka_complete(st, imsi, NULL, 1, &al), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_hss_advance(st, imsi, NULL, NULL, &sub), RCP_ERR_INVALID_ARG);
    rcp_wipe(&sub, sizeof sub);
    rcp_store_close(st);
}

int main(void)
{
    const char *pg_url = getenv("RCP_PG_URL");
    long pass0, fail0;

    run("sqlite::memory:");
    printf("test_store_sn: on SQLite: %ld passed, %ld failed\n", rcp_t_pass, rcp_t_fail);
    if (pg_url != NULL && pg_url[0] != '\0') {
        pass0 = rcp_t_pass;
        fail0 = rcp_t_fail;
        rcp_t_pg_reset(pg_url);
        run(pg_url);
        printf("test_store_sn: on PostgreSQL: %ld passed, %ld failed\n", rcp_t_pass - pass0,
               rcp_t_fail - fail0);
    }
    return rcp_t_done("test_store_sn");
}
