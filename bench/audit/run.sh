#!/usr/bin/env bash
# Audit trail throughput on embedded H2: records appended per second (durable, many in flight) and records verified
# per second. Targets (issue): >= 50,000 appended/s, >= 500,000 verified/s. For the HL7 intake with audit on vs off,
# run bench/hl7-mllp/run.sh and AUDIT=off bench/hl7-mllp/run.sh.
# Usage: bench/audit/run.sh [records=1000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/audit/target/lib ]; then
    ./mvnw -B -q -DskipTests install
fi
java -Xmx2g -cp "bench/audit/target/classes:bench/audit/target/lib/*" io.carebus.bench.audit.AuditBench "${1:-1000000}"
