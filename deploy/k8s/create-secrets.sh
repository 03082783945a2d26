#!/bin/sh
# Makes the keys of a hostwatch installation (never replacing one) in DIR and loads them into the
# cluster as the Secrets the manifests use:
#   deploy/k8s/create-secrets.sh DIR [DATABASE_URL]
#   hostwatch-collector-key   collector.key             ingest, alerter, api (open messages)
#   hostwatch-agent           collector.pub             agents (seal to the collector)
#   hostwatch-nats-services   ingest.nk alerter.nk api.nk   one NATS user each
# (operator.nk stays in DIR: it is yours, for 'hostwatch tail' and 'nats sub'.)
#   hostwatch-nats-auth       auth.conf                 nats-server's users ('hostwatch nats-config')
# DIR holds private keys: keep it off the cluster, backed up and readable by you only. Run it again
# after filing an agent's nkey ('hostwatch nats-config nkey --host ID --public-key U...') or
# revoking a host, then reload NATS:
#   kubectl -n hostwatch exec nats-0 -c nats -- nats-server --signal reload=/var/run/nats/nats.pid
# (and nats-1, nats-2). With DATABASE_URL, revoked hosts are left out (see 'hostwatch nats-config').
set -eu
dir=${1:?usage: create-secrets.sh DIR [DATABASE_URL]}
ns=${NAMESPACE:-hostwatch}
hw() { npx --no-install hostwatch "$@"; }
apply() { kubectl -n "$ns" create secret generic "$@" --dry-run=client -o yaml | kubectl apply -f -; }

umask 077
[ -f "$dir/keys/collector.key" ] || hw keys generate --collector --dir "$dir/keys"
for role in ingest alerter api operator; do
  hw nats-config nkey --service "$role" --nkeys "$dir/nats" --if-missing >/dev/null
done
if [ -n "${2:-}" ]; then
  hw nats-config --nkeys "$dir/nats" --database-url "$2" --out "$dir/auth.conf"
else
  hw nats-config --nkeys "$dir/nats" --out "$dir/auth.conf"
fi

kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
apply hostwatch-collector-key --from-file=collector.key="$dir/keys/collector.key"
apply hostwatch-agent --from-file=collector.pub="$dir/keys/collector.pub"
apply hostwatch-nats-services \
  --from-file=ingest.nk="$dir/nats/services/ingest.nk" \
  --from-file=alerter.nk="$dir/nats/services/alerter.nk" \
  --from-file=api.nk="$dir/nats/services/api.nk"
apply hostwatch-nats-auth --from-file=auth.conf="$dir/auth.conf"
