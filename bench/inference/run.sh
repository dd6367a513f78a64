#!/usr/bin/env bash
# JMH, same JVM and run: carebus:infer in a Camel route vs a raw OrtSession.run (p50 latency, target: at most 30 us
# added), and micro-batched vs unbatched throughput at 64 concurrent callers (target: at least 5x), as 64 blocked
# threads and as 64 requests in flight through inferAsync, on the signed
# sepsis-risk example model. Usage: bench/inference/run.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/jmh-on-example-model.sh
jmh_on_example_model inference 'io.carebus.bench.inference.InferenceBench' "$@"
python3 - bench/inference/target/jmh.txt <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'InferenceBench\.(\S+)\s+\S+\s+(?:\d+\s+)?([0-9.,]+)', line)
    if m:
        rows[m.group(1)] = float(m.group(2).replace(',', ''))
raw50, route50 = rows.get('rawOrt:p0.50', float('nan')), rows.get('routeInfer:p0.50', float('nan'))
b, u = rows.get('batched64', float('nan')), rows.get('unbatched64', float('nan'))
print(f"RESULT p50 raw ORT {raw50:.1f} us, carebus:infer route {route50:.1f} us, added {route50 - raw50:.1f} us (target <= 30)")
print(f"RESULT 64 callers: batched {b:,.0f}/s, unbatched {u:,.0f}/s, ratio {b / u:.2f} (target >= 5)")
ba, ua = rows.get('batchedAsync64', float('nan')), rows.get('unbatchedAsync64', float('nan'))
print(f"RESULT 64 requests in flight (inferAsync, 2 threads): batched {ba:,.0f}/s, unbatched {ua:,.0f}/s, ratio {ba / ua:.2f} (target >= 5)")
PY
