#!/usr/bin/env bash
# Issue 21's context-lookup target: lookup time flat (within 20%) when each patient's history grows 10x.
# Two embedded H2 stores with the engine's schema, 1x and 10x history, lookups in alternating rounds (medians).
# Usage: bench/e2e/context-lookup.sh [--patients=100] [--hours=24] [--rounds=6] [--lookups=2000] [--card=...]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/e2e/target/lib ] || [ ! -f models/sepsis-risk/target/classes/model-card.yaml ]; then
    echo "build first: ./mvnw -q -B -pl bench/e2e -am -DskipTests install"; exit 1
fi
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "bench/e2e/target/classes:bench/e2e/target/lib/*" \
    io.carebus.context.internal.ContextLookupBench "$@"
