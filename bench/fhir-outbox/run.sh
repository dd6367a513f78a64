#!/usr/bin/env bash
# FHIR outbox throughput: results delivered per second through the durable outbox (H2, SMART Backend Services, ES384,
# conditional create) to a local HAPI FHIR server, against the same conditional creates sent straight to it from one
# client (the peer: no outbox, no durability), in the same run; and the SMART token round trip.
# Usage: bench/fhir-outbox/run.sh [results=2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/fhir-outbox/target/lib ]; then
    ./mvnw -B -q -DskipTests install
fi
java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "bench/fhir-outbox/target/classes:bench/fhir-outbox/target/lib/*" \
    io.carebus.fhir.internal.OutboxBench "${1:-2000}"
