#!/usr/bin/env bash
# Footprint of the built appliance: time from bin/start to a 200 /api/health (cold: fresh data/; warm: second
# start), and resident memory after 60 s idle. No peer: issue 2 names none; these are the baseline figures.
# Usage: bench/appliance-footprint.sh [karaf-assembly/target/carebus-<version>.tar.gz]   (uses port 8181)
set -euo pipefail
tarball=$(readlink -f "${1:-$(ls karaf-assembly/target/carebus-*.tar.gz | head -1)}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar xzf "$tarball" -C "$work"
cd "$work"/carebus-*
echo "tarball: $(( $(stat -c %s "$tarball") / 1048576 )) MiB"
for run in cold warm; do
    t0=$(date +%s%N)
    bin/start
    until [ "$(curl -s -o /dev/null -w '%{http_code}' localhost:8181/api/health)" = 200 ]; do sleep 0.2; done
    echo "$run start to healthy: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    if [ "$run" = warm ]; then
        sleep 60
        echo "idle RSS after 60 s: $(( $(ps -o rss= -p "$(pgrep -f "karaf.base=$PWD")") / 1024 )) MiB"
    fi
    bin/stop
    while pgrep -f "karaf.base=$PWD" >/dev/null; do sleep 0.2; done
done
