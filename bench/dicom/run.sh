#!/usr/bin/env bash
# DICOM ingest: storescu of N generated 512x512 16-bit CT instances to the CareBus appliance (built and started here
# with its defaults, embedded H2 store, audit on), to dcmtk's storescp, to storescp forcing each file and its folder
# before answering (storescp+sync), and to Orthanc, in the same run, all with
# TCP_NODELAY=1; one association, then 4 at once. Prints instances/s and the ratios.
# With CAREBUS_BENCH_TIMINGS=1 the appliance logs each instance's phases at DEBUG (receive, force, parse, file, store,
# index, audit) and the averages over the single-association run are printed at the end.
# With CAREBUS_BENCH_PG=1 the appliance keeps its store, audit trail and DICOM index in Debian's PostgreSQL (the
# production setting; a fresh database carebus_bench is made) instead of the embedded H2 database.
# Usage: bench/dicom/run.sh [instances=300] [rounds=3]
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
if [ "${CAREBUS_BENCH_PG:-0}" = 1 ]; then
    PG_VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
    pg_ctlcluster "$PG_VERSION" main start 2>/dev/null || true
    PG_PORT=$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $3}')
    AS_PG="runuser -u postgres --"; [ "$(id -u)" -eq 0 ] || AS_PG="sudo -u postgres"
    $AS_PG psql -q -p "$PG_PORT" -c "DROP DATABASE IF EXISTS carebus_bench" >/dev/null
    $AS_PG psql -q -p "$PG_PORT" -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carebus_bench') THEN CREATE ROLE carebus_bench LOGIN PASSWORD 'carebus_bench'; END IF; END\$\$" >/dev/null
    $AS_PG createdb -p "$PG_PORT" -O carebus_bench carebus_bench
    for cfg in store; do
        f="$WORK/appliance/etc/io.carebus.$cfg.cfg"
        sed -i '/^jdbc\.\(url\|user\|password\) *=/d' "$f"
        printf 'jdbc.url = jdbc:postgresql://127.0.0.1:%s/carebus_bench\njdbc.user = carebus_bench\njdbc.password = carebus_bench\n' "$PG_PORT" >> "$f"
    done
    echo "CareBus on PostgreSQL $PG_VERSION (port $PG_PORT)"
fi
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
. bench/lib/appliance-settled.sh
appliance_settled "$WORK/appliance"
export TCP_NODELAY=1
java -cp "bench/dicom/target/classes:bench/dicom/target/lib/*" io.carebus.bench.dicom.DicomBench "$N" "$DICOM" "$WORK" "${2:-3}"
if [ "${CAREBUS_BENCH_TIMINGS:-0}" = 1 ]; then
    # The first N lines are the warm-up (N instances on 4 associations), the next N the first single-association round.
    grep -h "received in" "$WORK"/appliance/data/log/karaf.log* | sed -n "$((N + 1)),$((2 * N))p" | sed -E \
        's/.*received in ([0-9]+) .*kept in ([0-9]+) .*force ([0-9]+), parse ([0-9]+), file ([0-9]+), store ([0-9]+), index ([0-9]+), audit ([0-9]+).*/\1 \2 \3 \4 \5 \6 \7 \8/' \
        | awk '{for (i = 1; i <= 8; i++) s[i] += $i; n++} END {if (n) printf "CareBus per instance (first single-association round, mean of %d, us): receive %d, kept %d = force %d + parse %d + file %d + store %d + index %d + audit %d\n", n, s[1]/n, s[2]/n, s[3]/n, s[4]/n, s[5]/n, s[6]/n, s[7]/n, s[8]/n}'
fi
