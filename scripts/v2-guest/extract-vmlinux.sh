#!/bin/bash
# extract-vmlinux.sh BZIMAGE OUT: writes the uncompressed kernel ELF inside a bzImage to OUT
# and checks that it has the PVH entry note qemu's microvm boots it through.
#
# A bzImage is a small decompressor followed by the compressed vmlinux. The payload is found
# by the magic bytes of each compressor the kernel supports; every match is tried in file
# order (the decompressor's own code can contain a magic by chance) until one decompresses to
# an ELF file.
set -euo pipefail

bzimage="$1"
out="$2"

# compressor magic (grep -P byte escapes) and the command that decompresses from stdin.
formats=(
  '\x1f\x8b\x08' 'gzip -dc'
  '\xfd\x37\x7a\x58\x5a\x00' 'xz -dc --single-stream'
  '\x28\xb5\x2f\xfd' 'zstd -dcq'
  '\x02\x21\x4c\x18' 'lz4 -dc'
  '\x42\x5a\x68' 'bzip2 -dc'
  '\x5d\x00\x00\x00' 'xz -dc --format=lzma'
)

is_elf() { [[ $(head -c 4 "$1" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; }

# XEN_ELFNOTE_PHYS32_ENTRY (18): the 32-bit PVH entry point. readelf names unknown Xen notes
# by number.
has_pvh_note() { readelf -n "$1" | grep -Eq '^\s*Xen\s+0x[0-9a-f]+\s+Unknown note type: \(0x00000012\)'; }

extract() {
  local i magic cmd offset
  for ((i = 0; i < ${#formats[@]}; i += 2)); do
    magic="${formats[i]}"
    cmd="${formats[i + 1]}"
    command -v "${cmd%% *}" >/dev/null || continue
    while IFS=: read -r offset _; do
      # Trailing data after the stream is expected; only the ELF check decides.
      tail -c "+$((offset + 1))" "$bzimage" | $cmd >"$out" 2>/dev/null || true
      if [[ -s $out ]] && is_elf "$out"; then
        return 0
      fi
    done < <(LC_ALL=C grep -obUaP "$magic" "$bzimage" || true)
  done
  rm -f "$out"
  echo "extract-vmlinux: no compressed ELF found in $bzimage" >&2
  return 1
}

extract
if ! has_pvh_note "$out"; then
  rm -f "$out"
  echo "extract-vmlinux: $bzimage has no PVH entry note (CONFIG_PVH): microvm cannot boot it" >&2
  exit 1
fi
