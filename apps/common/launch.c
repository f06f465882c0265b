/* Starting and stopping rcprovd: launch.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"

int launch_find_daemon(char *out, size_t cap, char *err, size_t err_cap)
{
    const char *env = getenv("RCPROVD");
    if (env && *env) {
        if (access(env, X_OK) != 0) {
            snprintf(err, err_cap, "RCPROVD=%s: %s", env, strerror(errno));
            return -1;
        }
        snprintf(out, cap, "%s", env);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(err, err_cap, "cannot find this program's directory: %s", strerror(errno));
        return -1;
    }
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    if ((size_t)snprintf(out, cap, "%s/rcprovd", self) >= cap || access(out, X_OK) != 0) {
        snprintf(err, err_cap, "rcprovd not found beside rcprov (%s/rcprovd); set RCPROVD", self);
        return -1;
    }
    return 0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int launch_daemon(const char *daemon, const char *name, const char *config, const char *log,
                  unsigned timeout_ms, launched *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    if ((size_t)snprintf(out->ready_file, sizeof out->ready_file, "%s.pid", config) >=
        sizeof out->ready_file) {
        snprintf(err, cap, "%s: path too long", config);
        return -1;
    }
    unlink(out->ready_file);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, cap, "cannot start %s: %s", name, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (log) {
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        execl(daemon, "rcprovd", "--config", config, "--ready-file", out->ready_file,
              (char *)NULL);
        fprintf(stderr, "rcprov: cannot run %s: %s\n", daemon, strerror(errno));
        _exit(127);
    }
    out->pid = pid;
    for (unsigned waited = 0; waited <= timeout_ms; waited += 10) {
        if (access(out->ready_file, R_OK) == 0)
            return 0;
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            out->pid = 0;
            snprintf(err, cap, "%s exited at start (status %d)%s%s", name,
                     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                     log ? "; see " : "", log ? log : "");
            return -1;
        }
        sleep_ms(10);
    }
    launch_kill(out);
    snprintf(err, cap, "%s not ready after %u ms%s%s", name, timeout_ms, log ? "; see " : "",
             log ? log : "");
    return -1;
}

int launch_stop(launched *l, unsigned timeout_ms)
{
    if (l->pid <= 0)
        return -1;
    kill(l->pid, SIGTERM);
    int status = 0;
    for (unsigned waited = 0; waited <= timeout_ms; waited += 10) {
        if (waitpid(l->pid, &status, WNOHANG) == l->pid) {
            l->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        sleep_ms(10);
    }
    launch_kill(l);
    return 128 + SIGKILL;
}

void launch_kill(launched *l)
{
    if (l->pid <= 0)
        return;
    kill(l->pid, SIGKILL);
    waitpid(l->pid, NULL, 0);
    l->pid = 0;
}

uint16_t launch_free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    uint16_t port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

int launch_parse_url(const char *url, char *host, size_t host_cap, uint16_t *port, int *secure)
{
    const char *p;
    if (strncmp(url, "coap://", 7) == 0) {
        *secure = 0;
        *port = 5683;
        p = url + 7;
    } else if (strncmp(url, "coaps://", 8) == 0) {
        *secure = 1;
        *port = 5684;
        p = url + 8;
    } else {
        return -1;
    }
    const char *end;
    if (*p == '[') {
        end = strchr(p, ']');
        if (end == NULL)
            return -1;
        p++;
    } else {
        end = p + strcspn(p, ":/");
    }
    size_t hl = (size_t)(end - p);
    if (hl == 0 || hl >= host_cap)
        return -1;
    memcpy(host, p, hl);
    host[hl] = 0;
    if (*end == ']')
        end++;
    if (*end == ':') {
        char *stop = NULL;
        errno = 0;
        unsigned long v = strtoul(end + 1, &stop, 10);
        if (errno || stop == end + 1 || v == 0 || v > 65535 || (*stop && *stop != '/'))
            return -1;
        *port = (uint16_t)v;
    } else if (*end && *end != '/') {
        return -1;
    }
    unsigned char tmp[16];
    if (strcmp(host, "localhost") != 0 && inet_pton(AF_INET, host, tmp) != 1 &&
        inet_pton(AF_INET6, host, tmp) != 1)
        return -1;
    return 0;
}
