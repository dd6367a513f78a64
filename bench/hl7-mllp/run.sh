#!/usr/bin/env bash
# HL7v2 MLLP throughput and ACK latency: the CareBus appliance (durable H2 store, group commit) against HAPI's bare
# MLLP server (parse + AA, no storage), same load, same machine, one run. Prints both results and the ratio.
# Usage: bench/hl7-mllp/run.sh [connections=16] [messages=40000]
# PROCESSING=off parks processing (messages stay RECEIVED) so only durable intake is measured; by default the
# appliance also maps every message to FHIR and runs the route while the load runs, on the same 2 cores.
# AUDIT=off boots the appliance without the audit trail (to measure what auditing every message costs).
# PROFILE=1 records the appliance with Java Flight Recorder during the measured run and prints its hottest frames.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-16}
messages=${2:-40000}
warmup=$(( messages / 4 ))
tarball=$(ls karaf-assembly/target/carebus-*.tar.gz 2>/dev/null | head -1 || true)
if [ -z "$tarball" ] || [ ! -d bench/hl7-mllp/target/lib ]; then
    ./mvnw -B -q -DskipTests install
    tarball=$(ls karaf-assembly/target/carebus-*.tar.gz | head -1)
fi
cp="bench/hl7-mllp/target/classes:bench/hl7-mllp/target/lib/*"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
hapi_port=$(free_port); carebus_port=$(free_port); http_port=$(free_port)
work=$(mktemp -d)
hapi_pid=""
cleanup() {
    [ -n "$hapi_pid" ] && kill "$hapi_pid" 2>/dev/null || true
    [ -d "$work/appliance" ] && "$work/appliance/bin/stop" >/dev/null 2>&1 || true
    sleep 2; pkill -f "karaf.base=$work/appliance" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== bare HAPI server (peer) on $hapi_port"
java -Xmx1g -cp "$cp" io.carebus.bench.hl7.BareHapiServer "$hapi_port" > "$work/hapi.log" 2>&1 &
hapi_pid=$!
until grep -q listening "$work/hapi.log" 2>/dev/null; do kill -0 "$hapi_pid" 2>/dev/null || { cat "$work/hapi.log"; exit 1; }; sleep 0.2; done
java -cp "$cp" io.carebus.bench.hl7.MllpLoad warmup 127.0.0.1 "$hapi_port" "$connections" "$warmup" > /dev/null
hapi=$(java -cp "$cp" io.carebus.bench.hl7.MllpLoad hapi-bare 127.0.0.1 "$hapi_port" "$connections" "$messages" | grep RESULT)
echo "$hapi"
kill "$hapi_pid"; hapi_pid=""

echo "== CareBus appliance on $carebus_port (embedded H2, fsync per group commit; processing ${PROCESSING:-on}, audit ${AUDIT:-on})"
mkdir "$work/appliance" && tar xzf "$tarball" -C "$work/appliance" --strip-components=1
sed -i "s/^port = .*/port = $carebus_port/; s/^max.connections = .*/max.connections = $(( connections + 8 ))/" "$work/appliance/etc/io.carebus.hl7-main.cfg"
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $http_port/" "$work/appliance/etc/org.ops4j.pax.web.cfg"
sed -i "s/^sshPort *=.*/sshPort = $(free_port)/" "$work/appliance/etc/org.apache.karaf.shell.cfg"
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" "$work/appliance/etc/org.apache.karaf.management.cfg"
if [ "${AUDIT:-on}" = off ]; then
    sed -i 's/carebus-audit\(\/[^,]*\)\?, *//; s/, *carebus-audit\(\/[^,]*\)\?//' "$work/appliance/etc/org.apache.karaf.features.cfg"
    grep -q carebus-audit "$work/appliance/etc/org.apache.karaf.features.cfg" && { echo "could not switch the audit off"; exit 1; }
fi
if [ "${PROCESSING:-on}" = off ]; then
    printf 'endpoint = direct:carebus-bench-parked?block=false\nretry.seconds = 3600\n' > "$work/appliance/etc/io.carebus.hl7.processing.cfg"
fi
"$work/appliance/bin/start"
for _ in $(seq 1 240); do [ "$(curl -s -o /dev/null -w "%{http_code}" "localhost:$http_port/api/health")" = 200 ] && break; sleep 0.5; done
[ "$(curl -s -o /dev/null -w "%{http_code}" "localhost:$http_port/api/health")" = 200 ] || { echo "the appliance did not become healthy in 2 minutes"; curl -s "localhost:$http_port/api/health"; exit 1; }
. bench/lib/appliance-settled.sh
appliance_settled "$work/appliance"
java -cp "$cp" io.carebus.bench.hl7.MllpLoad warmup 127.0.0.1 "$carebus_port" "$connections" "$warmup" > /dev/null
karaf_pid=$(pgrep -f "karaf.base=$work/appliance" | head -1)
if [ "${PROFILE:-0}" = 1 ]; then jcmd "$karaf_pid" JFR.start name=bench settings=profile filename="$work/bench.jfr" >/dev/null; fi
carebus=$(java -cp "$cp" io.carebus.bench.hl7.MllpLoad carebus 127.0.0.1 "$carebus_port" "$connections" "$messages" | grep RESULT)
echo "$carebus"
rss_mib() { echo $(( $(ps -o rss= -p "$karaf_pid") / 1024 )); }
heap_opt=$(ps -o args= -p "$karaf_pid" | grep -o -- '-Xmx[^ ]*' | tail -1 || true)
echo "RSS right after the load: $(rss_mib) MiB (heap cap ${heap_opt:-none})"
if [ "${PROCESSING:-on}" != off ]; then
    # The backlog: messages stored but not yet processed (RECEIVED). ACKs came before processing, so this is how long
    # the routes trail the senders.
    pw=$(cat "$work/appliance/data/carebus/initial-admin-password")
    t0=$(date +%s%N)
    until curl -sf -u "admin:$pw" "localhost:$http_port/api/messages?status=RECEIVED&limit=1" | python3 -c \
            'import json,sys; d=json.load(sys.stdin); sys.exit(0 if not (d.get("messages", d) if isinstance(d, dict) else d) else 1)'; do
        [ $(( ($(date +%s%N) - t0) / 1000000000 )) -gt 600 ] && { echo "backlog not drained in 10 minutes"; break; }
        sleep 0.5
    done
    echo "BACKLOG drained $(( ($(date +%s%N) - t0) / 1000000 )) ms after the last ACK; RSS $(rss_mib) MiB"
fi
sleep 60
echo "RSS after 60 s idle: $(rss_mib) MiB"
if [ "${PROFILE:-0}" = 1 ]; then
    jcmd "$karaf_pid" JFR.stop name=bench >/dev/null
    echo "== hottest frames in the appliance (JFR execution samples; top of stack, then our/first non-JDK frame)"
    jfr print --events jdk.ExecutionSample --stack-depth 30 "$work/bench.jfr" > "$work/samples.txt"
    cp "$work/samples.txt" bench/hl7-mllp/target/jfr-samples.txt
    python3 bench/hl7-mllp/jfr_top.py "$work/samples.txt"
fi

rate() { sed -n 's/.*msgs\/s=\([0-9.]*\).*/\1/p' <<<"$1"; }
python3 -c "print('RATIO carebus/hapi-bare throughput = %.2f' % ($(rate "$carebus") / $(rate "$hapi")))"
