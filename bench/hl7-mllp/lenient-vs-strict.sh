#!/usr/bin/env bash
# What lenient HL7v2 intake costs or saves against strict, in one run: one appliance with two listeners, "main" with
# validation = lenient (the shipped default: HAPI parses without primitive validation, then its rules run as a checker
# that stores warnings) and "strict" (HAPI validates while it parses), the same ADT/ORU load on each in alternating
# rounds, then the median of each. The messages are valid, so both answer AA: the figure is the price of the checker.
# Usage: bench/hl7-mllp/lenient-vs-strict.sh [connections=16] [messages per round=8000] [rounds per mode=5]
# PROCESSING=on also maps and routes every message while the load runs (default off: only durable intake is measured).
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-16}
messages=${2:-8000}
rounds=${3:-5}
tarball=$(ls karaf-assembly/target/carebus-*.tar.gz 2>/dev/null | head -1 || true)
[ -n "$tarball" ] && [ -d bench/hl7-mllp/target/lib ] || { echo "build karaf-assembly and bench/hl7-mllp first"; exit 1; }
cp="bench/hl7-mllp/target/classes:bench/hl7-mllp/target/lib/*"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lenient_port=$(free_port); strict_port=$(free_port); http_port=$(free_port)
work=$(mktemp -d)
cleanup() {
    [ -d "$work/appliance" ] && "$work/appliance/bin/stop" >/dev/null 2>&1 || true
    sleep 2; pkill -f "karaf.base=$work/appliance" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/appliance" && tar xzf "$tarball" -C "$work/appliance" --strip-components=1
etc="$work/appliance/etc"
sed -i "s/^port = .*/port = $lenient_port/; s/^max.connections = .*/max.connections = $(( connections + 8 ))/; s/^validation = .*/validation = lenient/" "$etc/io.carebus.hl7-main.cfg"
sed "s/^name = .*/name = strict/; s/^port = .*/port = $strict_port/; s/^validation = .*/validation = strict/" "$etc/io.carebus.hl7-main.cfg" > "$etc/io.carebus.hl7-strict.cfg"
grep -q "^validation = strict" "$etc/io.carebus.hl7-strict.cfg" || { echo "the shipped cfg has no validation key"; exit 1; }
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $http_port/" "$etc/org.ops4j.pax.web.cfg"
sed -i "s/^sshPort *=.*/sshPort = $(free_port)/" "$etc/org.apache.karaf.shell.cfg"
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" "$etc/org.apache.karaf.management.cfg"
if [ "${PROCESSING:-off}" = off ]; then
    printf 'endpoint = direct:carebus-bench-parked?block=false\nretry.seconds = 3600\n' > "$etc/io.carebus.hl7.processing.cfg"
fi
echo "== CareBus appliance: lenient listener on $lenient_port, strict on $strict_port (processing ${PROCESSING:-off})"
"$work/appliance/bin/start"
for _ in $(seq 1 240); do [ "$(curl -s -o /dev/null -w "%{http_code}" "localhost:$http_port/api/health")" = 200 ] && break; sleep 0.5; done
[ "$(curl -s -o /dev/null -w "%{http_code}" "localhost:$http_port/api/health")" = 200 ] || { echo "the appliance did not become healthy"; curl -s "localhost:$http_port/api/health"; exit 1; }
. bench/lib/appliance-settled.sh
appliance_settled "$work/appliance"
for port in "$lenient_port" "$strict_port"; do
    java -cp "$cp" io.carebus.bench.hl7.MllpLoad warmup 127.0.0.1 "$port" "$connections" "$messages" > /dev/null
done
results="$work/results"
for r in $(seq 1 "$rounds"); do
    # alternate which goes first, so neither always follows the other's work (store growth, GC)
    if [ $(( r % 2 )) = 1 ]; then order="lenient strict"; else order="strict lenient"; fi
    for mode in $order; do
        port=$lenient_port; [ "$mode" = strict ] && port=$strict_port
        line=$(java -cp "$cp" io.carebus.bench.hl7.MllpLoad "$mode" 127.0.0.1 "$port" "$connections" "$messages" | grep RESULT)
        echo "round $r $line"
        echo "$line" >> "$results"
    done
done
python3 - "$results" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.search(r"RESULT (\w+) .*msgs/s=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) not_AA=(\d+)", line)
    rows.setdefault(m[1], []).append(tuple(float(x) for x in m.groups()[1:]))
med = {k: [statistics.median(c) for c in zip(*v)] for k, v in rows.items()}
for k in ("lenient", "strict"):
    print("MEDIAN %-7s msgs/s=%.0f p50_ms=%.2f p99_ms=%.2f not_AA=%d (%d rounds)" % (k, *med[k][:3], sum(r[3] for r in rows[k]), len(rows[k])))
print("RATIO lenient/strict throughput = %.3f" % (med["lenient"][0] / med["strict"][0]))
PY
