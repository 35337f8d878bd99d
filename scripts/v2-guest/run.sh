#!/bin/bash
# run.sh [COMMAND...]: boots a cgroup-v2-only Linux guest under qemu's software emulation
# (TCG: this host's /dev/kvm does not run an unmodified kernel), runs COMMAND there as root
# in this repository, prints its output and exits with its exit code.
#
# The guest is Debian's kernel (fetch-kernel.sh) on qemu's microvm, entered through PVH, with
# this host's root filesystem shared read-only over 9p under a tmpfs overlay: the project,
# node_modules, containerd and runc are all there, and nothing the guest writes reaches the
# host except the exchange directory. The guest's /tmp is a fresh ext4 disk (virtio-blk, a
# sparse image in the run directory): what tests make there (containerd roots, rootfs
# copies) can be idmapped for user-namespaced pods, which 9p and a 6.1 tmpfs cannot.
# Default COMMAND: the focused v2 suite (inside.sh).
#
# Environment: V2_GUEST_TIMEOUT (seconds, default 900), V2_GUEST_MEMORY (default 3G),
# V2_GUEST_CPUS (default 2), V2_GUEST_DISK (size of /tmp, default 8G, sparse),
# V2_GUEST_CONSOLE=1 (boot without `quiet` and print the guest's console log at the end,
# kernel messages included). Exit codes besides COMMAND's: 124 timed out, 125 the guest
# ended without reporting one (its console log is shown).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/scripts/v2-guest"
timeout_s="${V2_GUEST_TIMEOUT:-900}"
memory="${V2_GUEST_MEMORY:-3G}"
cpus="${V2_GUEST_CPUS:-2}"
disk_size="${V2_GUEST_DISK:-8G}"
show_console="${V2_GUEST_CONSOLE:-0}"

log() { echo "v2-guest: $*" >&2; }

# qemu runs under timeout(1) as well, so that even a run.sh killed outright (no trap runs)
# leaves no emulator behind for longer than the limit. $guest_pid is that timeout process.
guest_pid=""
run_dir=""

# timeout forwards SIGTERM to qemu, which quits on it at once; KILL if it did not.
stop_guest() {
  kill -TERM "$guest_pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do
    kill -0 "$guest_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -f $run_dir/qemu.pid ]]; then
    kill -KILL "$(cat "$run_dir/qemu.pid")" 2>/dev/null || true
  fi
  wait "$guest_pid" 2>/dev/null || true
}

