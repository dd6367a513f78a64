#!/usr/bin/env python3
"""Fails the test run when a test class that must run under ./carebus.sh test ran zero tests or skipped some.

The PostgreSQL variants (every test source reading CAREBUS_TEST_PG_URL) skip when that variable is unset, and
AtnaExportTest skips when rsyslog is missing outside CI: convenient on a developer machine, a silent hole in CI.
This reads the surefire and failsafe XML reports after the build and names each such class that did not really run.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
ALWAYS = {"io.carebus.audit.internal.AtnaExportTest"}

required = set(ALWAYS)
for src in root.glob("**/src/test/java/**/*.java"):
    if "target" in src.parts:
        continue
    text = src.read_text(encoding="utf-8", errors="replace")
    if "CAREBUS_TEST_PG_URL" in text and ("@Test" in text or "extends " in text):
        parts = src.parts
        i = parts.index("java", parts.index("test"))
        required.add(".".join(parts[i + 1:])[:-len(".java")])

ran = {}
for report in list(root.glob("**/target/surefire-reports/TEST-*.xml")) + list(root.glob("**/target/failsafe-reports/TEST-*.xml")):
    try:
        suite = ET.parse(report).getroot()
    except ET.ParseError as e:
        print(f"unreadable report {report}: {e}", file=sys.stderr)
        continue
    name = suite.get("name")
    tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
    t, s = ran.get(name, (0, 0))
    ran[name] = (t + tests, s + skipped)

problems = []
for cls in sorted(required):
    tests, skipped = ran.get(cls, (0, 0))
    if cls not in ran:
        problems.append(f"{cls}: no report (the class did not run)")
    elif tests == 0:
        problems.append(f"{cls}: ran zero tests")
    elif skipped > 0:
        problems.append(f"{cls}: {skipped} of {tests} tests skipped")
if problems:
    print("Tests that must run under ./carebus.sh test did not:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print(f"no silent skips: {len(required)} required classes ran ({', '.join(c.rsplit('.', 1)[1] for c in sorted(required))})")
