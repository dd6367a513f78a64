#!/usr/bin/env bash
# JMH, same JVM and run, on the signed sepsis-risk example: one inference, an exact linear SHAP explanation (target
# < 0.1 ms) and a 500-permutation sampling explanation (target <= 20 ms). Usage: bench/explain/run.sh [JMH options]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/jmh-on-example-model.sh
jmh_on_example_model explain 'io.carebus.bench.explain.ExplainBench' "$@"
python3 - bench/explain/target/jmh.txt <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'ExplainBench\.(\S+)\s+\S+\s+(?:\d+\s+)?([0-9.,]+)', line)
    if m:
        rows[m.group(1)] = float(m.group(2).replace(',', ''))
p50 = lambda n: rows.get(n + ':p0.50', float('nan'))
print(f"RESULT sepsis-risk p50: inference {p50('inference'):.1f} us, exact linear SHAP {p50('exact'):.1f} us (target < 100), "
      f"sampling 500 permutations {p50('sampling500') / 1000:.2f} ms (target <= 20)")
PY
