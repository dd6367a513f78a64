"""Summarises `jfr print --events jdk.ExecutionSample` output: the hottest top frames and the hottest CareBus frames."""
import collections
import re
import sys

samples = open(sys.argv[1]).read().split("jdk.ExecutionSample")
top = collections.Counter()
ours = collections.Counter()
area = collections.Counter()
for sample in samples[1:]:
    frames = re.findall(r"^\s+([\w$.<>]+)\(", sample, re.M)
    if not frames:
        continue
    top[frames[0]] += 1
    carebus = next((f for f in frames if f.startswith("io.carebus")), None)
    if carebus:
        ours[carebus] += 1
    for name, marker in (("H2/store", "org.h2"), ("HAPI HL7v2", "ca.uhn.hl7v2"), ("HAPI FHIR", "ca.uhn.fhir"),
                         ("FHIR model", "org.hl7.fhir"), ("camel-mllp", "org.apache.camel.component.mllp"),
                         ("FHIR mapping", "io.carebus.hl7.internal.fhir"), ("dispatcher", "Hl7Dispatcher"),
                         ("intake", "Hl7Intake")):
        if any(marker in f for f in frames):
            area[name] += 1
total = sum(top.values())
print(f"{total} samples")
print("-- share of samples with a frame of (overlapping):")
for name, n in area.most_common():
    print(f"{100.0 * n / total:5.1f}%  {name}")
print("-- top frames:")
for f, n in top.most_common(15):
    print(f"{100.0 * n / total:5.1f}%  {f}")
print("-- CareBus frames (innermost):")
for f, n in ours.most_common(10):
    print(f"{100.0 * n / total:5.1f}%  {f}")
