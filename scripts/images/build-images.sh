#!/bin/bash
# Builds the two images the CRI path needs, offline, from Debian packages only:
#   .cache/images/busybox.oci.tar  localhost/metassembly/busybox:1  (busybox-static, PATH set, sh as Cmd)
#   .cache/images/pause.oci.tar    localhost/metassembly/pause:1    (scripts/images/pause.c, static)
# Each is an OCI image layout in a tar (oci-layout, index.json, blobs/sha256/...), which
# `ctr images import` (import-images.sh) and any OCI tool (skopeo copy oci-archive:...) accept,
# so the same images can be pushed to a real registry. Layers are uncompressed and every
# timestamp is zero, so the digests only change when the inputs do.
# Idempotent: rebuilt only when busybox, pause.c or this script changes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/.cache/images"
rootfs="$repo/.cache/rootfs/busybox"

busybox_ref="localhost/metassembly/busybox:1"
pause_ref="localhost/metassembly/pause:1"
path_env="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { echo "build-images: $*" >&2; }

# OCI platform names follow Go's GOARCH, not Debian's.
oci_arch() {
  case "$(dpkg --print-architecture)" in
    amd64) echo amd64 ;;
    arm64) echo arm64 ;;
    armhf) echo arm ;;
    i386) echo 386 ;;
    ppc64el) echo ppc64le ;;
    s390x) echo s390x ;;
    riscv64) echo riscv64 ;;
    *) log "unsupported architecture $(dpkg --print-architecture)"; return 1 ;;
  esac
}

# Stores stdin as a blob of layout $1; prints "sha256:<hex> <size>".
put_blob() {
  local layout="$1" tmp="$1/blob.tmp"
  cat >"$tmp"
  local hex; hex="$(sha256sum "$tmp" | cut -d' ' -f1)"
  local size; size="$(stat -c %s "$tmp")"
  mv "$tmp" "$layout/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}

# A reproducible tar of directory $1: sorted, zero mtimes, numeric owners kept as they are.
layer_tar() {
  tar --create --directory "$1" --sort=name --mtime=@0 --numeric-owner --format=gnu --file - .
}

# make_image <archive> <ref> <rootfs dir> <config JSON>: one single-platform image layout, tarred.
make_image() {
  local archive="$1" ref="$2" dir="$3" config="$4"
  local layout; layout="$(mktemp -d "$work/layout.XXXX")"
  mkdir -p "$layout/blobs/sha256"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

  local layer layer_digest layer_size
  layer="$(layer_tar "$dir" | put_blob "$layout")"
  read -r layer_digest layer_size <<<"$layer"

  # An uncompressed layer's diff_id is its own digest.
  local cfg cfg_digest cfg_size
  cfg="$(jq -cn --arg arch "$arch" --arg diff "$layer_digest" --argjson config "$config" \
    '{created: "1970-01-01T00:00:00Z", architecture: $arch, os: "linux", config: $config,
      rootfs: {type: "layers", diff_ids: [$diff]}}' | put_blob "$layout")"
  read -r cfg_digest cfg_size <<<"$cfg"

  local man man_digest man_size
  man="$(jq -cn --arg cd "$cfg_digest" --argjson cs "$cfg_size" --arg ld "$layer_digest" --argjson ls "$layer_size" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]}' | put_blob "$layout")"
  read -r man_digest man_size <<<"$man"

  # containerd names the imported image after io.containerd.image.name; other OCI tools read
  # org.opencontainers.image.ref.name.
  jq -cn --arg md "$man_digest" --argjson ms "$man_size" --arg ref "$ref" --arg arch "$arch" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
        platform: {architecture: $arch, os: "linux"},
        annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": $ref}}]}' \
    >"$layout/index.json"

  tar --create --directory "$layout" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --format=gnu --file "$archive.tmp" oci-layout index.json blobs
  mv "$archive.tmp" "$archive"
  log "built $archive ($ref, manifest $man_digest)"
}

build_pause_rootfs() {
  local dir="$work/pause-rootfs"
  mkdir -p "$dir"
  gcc -static -Os -s -Wall -Wextra -Werror -o "$dir/pause" "$here/pause.c"
  echo "$dir"
}

main() {
  bash "$repo/scripts/make-rootfs.sh"
  local stamp
  stamp="$(cat "$rootfs/.stamp" "$here/pause.c" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
  if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp" && -f $out/busybox.oci.tar && -f $out/pause.oci.tar ]]; then
    return
  fi
  command -v jq >/dev/null || { log "jq is required (apt-get install jq)"; exit 1; }

  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  arch="$(oci_arch)"
  mkdir -p "$out"

  # The rootfs carries make-rootfs's stamp file, which is no part of the image.
  local bb="$work/busybox-rootfs"
  cp -a "$rootfs" "$bb"
  rm -f "$bb/.stamp"
  make_image "$out/busybox.oci.tar" "$busybox_ref" "$bb" \
    "$(jq -cn --arg env "$path_env" '{Env: [$env], Cmd: ["sh"], WorkingDir: "/"}')"

  # 65535 is the unprivileged user Kubernetes' own pause image runs as.
  make_image "$out/pause.oci.tar" "$pause_ref" "$(build_pause_rootfs)" \
    "$(jq -cn --arg env "$path_env" '{Env: [$env], Entrypoint: ["/pause"], User: "65535:65535", WorkingDir: "/"}')"

  echo "$stamp" >"$out/.stamp"
}

main "$@"
