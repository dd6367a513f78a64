#!/usr/bin/env bash
# The clinical pipeline's demo feed and benchmark (issue 21), against an appliance running on this machine
# (./carebus.sh run in another terminal). Synthea patients (generated once, cached) with synthesized vital-sign and
# lab streams go in as HL7v2 ADT/ORU over MLLP and as FHIR Bundles to /fhir; progress once a second; at the end the
# scores, alerts and the latency from ACK to RiskAssessment stored (p50/p99).
# Usage: bench/e2e/run.sh [--bench] [more options, see bench/e2e/README.md]
# Environment: CAREBUS_MLLP_PORT (2575), CAREBUS_HTTP_PORT (8181), CAREBUS_USER (admin), CAREBUS_PASSWORD (else read
# from appliance/data/carebus/initial-admin-password), SYNTHEA_PATIENTS (20), SYNTHEA_SEED (20261128),
# CAREBUS_E2E_CACHE (~/.cache/carebus-e2e).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${CAREBUS_E2E_CACHE:-$HOME/.cache/carebus-e2e}
count=${SYNTHEA_PATIENTS:-20}
seed=${SYNTHEA_SEED:-20261128}
mvn_lock() { if command -v flock >/dev/null; then flock /tmp/carebus-mvn.lock "$@"; else "$@"; fi; }

# 1. The feed itself (this module; offline first).
if [ ! -d bench/e2e/target/lib ] || [ -n "$(find bench/e2e/src bench/e2e/pom.xml -newer bench/e2e/target/lib -type f -print -quit)" ]; then
    echo "== building bench/e2e"
    mvn_lock ./mvnw -o -q -B -pl bench/e2e -DskipTests install || mvn_lock ./mvnw -q -B -pl bench/e2e -am -DskipTests install
fi

# 2. Synthea 3.3.0 and its dependencies, once (Maven Central; then it runs offline), and the patients, once per seed.
patients="$cache/synthea-$seed-$count/fhir"
if [ ! -d "$patients" ] || [ -z "$(ls "$patients" 2>/dev/null)" ]; then
    if [ ! -f "$cache/synthea-lib/synthea-3.3.0.jar" ]; then
        echo "== fetching Synthea 3.3.0 into $cache/synthea-lib (once, ~200 MB)"
        mkdir -p "$cache/synthea-lib"
        mvn_lock ./mvnw -q -B -o -f bench/e2e/synthea/pom.xml org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
                -DoutputDirectory="$cache/synthea-lib" 2>/dev/null \
            || mvn_lock ./mvnw -q -B -f bench/e2e/synthea/pom.xml org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
                -DoutputDirectory="$cache/synthea-lib"
    fi
    echo "== generating $count Synthea patients (seed $seed, ages 40-90; about 2-3 s each, once; cached in $cache)"
    out="$cache/synthea-$seed-$count"
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    (cd "$out.tmp" && java -Xmx2g -cp "$cache/synthea-lib/*" App -p "$count" -s "$seed" -cs 7 -r 20260101 -a 40-90 \
        --exporter.years_of_history 1 --exporter.hospital.fhir.export false --exporter.practitioner.fhir.export false \
        --exporter.baseDirectory "$out.tmp/output" > synthea.log 2>&1) || { tail -20 "$out.tmp/synthea.log"; exit 1; }
    rm -rf "$out" && mkdir -p "$out" && mv "$out.tmp/output/fhir" "$patients" && rm -rf "$out.tmp"
fi

# 3. The appliance: loopback only; the password from the running appliance unless given.
if [ -z "${CAREBUS_PASSWORD:-}" ]; then
    pwfile=appliance/data/carebus/initial-admin-password
    [ -r "$pwfile" ] || { echo "no CAREBUS_PASSWORD and $pwfile is not readable: start the appliance (./carebus.sh run) or set CAREBUS_PASSWORD"; exit 1; }
    CAREBUS_PASSWORD=$(cat "$pwfile")
fi
export CAREBUS_PASSWORD
if [[ " $* " == *" --bench "* ]]; then
    # The issue measures with the route's debounce at 0; say what the deployed routes have.
    grep -Hn -i 'debounce' appliance/routes/*.y*ml 2>/dev/null | sed 's/^/route setting: /' | head -5 || true
fi
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "bench/e2e/target/classes:bench/e2e/target/lib/*" \
    io.carebus.bench.e2e.Feed --host=127.0.0.1 --mllp-port="${CAREBUS_MLLP_PORT:-2575}" --http-port="${CAREBUS_HTTP_PORT:-8181}" \
    --user="${CAREBUS_USER:-admin}" --patients-dir="$patients" --seed="$seed" "$@"
