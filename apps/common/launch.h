/*
 * rcprov — starting and stopping rcprovd processes (demo, benches, tests).
 */
#ifndef RCP_APP_LAUNCH_H
#define RCP_APP_LAUNCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    char name[32];
    char ready_file[4096];
} launched;

/* The rcprovd program: $RCPROVD, else "rcprovd" beside this executable. */
int launch_find_daemon(char *out, size_t cap, char *err, size_t err_cap);

/* Start `rcprovd --config config --ready-file <config>.pid` with stdout and
 * stderr appended to log (NULL: inherited) and wait until it is ready
 * (at most timeout_ms) or exits.  0, or -1 with err. */
int launch_daemon(const char *daemon, const char *name, const char *config, const char *log,
                  unsigned timeout_ms, launched *out, char *err, size_t cap);

/* SIGTERM, then wait up to timeout_ms (then SIGKILL).  Returns the exit
 * status (0 for a clean stop), 128+signal if killed, -1 if not running. */
int launch_stop(launched *l, unsigned timeout_ms);

/* SIGKILL at once and reap (crash tests). */
void launch_kill(launched *l);

/* A UDP port on 127.0.0.1 that was free a moment ago. */
uint16_t launch_free_udp_port(void);

/* Parse "coap://HOST:PORT[/...]" or "coaps://...": host (brackets removed
 * for IPv6), port (default 5683 / 5684), *secure.  0 or -1. */
int launch_parse_url(const char *url, char *host, size_t host_cap, uint16_t *port, int *secure);

#endif
