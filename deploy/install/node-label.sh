#!/bin/bash
# Sets or removes the label metassembly.io/runtime=true on this pod's node, which the
# RuntimeClass schedules onto. Runs in the installer pod as its service account (RBAC: get and
# patch nodes); NODE_NAME comes from the downward API. Needs only curl.
#   node-label.sh set|remove
set -euo pipefail

label=metassembly.io/runtime
sa=/var/run/secrets/kubernetes.io/serviceaccount

case "${1:-}" in
  set) value='"true"' ;;
  remove) value=null ;; # a JSON merge patch deletes a key set to null
  *) echo "usage: $0 set|remove" >&2; exit 2 ;;
esac
: "${NODE_NAME:?NODE_NAME must name this node (downward API spec.nodeName)}"

host="${KUBERNETES_SERVICE_HOST:?not running in a pod}"
[[ $host == *:* ]] && host="[$host]" # IPv6
curl --silent --show-error --fail --output /dev/null \
  --cacert "$sa/ca.crt" \
  --header "Authorization: Bearer $(cat "$sa/token")" \
  --header 'Content-Type: application/merge-patch+json' \
  --request PATCH \
  --data "{\"metadata\":{\"labels\":{\"$label\":$value}}}" \
  "https://$host:${KUBERNETES_SERVICE_PORT:-443}/api/v1/nodes/$NODE_NAME"
echo "metassembly: node $NODE_NAME: $1 label $label"
