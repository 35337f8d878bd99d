#!/bin/busybox sh
# /init of the guest's initramfs (busybox, as PID 1): loads the modules the guest kernel needs
# for its root, mounts the host's root (9p, read-only) with a tmpfs overlay on top so the guest
# can write anywhere without touching the host, mounts what a systemd host has (cgroup2 only,
# at /sys/fs/cgroup), run.sh's ext4 disk at /tmp and the exchange share, and hands over to the
# init= program on the kernel command line, inside that root. The mounts are made here rather than by that program: every
# exec of a host binary costs a 9p read and a fresh translation under TCG, busybox is already
# in memory, and switch_root carries mounts under the new root along.
/bin/busybox --install -s /bin
export PATH=/bin

# No way to go on: say why on the console and end the guest. PID 1 exiting panics the
# kernel, which panic=-1 turns into a reset, and qemu's -no-reboot into its exit.
die() {
  echo "v2-guest initramfs: $*"
  exit 1
}

mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
while read -r module; do
  insmod "/modules/$module.ko" || die "insmod $module failed"
done </modules.order

mkdir -p /lower /rw /newroot
# Loose caching: the host's files do not change under a test run, and node resolves modules
# with many stats and small reads, each a round trip through the emulated virtio queue.
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose hostroot /lower || die "cannot mount the host root"
mount -t tmpfs -o mode=0755 rw /rw
mkdir /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || die "cannot mount the overlay root"

root=/newroot
# /tmp is ext4, not tmpfs: tests put containerd roots and rootfs copies there, and the
# user-namespaced pods' idmapped mounts need a filesystem this 6.1 kernel can idmap. The
# disk's node appears once devtmpfs has caught up with virtio-blk's probe.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  [ -b /dev/vda ] && break
  sleep 0.2
done
mount -t ext4 -o noinit_itable /dev/vda "$root/tmp" || die "cannot mount the ext4 disk at /tmp"
chmod 1777 "$root/tmp"

umount /proc
umount /dev
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount -t devtmpfs devtmpfs "$root/dev"
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/dev/shm"
# The links udev/systemd make on a real host; bash's process substitution needs /dev/fd.
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
# As systemd mounts it on a unified host.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 "$root/sys/fs/cgroup" || die "cannot mount cgroup2"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
mkdir -p "$root/run/v2-guest"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 xfer "$root/run/v2-guest" || die "cannot mount the exchange share"
hostname v2-guest
ip link set lo up

init=$(sed -n 's/.*\binit=\([^ ]*\).*/\1/p' "$root/proc/cmdline")
[ -n "$init" ] || die "no init= on the kernel command line"
exec switch_root "$root" "$init"
