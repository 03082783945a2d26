#!/bin/sh
# First start of the compose stack, and every start after: migrate the database, make whatever key
# is missing (never replacing one), and write nats-server's authorization block. Idempotent.
set -eu
hw() { node /app/services/cli/bin/hostwatch.js "$@"; }
keys=/etc/hostwatch/keys
nkeys=/etc/hostwatch/nats

hw migrate
[ -f "$keys/collector.key" ] || hw keys generate --collector --dir "$keys"
[ -f "$keys/hosts/$HOST_ID.key" ] || hw keys generate --host "$HOST_ID" --dir "$keys"
for role in ingest alerter api operator; do
  hw nats-config nkey --service "$role" --nkeys "$nkeys" --if-missing >/dev/null
done
hw nats-config nkey --host "$HOST_ID" --nkeys "$nkeys" --if-missing >/dev/null
hw nats-config --nkeys "$nkeys" --out /etc/hostwatch/nats-auth/auth.conf
