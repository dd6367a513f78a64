#!/usr/bin/env bash
# Free-text detection (issue 22): HL7v2 ORU^R01 with two 2 KB notes per message, messages/s on one core with the
# detector off (what main did before: known values only) and on, in the same run; then the detector alone on 1 MB and
# 10 MB of digits and of note text and on 100,000-character lines (linear time: 10 MB takes ~10x 1 MB).
# Usage: flock /tmp/carebus-mvn.lock taskset -c 0 bench/deid/free-text.sh [seconds per measurement=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/deid/target/lib ]; then
    ./mvnw -B -q -o -pl bench/deid -am -DskipTests install
fi
java -Xmx2g -Xss1m -XX:ActiveProcessorCount=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "bench/deid/target/classes:bench/deid/target/lib/*" io.carebus.deid.internal.FreeTextBench "${1:-10}"
