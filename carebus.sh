#!/usr/bin/env bash
# The two commands of the README:
#   ./carebus.sh run    build the appliance if the sources changed, then run it in the foreground
#   ./carebus.sh test   run the whole test suite (unit tests, resolver check, Pax Exam integration tests)
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the build, the appliance or the tests need beyond a JDK 17 (added to as features need them).
APT_PACKAGES=()

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

test_suite() {
    ensure_packages
    ./mvnw -B install
}

case "${1:-}" in
    run) run ;;
    test) test_suite ;;
    *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
