#!/usr/bin/env bash
# JMH, same JVM and run per model. sepsis-risk (signed example): one inference, an exact linear SHAP explanation
# (target < 0.1 ms) and a 500-permutation sampling explanation (target <= 20 ms). chest-nodule-demo (signed example
# CNN, 224²): one forward pass, Grad-CAM (target <= 2x the forward pass), occlusion 7x7 and stride 16; then the
# localisation rate of both methods on 200 simulated slices. Usage: bench/explain/run.sh [JMH options]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/jmh-on-example-model.sh
jmh_on_example_model explain 'io.carebus.bench.explain.ExplainBench' "$@"
cp bench/explain/target/jmh.txt bench/explain/target/jmh-tabular.txt
jmh_on_example_model explain 'io.carebus.bench.explain.ImageExplainBench' "$@"
cp bench/explain/target/jmh.txt bench/explain/target/jmh-image.txt
python3 - bench/explain/target/jmh-tabular.txt bench/explain/target/jmh-image.txt <<'PY'
import re, sys
def read(path, cls):
    rows = {}
    for line in open(path):
        m = re.match(cls + r'\.(\S+)\s+\S+\s+(?:\d+\s+)?([0-9.,]+)', line)
        if m:
            rows[m.group(1)] = float(m.group(2).replace(',', ''))
    return lambda n: rows.get(n + ':p0.50', float('nan'))
t = read(sys.argv[1], 'ExplainBench')
print(f"RESULT sepsis-risk p50: inference {t('inference'):.1f} us, exact linear SHAP {t('exact'):.1f} us (target < 100), "
      f"sampling 500 permutations {t('sampling500') / 1000:.2f} ms (target <= 20)")
i = read(sys.argv[2], 'ImageExplainBench')
print(f"RESULT chest-nodule-demo p50: forward {i('forward'):.2f} ms, Grad-CAM map {i('gradCamMap'):.2f} ms "
      f"({i('gradCamMap') / i('forward'):.2f}x the forward pass; target <= 2), with PNG overlay {i('gradCam'):.2f} ms, "
      f"occlusion 7x7 {i('occlusion7x7'):.0f} ms, "
      f"occlusion stride 16 {i('occlusionStride16'):.0f} ms")
PY
java -cp "bench/explain/target/classes:bench/explain/target/lib/*" io.carebus.bench.explain.LocalisationCheck 200
