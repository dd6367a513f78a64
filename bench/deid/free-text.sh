#!/usr/bin/env bash
# Free-text detection (issue 22): HL7v2 ORU^R01 with two 2 KB notes per message through the Safe Harbor profile (vault
# on H2), messages/s on one core:
#   1. before: carebus-deid as on main at 4bc60f7 (compiled here from git), known values only;
#   2. after: this tree (the detector on, its defaults);
#   3. FreeTextBench: this tree with the detector switched off and on in one JVM, then the detector alone on 1 MB and
#      10 MB of digits and of note text, 100,000-character lines and adversarial lines (linear: 10x input, ~10x time).
# Usage: flock /tmp/carebus-mvn.lock taskset -c 0 bench/deid/free-text.sh [seconds per measurement=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d bench/deid/target/lib ]; then
    ./mvnw -B -q -o -pl bench/deid -am -DskipTests install
fi
S="${1:-10}"
LIB="bench/deid/target/lib/*"
JAVA=(java -Xmx2g -XX:ActiveProcessorCount=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
OLD=$(mktemp -d)
trap 'rm -rf "$OLD"' EXIT
git archive 4bc60f7 bundles/carebus-deid/src/main | tar -x -C "$OLD"
mkdir -p "$OLD/classes"
# carebus-deid's compile classpath (its provided dependencies: OSGi annotations, carebus-camel) for the old sources
./mvnw -o -q -B -pl bundles/carebus-deid dependency:build-classpath -Dmdep.outputFile="$OLD/cp.txt" > /dev/null
javac -nowarn -d "$OLD/classes" -cp "$(cat "$OLD/cp.txt")" $(find "$OLD/bundles" -name '*.java')
cp -r "$OLD/bundles/carebus-deid/src/main/resources/." "$OLD/classes/"
javac -nowarn -d "$OLD/classes" -cp "$OLD/classes:$LIB" bench/deid/src/main/java/io/carebus/deid/internal/OruNotesRate.java \
    bench/deid/src/main/java/io/carebus/deid/internal/BenchNotes.java 2>&1 | grep -v '^Note' || true
# before and after in turns, twice, so load from elsewhere on the machine hits both alike
for round in 1 2; do
    "${JAVA[@]}" -cp "$OLD/classes:$LIB" io.carebus.deid.internal.OruNotesRate "$S" "main at 4bc60f7 (before), run $round"
    "${JAVA[@]}" -cp "bench/deid/target/classes:$LIB" io.carebus.deid.internal.OruNotesRate "$S" "this tree (after), run $round"
done
"${JAVA[@]}" -cp "bench/deid/target/classes:$LIB" io.carebus.deid.internal.FreeTextBench "$S"
