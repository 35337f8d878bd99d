#!/bin/bash
# PID 1 of the cgroup v2 guest, in the root the initramfs prepared (every mount is in place):
# runs the command run.sh left in the exchange share, writes its output and exit code there,
# then ends the guest.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8

xfer=/run/v2-guest

# qemu runs with -no-reboot: a reset ends it, and sysrq needs no program of its own. Writes to
# the share are synchronous (9p without a cache), sync is for anything else in flight.
# Should the reset not come, this script ends and PID 1 exiting panics the kernel, which
# panic=-1 turns into the same reset.
finish() {
  sync
  echo b >/proc/sysrq-trigger
  sleep 10
  exit 1
}

read -r up _ </proc/uptime
echo "$up" >"$xfer/userspace-at"
echo "v2-guest: userspace at ${up}s; cgroup controllers: $(<"/sys/fs/cgroup/cgroup.controllers")"

cd "$(<"$xfer/cwd")" || finish
# Output goes both to the share (what run.sh returns) and to the console (its log).
bash "$xfer/command" </dev/null 2>&1 | tee "$xfer/output"
echo "${PIPESTATUS[0]}" >"$xfer/rc"
finish
