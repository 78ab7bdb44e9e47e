#!/usr/bin/env bash
# What the test suite needs from the machine, installed or started here, before anything else runs.
# `npm test` runs this first; `.ci/run` runs it through `npm test`. One script, so the README's command and CI
# prepare a machine the same way.
#
#   PostgreSQL  127.0.0.1:5432, user postgres without a password (unless TEST_DATABASE_URL / DATABASE_URL is set)
#   Redis       127.0.0.1:6379 (unless TEST_REDIS_URL / REDIS_URL is set)
#   redis-server  the all-in-one test starts a private one, as `npm start` does
#   dovecot     the e-mail tests start a private IMAP server (DOVECOT_BIN, else /usr/sbin/dovecot)
#   chromium    the browser tests drive Debian's headless shell of it (CHROMIUM_PATH, else
#               /usr/bin/chromium-headless-shell): the same engine without the desktop browser's window machinery,
#               about a third less CPU per walk
#
# Whatever is missing is installed from Debian's packages when we are root, and started. When we are not root it
# stops at once with the exact command to run. Nothing that is already there is changed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PG_TIMEOUT=60
REDIS_TIMEOUT=30

say() { echo "test machine: $*"; }
die() {
  echo "test machine: ERROR: $*" >&2
  exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }
executable() { [ -n "$1" ] && [ -x "$1" ] && [ ! -d "$1" ]; }

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -h 127.0.0.1 -p 5432 -t 3 -q
  else
    timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null
  fi
}
pg_trusts_postgres() {
  command -v psql >/dev/null 2>&1 || return 0 # no client to check with; the tests will tell
  PGCONNECT_TIMEOUT=3 timeout 10 psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -Atqc 'select 1' >/dev/null 2>&1
}
redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    # A listener that never answers would block redis-cli for good.
    [ "$(timeout 3 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]
  else
    # No redis-cli: speak the protocol over bash's /dev/tcp.
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && printf "PING\r\n" >&3 && read -r reply <&3 &&
      [[ $reply == +PONG* ]]' 2>/dev/null
  fi
}
redis_server_found() { command -v redis-server >/dev/null 2>&1 || executable /usr/bin/redis-server; }
wait_for() { # seconds command...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}
# The newest PostgreSQL version with a Debian cluster config, if any.
pg_cluster_version() { find /etc/postgresql -mindepth 2 -maxdepth 2 -name main -printf '%P\n' 2>/dev/null | cut -d/ -f1 | sort -V | tail -n1; }
pg_installed_version() { find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | cut -d/ -f5 | sort -V | tail -n1; }
# Debian's defaults ask for a password over TCP; the tests connect as postgres without one.
pg_configure_trust() {
  local ver=$1 hba=/etc/postgresql/$1/main/pg_hba.conf
  say "configuring PostgreSQL $ver/main: 127.0.0.1:5432, trust for local TCP"
  # The first matching line wins, so ours go on top.
  if ! grep -qE '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  pg_conftool "$ver" main set listen_addresses localhost
  pg_conftool "$ver" main set port 5432
}
pg_log_tail() { tail -n 20 /var/log/postgresql/postgresql-*-main.log 2>/dev/null || true; }

# Our own services only when no other is configured: a URL set by the user is theirs to run.
want_local_pg=true
[ -n "${TEST_DATABASE_URL:-}${DATABASE_URL:-}" ] && want_local_pg=false
want_local_redis=true
[ -n "${TEST_REDIS_URL:-}${REDIS_URL:-}" ] && want_local_redis=false

# ---- what is missing: one list, one apt-get ---------------------------------------------------------------
missing=()
if $want_local_pg && ! pg_ready && [ -z "$(pg_installed_version)" ]; then missing+=(postgresql); fi
# Also when a Redis answers: the all-in-one test starts its own redis-server, as `npm start` does.
redis_server_found || missing+=(redis-server)
executable "${DOVECOT_BIN:-/usr/sbin/dovecot}" || missing+=(dovecot-imapd)
executable "${CHROMIUM_PATH:-/usr/bin/chromium-headless-shell}" || missing+=(chromium-headless-shell)

if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    die "missing: ${missing[*]} (Debian package names), and there is no apt-get here. Install them, or point the tests at them: DOVECOT_BIN=/path/to/dovecot, CHROMIUM_PATH=/path/to/chromium-headless-shell (or chromium), TEST_DATABASE_URL=postgres://…, TEST_REDIS_URL=redis://…"
  fi
  if ! is_root; then
    die "missing: ${missing[*]}. Installing them needs root; run this once, then npm test again:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "installing with apt: ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 "${missing[@]}"
else
  say "packages: nothing to install"
fi
executable "${DOVECOT_BIN:-/usr/sbin/dovecot}" || die "dovecot is still not at ${DOVECOT_BIN:-/usr/sbin/dovecot}"
executable "${CHROMIUM_PATH:-/usr/bin/chromium-headless-shell}" || die "chromium is still not at ${CHROMIUM_PATH:-/usr/bin/chromium-headless-shell}"

# ---- PostgreSQL -------------------------------------------------------------------------------------------
if ! $want_local_pg; then
  say "PostgreSQL: using TEST_DATABASE_URL / DATABASE_URL (not checked here; the tests say if it does not answer)"
elif pg_ready; then
  say "PostgreSQL answers on 127.0.0.1:5432"
else
  is_root || die "PostgreSQL does not answer on 127.0.0.1:5432. Start it (as root: pg_ctlcluster <version> main start), or set TEST_DATABASE_URL=postgres://user@host:port/db"
  ver=$(pg_cluster_version)
  if [ -n "$ver" ]; then
    # A cluster made by an earlier install: its settings are left alone unless trust fails below.
    [[ " ${missing[*]} " == *" postgresql "* ]] && pg_configure_trust "$ver"
  else
    ver=$(pg_installed_version)
    [ -n "$ver" ] || die "PostgreSQL is not installed and apt did not install it"
    say "creating PostgreSQL $ver cluster main"
    pg_createcluster "$ver" main
    pg_configure_trust "$ver"
  fi
  say "starting PostgreSQL $ver/main"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || say "pg_ctlcluster start failed; waiting in case it is already starting"
fi
if $want_local_pg; then
  if ! wait_for "$PG_TIMEOUT" pg_ready; then
    pg_log_tail >&2
    die "PostgreSQL did not answer on 127.0.0.1:5432 within ${PG_TIMEOUT}s"
  fi
  if ! pg_trusts_postgres; then
    is_root || die "PostgreSQL on 127.0.0.1:5432 wants a password for user postgres. Allow it (trust for 127.0.0.1 in pg_hba.conf) or set TEST_DATABASE_URL with the password"
    ver=$(pg_cluster_version)
    [ -n "$ver" ] || die "PostgreSQL on 127.0.0.1:5432 wants a password for user postgres, and there is no Debian cluster config to change"
    pg_configure_trust "$ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
    wait_for 10 pg_trusts_postgres || die "PostgreSQL on 127.0.0.1:5432 still refuses user postgres without a password"
  fi
  say "PostgreSQL ready (127.0.0.1:5432, user postgres)"
fi

# ---- Redis ------------------------------------------------------------------------------------------------
if ! $want_local_redis; then
  say "Redis: using TEST_REDIS_URL / REDIS_URL (not checked here; the tests say if it does not answer)"
elif redis_ping; then
  say "Redis answers on 127.0.0.1:6379"
else
  is_root || die "Redis does not answer on 127.0.0.1:6379. Start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379), or set TEST_REDIS_URL=redis://host:port"
  say "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/test-machine-redis.log
  if ! wait_for "$REDIS_TIMEOUT" redis_ping; then
    tail -n 20 /tmp/test-machine-redis.log >&2 2>/dev/null || true
    die "Redis did not answer PING on 127.0.0.1:6379 within ${REDIS_TIMEOUT}s"
  fi
  say "Redis ready"
fi