cleanup() {
  if [[ -n $guest_pid ]] && kill -0 "$guest_pid" 2>/dev/null; then
    stop_guest
  fi
  [[ -n $run_dir ]] && rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Under TCG the guest's TSC runs at the host's rate, but the kernel cannot measure it: the
# emulated PIT is too slow to calibrate against and microvm has no HPET or ACPI PM timer, and
# boot hangs right after "Marking TSC unstable". So the host's rate is handed in, and the
# delay loop's calibration skipped (lpj = kHz * 1000 / HZ, Debian's HZ being 250). Both vCPUs
# read the same host counter, so the TSC is also declared reliable (no watchdog, no sync test).
tsc_khz() {
  awk -F: '/^cpu MHz/ { printf "%d\n", $2 * 1000; exit }' /proc/cpuinfo
}

# Kernel command line: pure cgroup v2 (systemd's switch for a unified hierarchy and no v1
# controller anywhere), console on the microvm's ISA serial port, and our init. panic=-1 with
# qemu's -no-reboot turns a kernel panic into qemu exiting instead of a hang.
cmdline() {
  local khz
  khz="$(tsc_khz)"
  [[ $khz =~ ^[1-9][0-9]*$ ]] || { log "no 'cpu MHz' in /proc/cpuinfo: cannot give the guest its TSC rate"; return 1; }
  local quiet=quiet
  [[ $show_console == 1 ]] && quiet=""
  echo "console=ttyS0 $quiet panic=-1 tsc_early_khz=$khz lpj=$((khz * 4)) tsc=reliable" \
    "systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all init=$here/guest-init.sh"
}

# The guest's /tmp. mke2fs writes only metadata into the sparse file; the inode tables are
# left for lazy init, which the guest skips (noinit_itable): the disk is thrown away after
# the run, so the zeroing would be emulated I/O for nothing.
make_tmp_disk() {
  truncate -s "$disk_size" "$1"
  mkfs.ext4 -q -F -L v2-tmp -E lazy_itable_init=1,lazy_journal_init=1,nodiscard "$1"
}

boot() {
  local kernel_dir="$1" append
  append="$(cmdline)"
  # MTTCG runs each vCPU on its own host thread; a bigger translation cache keeps node's
  # code from being retranslated.
  timeout -s KILL "$((timeout_s + 60))" qemu-system-x86_64 \
    -M microvm,isa-serial=on,rtc=on -accel tcg,thread=multi,tb-size=512 -cpu max \
    -smp "$cpus" -m "$memory" \
    -nodefaults -no-user-config -display none -no-reboot -pidfile "$run_dir/qemu.pid" \
    -kernel "$kernel_dir/vmlinux" -initrd "$run_dir/initramfs.cpio" -append "$append" \
    -serial "file:$run_dir/console.log" \
    -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
    -device virtio-9p-device,fsdev=hostroot,mount_tag=hostroot \
    -fsdev "local,id=xfer,path=$run_dir/xfer,security_model=none" \
    -device virtio-9p-device,fsdev=xfer,mount_tag=xfer \
    -drive "file=$run_dir/tmp.img,if=none,id=tmpdisk,format=raw,cache=unsafe" \
    -device virtio-blk-device,drive=tmpdisk &
  guest_pid=$!
}

# Waits for qemu up to the time limit; 0 when it exited by itself.
wait_guest() {
  local deadline=$((SECONDS + timeout_s))
  while kill -0 "$guest_pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      stop_guest
      return 1
    fi
    sleep 0.2
  done
  wait "$guest_pid" || log "qemu exited with status $?"
  return 0
}

# The guest starts with a clean environment; the project's own switches (V2_*, METASSEMBLY_*,
# CI, DEBUG) are carried into it ahead of the command.
write_command() {
  local file="$1" name
  shift
  : >"$file"
  for name in $(compgen -e); do
    [[ $name =~ ^(V2_|METASSEMBLY_) || $name == CI || $name == DEBUG ]] || continue
    printf 'export %s=%q\n' "$name" "${!name}" >>"$file"
  done
  printf 'exec' >>"$file"
  printf ' %q' "$@" >>"$file"
  echo >>"$file"
}

main() {
  [[ $(id -u) == 0 ]] || { log "must run as root"; exit 1; }
  mkdir -p "$repo/.cache/v2-guest/runs"
  run_dir="$(mktemp -d "$repo/.cache/v2-guest/runs/run.XXXXXX")"
  mkdir "$run_dir/xfer"
  bash "$here/host-tools.sh"

  local kernel_dir
  kernel_dir="$(bash "$here/fetch-kernel.sh")"
  bash "$here/make-initramfs.sh" "$kernel_dir" "$run_dir/initramfs.cpio"
  make_tmp_disk "$run_dir/tmp.img"

  if (($# == 0)); then
    set -- bash "$here/inside.sh"
  fi
  write_command "$run_dir/xfer/command" "$@"
  pwd >"$run_dir/xfer/cwd"

  local t0=$SECONDS
  log "booting $(basename "$kernel_dir") on microvm (TCG, $cpus vCPUs, $memory), limit ${timeout_s}s"
  boot "$kernel_dir"
  local timed_out=0
  wait_guest || timed_out=1
  guest_pid=""

  local xfer="$run_dir/xfer"
  [[ $show_console == 1 ]] && cat "$run_dir/console.log" >&2
  [[ -f $xfer/output ]] && cat "$xfer/output"
  local userspace="?"
  [[ -f $xfer/userspace-at ]] && userspace="$(cat "$xfer/userspace-at")"
  log "userspace after ${userspace}s of guest uptime; total $((SECONDS - t0))s"
  if ((timed_out)); then
    log "timed out after ${timeout_s}s; console log tail:"
    tail -n 40 "$run_dir/console.log" >&2
    return 124
  fi
  if [[ ! -f $xfer/rc ]]; then
    log "the guest ended without an exit code; console log tail:"
    tail -n 40 "$run_dir/console.log" >&2
    return 125
  fi
  return "$(cat "$xfer/rc")"
}

main "$@"
