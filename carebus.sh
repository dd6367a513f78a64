#!/usr/bin/env bash
# The two commands of the README:
#   ./carebus.sh run    build the appliance if the sources changed, then run it in the foreground
#   ./carebus.sh test   run the whole test suite (unit tests, resolver check, Pax Exam integration tests)
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the build, the appliance or the tests need beyond a JDK 17 (added to as features need them).
# libpixelmed-java: the DICOM library (no Maven registry serves PixelMed; the build installs Debian's jar).
APT_PACKAGES=(libpixelmed-java)
# Only the tests need these: the store's contract also runs against a real PostgreSQL; the ATNA export is received
# by rsyslog over TLS; DICOM peers are dcmtk (echoscu, storescu, storescp, img2dcm) and Orthanc with its DICOMweb
# plugin; cjpeg (libjpeg-turbo-progs) makes JPEG test images.
# python3 reads the test reports for .ci/check-no-skips.py.
TEST_APT_PACKAGES=(postgresql rsyslog rsyslog-openssl openssl dcmtk orthanc orthanc-dicomweb libjpeg-turbo-progs python3)

log() { printf '[carebus] %s\n' "$*" >&2; }

ensure_jdk() {
    if ! command -v javac >/dev/null 2>&1 || ! javac -version 2>&1 | grep -Eq 'javac (1[7-9]|2[0-9])'; then
        APT_PACKAGES+=(openjdk-17-jdk-headless)
    fi
}

ensure_packages() {
    ensure_jdk
    local missing=()
    for p in "${APT_PACKAGES[@]+"${APT_PACKAGES[@]}"}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
}

version() {
    sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1
}

run() {
    ensure_packages
    local v tarball
    v=$(version)
    tarball="karaf-assembly/target/carebus-$v.tar.gz"
    if [ ! -f "$tarball" ] || [ -n "$(find pom.xml bundles features karaf-assembly/pom.xml etc routes -newer "$tarball" -type f \
            -not -path '*/target/*' -print -quit)" ]; then
        log "building the appliance"
        ./mvnw -B -q -DskipTests install
    fi
    # appliance/ is the unpacked appliance; its data/ (message store, generated admin password) survives rebuilds.
    if [ ! -f appliance/.built-from ] || [ "$tarball" -nt appliance/.built-from ]; then
        log "unpacking $tarball into appliance/ (keeping appliance/data)"
        local keep=""
        if [ -d appliance/data ]; then keep=$(mktemp -d); mv appliance/data "$keep/"; fi
        rm -rf appliance && mkdir appliance
        tar xzf "$tarball" -C appliance --strip-components=1
        if [ -n "$keep" ]; then rm -rf appliance/data; mv "$keep/data" appliance/; rmdir "$keep"; fi
        touch appliance/.built-from
    fi
    log "starting CareBus: http://localhost:8181/api/health ; admin password in appliance/data/carebus/initial-admin-password"
    if [ -t 0 ]; then exec appliance/bin/karaf; else exec appliance/bin/karaf server; fi
}

# Starts Debian's PostgreSQL cluster (creating it if needed) with a throwaway test database and role, and exports
# the CAREBUS_TEST_PG_* variables the store's PostgreSQL tests read.
start_test_postgres() {
    local version
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
        pg_createcluster "$version" main >/dev/null
    fi
    pg_ctlcluster "$version" main start 2>/dev/null || pg_ctlcluster "$version" main status >/dev/null
    local port
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
    local as_postgres="runuser -u postgres --"
    [ "$(id -u)" -eq 0 ] || as_postgres="sudo -u postgres"
    $as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carebus_test') THEN
    CREATE ROLE carebus_test LOGIN PASSWORD 'carebus_test';
  END IF;
END\$\$;
SQL
    $as_postgres psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname = 'carebus_test'" | grep -q 1 \
        || $as_postgres createdb -p "$port" -O carebus_test carebus_test
    export CAREBUS_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/carebus_test"
    export CAREBUS_TEST_PG_USER=carebus_test CAREBUS_TEST_PG_PASSWORD=carebus_test
    log "PostgreSQL $version for the tests on port $port"
}

test_suite() {
    APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}")
    ensure_packages
    start_test_postgres
    # Tests that skip on a developer machine without rsyslog must fail here instead (AtnaExportTest reads CI).
    export CI="${CI:-carebus.sh}"
    ./mvnw -B install
    # The PostgreSQL variants and AtnaExportTest must have run, not skipped: the reports say so or the suite fails.
    python3 .ci/check-no-skips.py .
}

case "${1:-}" in
    run) run ;;
    test) test_suite ;;
    *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
