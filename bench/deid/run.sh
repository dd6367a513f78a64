#!/usr/bin/env bash
# De-identification throughput on one core (one thread): HL7v2 ORU messages/s, FHIR patient Bundles/s and DICOM CT
# instances/s (PS3.15 Annex E) through the
# Safe Harbor profile with the re-identification vault on H2, against HAPI parsing + encoding the same payloads alone
# (the floor any HAPI-based de-identifier pays), in the same run.
# Usage: taskset -c 0 bench/deid/run.sh [seconds per measurement=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/deid/target/lib ]; then
    ./mvnw -B -q -DskipTests install
fi
java -Xmx2g -XX:ActiveProcessorCount=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "bench/deid/target/classes:bench/deid/target/lib/*" io.carebus.deid.internal.DeidBench "${1:-10}"
