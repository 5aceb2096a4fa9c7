# Throwaway PostgreSQL and Redis servers on 127.0.0.1 for CI and local checks. Source this file:
#   . .ci/services.sh; start_postgres 54329; start_redis 63799; ...; stop_services
# start_postgres exports DATABASE_URL; start_redis exports TMSINFO_TEST_REDIS_URL.
# Installs the Debian packages when the servers are missing. Everything lives in one temp dir.

SERVICES_DIR="${SERVICES_DIR:-$(mktemp -d /tmp/tmsinfo-services.XXXXXX)}"
chmod 755 "$SERVICES_DIR"

_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

_apt_install() {
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

_pg_bin() {
    local tool="$1" found
    found="$(command -v "$tool" 2>/dev/null || true)"
    if [ -z "$found" ]; then found="$(ls -d /usr/lib/postgresql/*/bin/"$tool" 2>/dev/null | sort -V | tail -n 1)"; fi
    echo "$found"
}

# PostgreSQL refuses to run as root: run its tools as the `postgres` user (created if missing).
_as_pg_user() {
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    local port="$1" data="$SERVICES_DIR/pgdata"
    if [ -z "$(_pg_bin initdb)" ]; then
        echo "PostgreSQL is not installed: installing it from Debian"
        _apt_install postgresql
    fi
    local initdb pg_ctl createdb
    initdb="$(_pg_bin initdb)"; pg_ctl="$(_pg_bin pg_ctl)"
    createdb="$(dirname "$(readlink -f "$initdb")")/createdb"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    _as_pg_user "$initdb" -D "$data" -A trust -U tmsinfo --no-sync -E UTF8 >"$SERVICES_DIR/initdb.log"
    _as_pg_user "$pg_ctl" -D "$data" -l "$data/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c full_page_writes=off" start >/dev/null
    _as_pg_user "$createdb" -h 127.0.0.1 -p "$port" -U tmsinfo tmsinfo
    export DATABASE_URL="postgres://tmsinfo@127.0.0.1:$port/tmsinfo"
    echo "PostgreSQL $("$(dirname "$(readlink -f "$initdb")")/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

start_redis() {
    local port="$1"
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "Redis is not installed: installing it from Debian"
        _apt_install redis-server
    fi
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$SERVICES_DIR" \
        --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log"
    for _ in $(seq 50); do
        if [ -s "$SERVICES_DIR/redis.pid" ]; then break; fi
        sleep 0.1
    done
    export TMSINFO_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
    echo "Redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_services() {
    if [ -s "$SERVICES_DIR/redis.pid" ]; then kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true; fi
    if [ -f "$SERVICES_DIR/pgdata/postmaster.pid" ]; then
        _as_pg_user "$(_pg_bin pg_ctl)" -D "$SERVICES_DIR/pgdata" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$SERVICES_DIR"
}
