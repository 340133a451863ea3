#!/usr/bin/env bash
# A PostgreSQL cluster under a temp folder on a free loopback port, for tests only.
# initdb and postgres refuse to run as root, so as root they run as the `postgres` user.

pg_throwaway_start() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$bin" ]]; then
    echo "PostgreSQL server binaries not found; install Debian's postgresql package" >&2
    return 1
  fi
  PG_TMP=$(mktemp -d /tmp/drey-pg.XXXXXX)
  local run=()
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$PG_TMP"
    run=(runuser -u postgres --)
  fi
  # TLS as production servers run it: a CA of the test's own signs the server's certificate (for "localhost"),
  # and a second, unrelated CA lets tests check that a wrong one is refused.
  local tls="$PG_TMP/tls"
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Drey test CA" -keyout "$tls/ca.key" -out "$tls/ca.crt" >/dev/null 2>&1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Unrelated CA" -keyout "$tls/other-ca.key" -out "$tls/other-ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost\n' >"$tls/san.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$tls/san.ext" -out "$tls/server.crt" >/dev/null 2>&1 || { echo "openssl could not make test certificates" >&2; return 1; }
  chmod 600 "$tls/server.key"
  chmod 644 "$tls/ca.crt" "$tls/other-ca.crt" "$tls/server.crt"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$tls"; fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  "${run[@]}" "$bin/initdb" -D "$PG_TMP/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
    -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000 -c ssl=on -c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key" \
    start >/dev/null || { cat "$PG_TMP/server.log" >&2; return 1; }
  PG_BIN=$bin
  PG_RUN=("${run[@]}")
  DREY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export DREY_TEST_POSTGRES_URL
  DREY_TEST_PG_CA="$tls/ca.crt"
  DREY_TEST_PG_OTHER_CA="$tls/other-ca.crt"
  export DREY_TEST_PG_CA DREY_TEST_PG_OTHER_CA
  echo "throwaway PostgreSQL at 127.0.0.1:$port ($PG_TMP)" >&2
}

pg_throwaway_stop() {
  if [[ -n "${PG_TMP:-}" ]]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
  fi
}
