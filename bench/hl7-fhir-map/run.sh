#!/usr/bin/env bash
# Messages/s through the HL7v2 → FHIR R4 mapper alone, per message family, on the hand-written samples of every family
# (bundles/carebus-hl7/src/test/resources/mapping, versions 2.3–2.8), or on the folder given.
# Usage: bench/hl7-fhir-map/run.sh [folder] [rounds=5] [seconds=2]   (run under the shared Maven lock, see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/hl7-fhir-map/target/lib ]; then
    ./mvnw -o -B -q -pl bundles/carebus-api,bundles/carebus-hl7,bench/hl7-fhir-map -DskipTests install
fi
java -Xmx512m -cp "bench/hl7-fhir-map/target/classes:bench/hl7-fhir-map/target/lib/*" io.carebus.bench.hl7fhir.MapperBench \
    "${1:-bundles/carebus-hl7/src/test/resources/mapping}" "${2:-5}" "${3:-2}"
