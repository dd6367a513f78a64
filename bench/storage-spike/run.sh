#!/usr/bin/env bash
# Issue 24's storage spike: group commit through the database vs through a journal (see StorageSpike.java).
# Usage: bench/storage-spike/run.sh [producers] [records] [rounds]
# PostgreSQL: set CAREBUS_TEST_PG_URL/USER/PASSWORD (./carebus.sh test's start_test_postgres sets them); else H2 only.
set -euo pipefail
cd "$(dirname "$0")"
M2=${M2:-$HOME/.m2/repository}
CP="$M2/com/h2database/h2/2.5.252/h2-2.5.252.jar:$M2/org/postgresql/postgresql/42.7.14/postgresql-42.7.14.jar"
DIR=$(mktemp -d "${TMPDIR:-/var/tmp}/carebus-spike.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
java -cp "$CP" StorageSpike.java "jdbc:h2:file:$DIR/h2/spike" sa "" "$DIR/h2" "$@"
if [ -n "${CAREBUS_TEST_PG_URL:-}" ]; then
    java -cp "$CP" StorageSpike.java "$CAREBUS_TEST_PG_URL" "$CAREBUS_TEST_PG_USER" "$CAREBUS_TEST_PG_PASSWORD" \
        "$DIR/pg" "$@"
fi
