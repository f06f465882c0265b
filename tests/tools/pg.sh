# A throwaway PostgreSQL cluster for tests.  Source it (bash), then:
#
#   rcp_pg_start            # initdb + start on a free 127.0.0.1 port + create
#                           # database rcprov_test; exports RCP_PG_URL
#   rcp_pg_createdb NAME    # another database; prints its URL
#
# Everything (server, data, sockets) is stopped and removed when the
# sourcing shell exits (an EXIT trap, run before the one the caller had set
# when rcp_pg_start ran; INT and TERM exit through it).  The
# server listens on 127.0.0.1 only, trusts local connections (nothing else
# can reach it), runs with fsync off, and runs as an unprivileged user:
# PostgreSQL refuses root, so as root (CI) the cluster belongs to `nobody`,
# otherwise to the current user.  Fails, never skips, when the PostgreSQL
# server is not installed (scripts/install-deps.sh installs it).
#
# Env: RCP_PG_BIN (default: /usr/lib/postgresql/15/bin, else the newest
# /usr/lib/postgresql/*/bin).

rcp_pg_fail() {
  echo "pg.sh: $*" >&2
  return 1
}

# Run a command as the cluster's owner, from the cluster folder (the
# owner may not be able to enter the caller's working directory).
rcp_pg_as_owner() {
  if [ "$(id -u)" -ne 0 ]; then
    (cd "$RCP_PG_DIR" && "$@")
  elif command -v runuser >/dev/null 2>&1; then
    (cd "$RCP_PG_DIR" && runuser -u "$RCP_PG_USER" -- "$@")
  else
    (cd "$RCP_PG_DIR" && setpriv --reuid="$RCP_PG_USER" --regid="$(id -g "$RCP_PG_USER")" \
      --clear-groups -- "$@")
  fi
}

rcp_pg_find_bin() {
  local d
  if [ -n "${RCP_PG_BIN:-}" ]; then
    [ -x "$RCP_PG_BIN/initdb" ] || rcp_pg_fail "RCP_PG_BIN=$RCP_PG_BIN has no initdb" || return 1
    return 0
  fi
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    RCP_PG_BIN=/usr/lib/postgresql/15/bin
    return 0
  fi
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
    [ -x "$d/initdb" ] && RCP_PG_BIN=$d
  done
  [ -n "${RCP_PG_BIN:-}" ] ||
    rcp_pg_fail "PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb): run" \
      "scripts/install-deps.sh (Debian packages postgresql and libpq-dev)"
}

rcp_pg_free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

rcp_pg_stop() {
  if [ -n "${RCP_PG_DIR:-}" ] && [ -d "$RCP_PG_DIR" ]; then
    if [ -f "$RCP_PG_DIR/data/postmaster.pid" ]; then
      rcp_pg_as_owner "$RCP_PG_BIN/pg_ctl" -D "$RCP_PG_DIR/data" -m immediate -w -t 30 stop \
        >/dev/null 2>&1 || true
    fi
    rm -rf "$RCP_PG_DIR"
  fi
  RCP_PG_DIR=
}

rcp_pg_start() {
  rcp_pg_find_bin || return 1
  command -v python3 >/dev/null 2>&1 || rcp_pg_fail "python3 is needed to pick a free port" ||
    return 1
  if [ "$(id -u)" -eq 0 ]; then
    RCP_PG_USER=nobody
    id "$RCP_PG_USER" >/dev/null 2>&1 || rcp_pg_fail "running as root and no user nobody" ||
      return 1
    # /tmp, not $TMPDIR: nobody must be able to reach the folder
    RCP_PG_DIR=$(mktemp -d /tmp/rcp_pg.XXXXXX) || return 1
    chown "$RCP_PG_USER" "$RCP_PG_DIR"
  else
    RCP_PG_USER=$(id -un)
    RCP_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rcp_pg.XXXXXX") || return 1
  fi
  # stop the cluster first, then whatever the caller's EXIT trap does
  local prev
  prev=$(trap -p EXIT)
  if [ -n "$prev" ]; then
    eval "set -- $prev" # trap -- 'COMMAND' EXIT
    # shellcheck disable=SC2064 # the caller's command, expanded now on purpose
    trap "rcp_pg_stop; $3" EXIT
  else
    trap rcp_pg_stop EXIT
  fi
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mkdir -p "$RCP_PG_DIR/sock"
  [ "$(id -u)" -ne 0 ] || chown "$RCP_PG_USER" "$RCP_PG_DIR/sock"

  if ! rcp_pg_as_owner "$RCP_PG_BIN/initdb" -D "$RCP_PG_DIR/data" -U "$RCP_PG_USER" \
    --auth=trust --no-locale -E UTF8 --no-sync >"$RCP_PG_DIR/initdb.log" 2>&1; then
    cat "$RCP_PG_DIR/initdb.log" >&2
    rcp_pg_fail "initdb failed"
    return 1
  fi
  # a port that was free a moment ago may be taken meanwhile: try again
  for _ in 1 2 3 4 5; do
    RCP_PG_PORT=$(rcp_pg_free_port) || return 1
    if rcp_pg_as_owner "$RCP_PG_BIN/pg_ctl" -D "$RCP_PG_DIR/data" -l "$RCP_PG_DIR/server.log" \
      -w -t 60 -o "-k $RCP_PG_DIR/sock -h 127.0.0.1 -p $RCP_PG_PORT -F" start >/dev/null 2>&1; then
      break
    fi
    RCP_PG_PORT=
  done
  if [ -z "$RCP_PG_PORT" ]; then
    cat "$RCP_PG_DIR/server.log" >&2 2>/dev/null
    rcp_pg_fail "the server did not start"
    return 1
  fi
  RCP_PG_URL=$(rcp_pg_createdb rcprov_test) || return 1
  export RCP_PG_URL RCP_PG_DIR RCP_PG_PORT RCP_PG_USER RCP_PG_BIN
  echo "pg.sh: PostgreSQL $("$RCP_PG_BIN/postgres" --version | awk '{print $3}') on" \
    "127.0.0.1:$RCP_PG_PORT (user $RCP_PG_USER, data $RCP_PG_DIR)"
}

rcp_pg_createdb() {
  "$RCP_PG_BIN/createdb" -h 127.0.0.1 -p "$RCP_PG_PORT" -U "$RCP_PG_USER" "$1" ||
    rcp_pg_fail "createdb $1 failed" || return 1
  echo "postgresql://$RCP_PG_USER@127.0.0.1:$RCP_PG_PORT/$1"
}
