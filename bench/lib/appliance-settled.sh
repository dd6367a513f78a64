#!/usr/bin/env bash
# Shared by the benchmarks that boot the appliance (bench/dicom, bench/hl7-mllp): /api/health answers UP while the
# appliance still does its after-boot work, above all the FHIR validator loading the R4 definitions (about 10 s of
# CPU on one of the two cores here), which would be measured as CareBus's own cost. Waits for that line in the log,
# then until the Karaf JVM is nearly idle.
# Usage (from a bench's run.sh, after health is UP): appliance_settled <appliance folder>
appliance_settled() {
    local dir=$1 pid
    for _ in $(seq 1 240); do
        grep -q "FHIR validator ready" "$dir"/data/log/karaf.log* 2>/dev/null && break
        sleep 0.5
    done
    grep -q "FHIR validator ready" "$dir"/data/log/karaf.log* 2>/dev/null \
        || echo "warning: the FHIR validator did not report ready within 2 minutes; figures may include its start-up" >&2
    pid=$(pgrep -f "karaf.base=$(cd "$dir" && pwd)" | head -1)
    [ -n "$pid" ] || return 0
    # CPU ticks of the JVM over one second, until under 10 % of one core (or 30 s have passed)
    local hz before after
    hz=$(getconf CLK_TCK)
    for _ in $(seq 1 30); do
        before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        sleep 1
        after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        [ $(( (after - before) * 100 / hz )) -lt 10 ] && break
    done
}
