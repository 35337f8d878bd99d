#!/bin/bash
# Imports the images built by build-images.sh into containerd's k8s.io namespace, the one the
# CRI plugin serves, and unpacks them for the default snapshotter.
#   import-images.sh [ctr global flags, e.g. --address /run/containerd/containerd.sock]
# CTR names the ctr binary (default: ctr on PATH). Importing again is harmless: same digests.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
images="$repo/.cache/images"
ctr="${CTR:-ctr}"

for archive in "$images/pause.oci.tar" "$images/busybox.oci.tar"; do
  [[ -f $archive ]] || { echo "import-images: $archive missing: run scripts/images/build-images.sh" >&2; exit 1; }
  "$ctr" "$@" --namespace k8s.io images import "$archive"
done
