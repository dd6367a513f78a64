#!/usr/bin/env bash
# DICOM ingest: storescu of N generated 512x512 16-bit CT instances to the CareBus appliance (built and started here
# with its defaults, embedded H2 store, audit on), to dcmtk's storescp and to Orthanc, in the same run, all with
# TCP_NODELAY=1; one association, then 4 at once. Prints instances/s and the ratios.
# With CAREBUS_BENCH_TIMINGS=1 the appliance logs each instance's phases at DEBUG (receive, force, parse, file, store,
# index, audit) and the averages over the single-association run are printed at the end.
# Usage: bench/dicom/run.sh [instances=300]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-300}
if [ ! -d bench/dicom/target/lib ] || [ ! -f karaf-assembly/target/carebus-0.1.0-SNAPSHOT.tar.gz ]; then
    ./mvnw -B -q -DskipTests install
fi
WORK=bench/dicom/target/run
rm -rf "$WORK" && mkdir -p "$WORK/appliance"
tar xzf karaf-assembly/target/carebus-0.1.0-SNAPSHOT.tar.gz -C "$WORK/appliance" --strip-components=1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); DICOM=$(free_port)
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $HTTP/" "$WORK/appliance/etc/org.ops4j.pax.web.cfg"
sed -i "s/^port *=.*/port = $DICOM/" "$WORK/appliance/etc/io.carebus.dicom.cfg"
sed -i "s/^sshPort *=.*/sshPort = $(free_port)/" "$WORK/appliance/etc/org.apache.karaf.shell.cfg"
sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" \
    "$WORK/appliance/etc/org.apache.karaf.management.cfg"
if [ "${CAREBUS_BENCH_TIMINGS:-0}" = 1 ]; then
    printf 'log4j2.logger.dicomstore.name = io.carebus.dicom.internal.InstanceStore\nlog4j2.logger.dicomstore.level = DEBUG\n' \
        >> "$WORK/appliance/etc/org.ops4j.pax.logging.cfg"
fi
"$WORK/appliance/bin/start"
trap '"$WORK/appliance/bin/stop" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$HTTP/api/health" >/dev/null 2>&1 && break
    sleep 0.5
done
export TCP_NODELAY=1
java -cp "bench/dicom/target/classes:bench/dicom/target/lib/*" io.carebus.bench.dicom.DicomBench "$N" "$DICOM" "$WORK"
if [ "${CAREBUS_BENCH_TIMINGS:-0}" = 1 ]; then
    # The first N lines are the single-association run; the first 20 of them are warm-up.
    grep -h "received in" "$WORK"/appliance/data/log/karaf.log* | head -n "$N" | tail -n +21 | sed -E \
        's/.*received in ([0-9]+) .*kept in ([0-9]+) .*force ([0-9]+), parse ([0-9]+), file ([0-9]+), store ([0-9]+), index ([0-9]+), audit ([0-9]+).*/\1 \2 \3 \4 \5 \6 \7 \8/' \
        | awk '{for (i = 1; i <= 8; i++) s[i] += $i; n++} END {if (n) printf "CareBus per instance (1 association, mean of %d, us): receive %d, kept %d = force %d + parse %d + file %d + store %d + index %d + audit %d\n", n, s[1]/n, s[2]/n, s[3]/n, s[4]/n, s[5]/n, s[6]/n, s[7]/n, s[8]/n}'
fi
