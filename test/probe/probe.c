/*
 * metassembly escape probe: run inside a container, it tries each way out of the sandbox
 * and prints one JSON line per probe, {"name", "blocked", "detail"}, then a summary line.
 * "blocked" means the sandbox stopped the attempt; "open" means the attempt worked, or got
 * past the permission check (an argument error after it still proves the door is open).
 * Every probe runs in a forked child, so a seccomp kill or a state change (unshare, setns,
 * dropped ids) stays there. Nothing destructive is done when a probe succeeds: files
 * opened for writing are never written, clocks are set to the time they already have.
 *
 * Host facts the test passes in: --marker NAME (names a host abstract socket; a host
 * process's argv holds "<marker>.host-process"), --host-file
 * PATH, --tcp PORT (listening on the host's 127.0.0.1), --suid PATH (a setuid-root copy of
 * this program in the rootfs), --mem-bound-mib N (how far to touch memory looking for a
 * limit when no cgroup file shows it; default 2048). --report-ids is the mode
 * that copy runs in.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

static const char *marker, *host_file, *suid_path;
static int tcp_port;
static long mem_bound_mib = 2048;

/* ---- results ---- */

typedef struct {
  int blocked;
  char detail[512];
} result;

static void say(result *r, int blocked, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  r->blocked = blocked;
  vsnprintf(r->detail, sizeof r->detail, fmt, ap);
  va_end(ap);
}

/* Appends to the detail. */
static void add(result *r, const char *fmt, ...) {
  size_t used = strlen(r->detail);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->detail + used, sizeof r->detail - used, fmt, ap);
  va_end(ap);
}

/* What a sandbox answers when it refuses: a capability or permission check, seccomp's
 * errno, a read-only mount. */
static int refused(int err) { return err == EPERM || err == EACCES || err == ENOSYS || err == EROFS; }

static void json_string(char *out, size_t size, const char *s) {
  size_t o = 0;
  out[o++] = '"';
  for (; *s && o + 8 < size; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      out[o++] = '\\';
      out[o++] = (char)c;
    } else if (c < 0x20) {
      o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
    } else {
      out[o++] = (char)c;
    }
  }
  out[o++] = '"';
  out[o] = '\0';
}

static void print_line(const char *name, int blocked, const char *detail) {
  char d[1200], line[1400];
  json_string(d, sizeof d, detail);
  int n = snprintf(line, sizeof line, "{\"name\":\"%s\",\"blocked\":%s,\"detail\":%s}\n", name, blocked ? "true" : "false", d);
  if (write(1, line, (size_t)n) < 0) _exit(3);
}

static int total, blocked_count;
static char open_names[4096];

/* Runs one probe in a child; exit 0 = blocked, 1 = open; a signal counts as blocked (seccomp kill). */
static void run(const char *name, void (*fn)(result *)) {
  pid_t pid = fork();
  if (pid == 0) {
    result r = {0, ""};
    fn(&r);
    print_line(name, r.blocked, r.detail);
    _exit(r.blocked ? 0 : 1);
  }
  int status = 0, blocked;
  if (pid < 0) {
    char d[64];
    snprintf(d, sizeof d, "fork: %s", strerror(errno));
    print_line(name, 0, d);
    blocked = 0;
  } else {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
      char d[64];
      snprintf(d, sizeof d, "killed by signal %d", WTERMSIG(status));
      blocked = WTERMSIG(status) == SIGSYS;
      print_line(name, blocked, d);
    } else {
      blocked = WEXITSTATUS(status) == 0;
    }
  }
  total++;
  if (blocked) {
    blocked_count++;
  } else {
    size_t used = strlen(open_names);
    snprintf(open_names + used, sizeof open_names - used, "%s\"%s\"", used ? "," : "", name);
  }
}

/* ---- helpers ---- */

/* Opens for writing and reports whether that worked on the real file: a masked path is
 * /dev/null (a char device), and writing to that reaches nothing. The file is never written. */
static int opens_for_write(const char *path, char *why, size_t size) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(why, size, "%s: %s", path, strerror(errno));
    return 0;
  }
  struct stat st;
  int masked = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
  close(fd);
  snprintf(why, size, "%s: %s", path, masked ? "masked (/dev/null)" : "opened for writing");
  return !masked;
}

/* Reads up to size-1 bytes of a file; -1 with errno on failure. */
static ssize_t read_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t total_read = 0, n;
  while ((size_t)total_read < size - 1 && (n = read(fd, buf + total_read, size - 1 - (size_t)total_read)) > 0) total_read += n;
  int saved = errno;
  close(fd);
  if (n < 0 && total_read == 0) {
    errno = saved;
    return -1;
  }
  buf[total_read] = '\0';
  return total_read;
}

/* Forks a grandchild that runs fn(arg) and returns its exit status, for steps that change the caller. */
static int in_child(int (*fn)(void *), void *arg) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn(arg));
  int status = 0;
  if (pid < 0) return 255;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- mounts ---- */

static void p_mount_tmpfs(result *r) {
  mkdir("/tmp/.probe-mnt", 0700);
  if (mount("tmpfs", "/tmp/.probe-mnt", "tmpfs", 0, "size=1m") == 0) {
    umount2("/tmp/.probe-mnt", MNT_DETACH);
    say(r, 0, "mounted a tmpfs");
  } else {
    say(r, refused(errno), "mount tmpfs: %s", strerror(errno));
  }
}

static void p_remount_root(result *r) {
  if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL) == 0) say(r, 0, "remounted / read-write");
  else say(r, refused(errno), "remount /: %s", strerror(errno));
}

static void p_new_mount_api(result *r) {
  long fd = syscall(SYS_fsopen, "tmpfs", 0);
  if (fd >= 0) say(r, 0, "fsopen(tmpfs) gave an fd");
  else say(r, refused(errno), "fsopen: %s", strerror(errno));
}

static void p_umount_masked(result *r) {
  /* Unmounting a mask or a read-only bind is how a masked path is unmasked. umount checks
   * the capability before whether the path is a mount point, so EINVAL also means allowed. */
  const char *const paths[] = {"/proc/kcore", "/proc/timer_list", "/proc/sysrq-trigger", "/proc/sys", "/sys/firmware"};
  struct stat st;
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    if (stat(paths[i], &st) != 0) continue;
    if (umount2(paths[i], MNT_DETACH) == 0) say(r, 0, "unmounted what covered %s", paths[i]);
    else say(r, refused(errno), "umount %s: %s", paths[i], strerror(errno));
    return;
  }
  say(r, 1, "none of the usual masked paths exists");
}

/* ---- cgroups ---- */

static void p_cgroup_release_agent(result *r) {
  glob_t g;
  say(r, 1, "");
  int found = 0;
  if (glob("/sys/fs/cgroup/*/release_agent", 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      char why[256];
      found = 1;
      if (opens_for_write(g.gl_pathv[i], why, sizeof why)) r->blocked = 0;
      add(r, "%s; ", why);
    }
    globfree(&g);
  }
  if (!found) add(r, "no release_agent visible; ");
  mkdir("/tmp/.probe-cg", 0700);
  if (mount("cgroup", "/tmp/.probe-cg", "cgroup", 0, "none,name=probe") == 0) {
    r->blocked = 0;
    add(r, "mounted a cgroup v1 hierarchy");
    umount2("/tmp/.probe-cg", MNT_DETACH);
  } else {
    add(r, "mount cgroup v1: %s", strerror(errno));
  }
}

static void p_cgroup_write(result *r) {
  const char *dirs[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu"};
  say(r, 1, "");
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
    char child[128];
    snprintf(child, sizeof child, "%s/probe-child", dirs[i]);
    if (mkdir(child, 0755) == 0) {
      rmdir(child);
      r->blocked = 0;
      add(r, "created %s; ", child);
    } else {
      add(r, "%s: %s; ", dirs[i], strerror(errno));
    }
  }
}

/* ---- namespaces ---- */

static int do_unshare(void *flag) { return unshare((int)(intptr_t)flag) == 0 ? 0 : errno; }

static void unshare_probe(result *r, int flag) {
  int rc = in_child(do_unshare, (void *)(intptr_t)flag);
  if (rc == 0) say(r, 0, "unshare succeeded");
  else say(r, rc < 128 && refused(rc), "unshare: %s", rc < 128 ? strerror(rc) : "killed");
}
static void p_unshare_user(result *r) { unshare_probe(r, CLONE_NEWUSER); }
static void p_unshare_mnt(result *r) { unshare_probe(r, CLONE_NEWNS); }
static void p_unshare_net(result *r) { unshare_probe(r, CLONE_NEWNET); }
static void p_unshare_pid(result *r) { unshare_probe(r, CLONE_NEWPID); }
static void p_unshare_uts(result *r) { unshare_probe(r, CLONE_NEWUTS); }
static void p_unshare_ipc(result *r) { unshare_probe(r, CLONE_NEWIPC); }
static void p_unshare_cgroup(result *r) { unshare_probe(r, CLONE_NEWCGROUP); }
static void p_unshare_time(result *r) { unshare_probe(r, CLONE_NEWTIME); }

static void p_clone_newuser(result *r) {
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) {
    waitpid((pid_t)pid, NULL, 0);
    say(r, 0, "clone(CLONE_NEWUSER) made a user namespace");
  } else {
    say(r, refused(errno), "clone(CLONE_NEWUSER): %s", strerror(errno));
  }
}

/* The classic path to capabilities: a new user namespace, then a mount namespace and a mount in it. */
static int userns_mount(void *arg) {
  (void)arg;
  if (unshare(CLONE_NEWUSER) != 0) return 10;
  if (unshare(CLONE_NEWNS) != 0) return 11;
  if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) != 0) return 12;
  return 0;
}

static void p_userns_mount(result *r) {
  int rc = in_child(userns_mount, NULL);
  const char *steps[] = {"unshare(CLONE_NEWUSER) failed", "unshare(CLONE_NEWNS) in it failed", "mount in it failed"};
  if (rc == 0) say(r, 0, "a new user namespace gave the capabilities to mount");
  else say(r, 1, "%s", rc >= 10 && rc <= 12 ? steps[rc - 10] : "killed");
}

static void p_setns(result *r) {
  const char *types[] = {"mnt", "net", "pid", "ipc", "uts", "cgroup", "user"};
  say(r, 1, "");
  for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/1/ns/%s", types[i]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      add(r, "%s: open %s; ", types[i], strerror(errno));
      continue;
    }
    if (setns(fd, 0) == 0) {
      r->blocked = 0;
      add(r, "%s: joined; ", types[i]);
    } else {
      add(r, "%s: %s; ", types[i], strerror(errno));
    }
    close(fd);
  }
}

/* ---- handles, devices ---- */

static void p_open_by_handle_at(result *r) {
  /* The "shocker" handle: inode 2 (a filesystem root) on the rootfs's filesystem. */
  struct {
    struct file_handle h;
    unsigned char bytes[8];
  } fh;
  memset(&fh, 0, sizeof fh);
  fh.h.handle_bytes = 8;
  fh.h.handle_type = 1;
  uint32_t ino = 2;
  memcpy(fh.h.f_handle, &ino, sizeof ino);
  int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = open_by_handle_at(root, &fh.h, O_RDONLY);
  if (fd >= 0) say(r, 0, "opened inode 2 by handle");
  else say(r, refused(errno), "open_by_handle_at: %s%s", strerror(errno), refused(errno) ? "" : " (past the permission check)");
}

static void mknod_probe(result *r, const char *path, mode_t type, dev_t dev) {
  unlink(path);
  if (mknod(path, type | 0600, dev) != 0) {
    say(r, refused(errno), "mknod %s: %s", path, strerror(errno));
    return;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    say(r, 0, "made and opened %s", path);
  } else {
    say(r, refused(errno), "mknod allowed, open %s: %s", path, strerror(errno));
  }
  unlink(path);
}
static void p_mknod_block(result *r) { mknod_probe(r, "/tmp/.probe-sda", S_IFBLK, makedev(8, 0)); }
static void p_mknod_mem(result *r) { mknod_probe(r, "/tmp/.probe-mem", S_IFCHR, makedev(1, 1)); }

static void open_any(result *r, const char *const *paths, size_t count) {
  say(r, 1, "");
  for (size_t i = 0; i < count; i++) {
    int fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) {
      close(fd);
      r->blocked = 0;
      add(r, "%s: opened; ", paths[i]);
    } else if (errno != ENOENT) {
      add(r, "%s: %s; ", paths[i], strerror(errno));
    }
  }
  if (r->blocked && r->detail[0] == '\0') add(r, "none present");
}
static void p_host_disks(result *r) {
  const char *const disks[] = {"/dev/sda", "/dev/sdb", "/dev/vda", "/dev/vdb", "/dev/xvda", "/dev/nvme0n1", "/dev/hda", "/dev/dm-0", "/dev/loop0", "/dev/md0"};
  open_any(r, disks, sizeof disks / sizeof *disks);
}
static void p_dev_mem(result *r) {
  const char *const mem[] = {"/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg"};
  open_any(r, mem, sizeof mem / sizeof *mem);
}

/* ---- sockets, ptrace ---- */

static void p_raw_socket(result *r) {
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd >= 0) say(r, 0, "AF_INET SOCK_RAW opened");
  else say(r, refused(errno), "AF_INET SOCK_RAW: %s", strerror(errno));
}

static void p_packet_socket(result *r) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(0x0003));
  if (fd >= 0) say(r, 0, "AF_PACKET opened");
  else say(r, refused(errno), "AF_PACKET: %s", strerror(errno));
}

static int attach_parent(void *arg) {
  (void)arg;
  if (ptrace(PTRACE_SEIZE, getppid(), NULL, NULL) != 0) return errno;
  ptrace(PTRACE_DETACH, getppid(), NULL, NULL);
  return 0;
}

static void p_ptrace_non_child(result *r) {
  /* A child attaching to its parent: a process that is not its descendant. */
  int rc = in_child(attach_parent, NULL);
  pid_t own = fork();
  if (own == 0) {
    pause();
    _exit(0);
  }
  int own_ok = ptrace(PTRACE_SEIZE, own, NULL, NULL) == 0;
  int own_err = errno;
  kill(own, SIGKILL);
  waitpid(own, NULL, 0);
  if (rc == 0) say(r, 0, "attached to a non-child (its parent)");
  else say(r, rc < 128 && refused(rc), "attach to parent: %s", rc < 128 ? strerror(rc) : "killed");
  add(r, "; own child: %s", own_ok ? "attached" : strerror(own_err));
}

/* ---- kernel interfaces ---- */

static void p_keyctl(result *r) {
  long key = syscall(SYS_add_key, "user", "metassembly-probe", "x", 1, KEY_SPEC_SESSION_KEYRING);
  if (key >= 0) say(r, 0, "add_key to the session keyring worked");
  else say(r, refused(errno), "add_key: %s", strerror(errno));
}

static void p_bpf(result *r) {
  struct bpf_insn prog[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
      {.code = BPF_JMP | BPF_EXIT},
  };
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insn_cnt = 2;
  attr.insns = (uint64_t)(uintptr_t)prog;
  attr.license = (uint64_t)(uintptr_t) "GPL";
  long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd >= 0) say(r, 0, "loaded a socket filter program");
  else say(r, refused(errno), "BPF_PROG_LOAD: %s", strerror(errno));
}

static void p_perf_event_open(result *r) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.size = sizeof attr;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  if (fd >= 0) say(r, 0, "opened a software perf event on itself");
  else say(r, refused(errno), "perf_event_open: %s", strerror(errno));
}

static void p_userfaultfd(result *r) {
  long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
  if (fd >= 0) {
    say(r, 0, "userfaultfd (user mode only) opened");
    return;
  }
  int user_err = errno;
  fd = syscall(SYS_userfaultfd, O_CLOEXEC);
  if (fd >= 0) say(r, 0, "userfaultfd opened");
  else say(r, refused(errno) && refused(user_err), "userfaultfd: %s; user mode only: %s", strerror(errno), strerror(user_err));
}

static void p_io_uring(result *r) {
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  long fd = syscall(SYS_io_uring_setup, 2, &params);
  if (fd >= 0) say(r, 0, "io_uring_setup gave a ring");
  else say(r, refused(errno), "io_uring_setup: %s", strerror(errno));
}

static void p_module_kexec(result *r) {
  /* Garbage that fails after the permission check: EPERM means refused, anything else means allowed. */
  char image[16] = {0};
  long rc = syscall(SYS_init_module, image, sizeof image, "");
  int module_err = rc == 0 ? 0 : errno;
  rc = syscall(SYS_kexec_load, 0, 0, NULL, 0x100 /* an invalid flag */);
  int kexec_err = rc == 0 ? 0 : errno;
  say(r, refused(module_err) && refused(kexec_err), "init_module: %s; kexec_load: %s", module_err ? strerror(module_err) : "loaded",
      kexec_err ? strerror(kexec_err) : "accepted");
}

static void p_reboot(result *r) {
  long rc = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, NULL);
  if (rc == 0) say(r, 0, "reboot(CAD_OFF) accepted");
  else say(r, refused(errno), "reboot(CAD_OFF): %s%s", strerror(errno), refused(errno) ? "" : " (past the permission check)");
}

static void p_clock(result *r) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if (clock_settime(CLOCK_REALTIME, &now) == 0) say(r, 0, "set the realtime clock");
  else say(r, refused(errno), "clock_settime: %s", strerror(errno));
}

static void p_syslog(result *r) {
  int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
  if (n >= 0) say(r, 0, "read the kernel log buffer size (%d)", n);
  else say(r, refused(errno), "syslog: %s", strerror(errno));
}

static void p_ioperm_swap(result *r) {
  int io = ioperm(0x80, 1, 1) == 0 ? 0 : errno;
  int sw = swapon("/.probe-no-such-swap", 0) == 0 ? 0 : errno;
  /* swapon of a missing file fails with ENOENT only once it is allowed. */
  say(r, refused(io) && refused(sw), "ioperm: %s; swapon: %s", io ? strerror(io) : "granted", sw ? strerror(sw) : "enabled");
}

/* ---- /proc and /sys ---- */

static void writes_probe(result *r, const char *const *paths, size_t count) {
  say(r, 1, "");
  for (size_t i = 0; i < count; i++) {
    char why[256];
    if (opens_for_write(paths[i], why, sizeof why)) r->blocked = 0;
    add(r, "%s; ", why);
  }
}
static void p_proc_sysrq(result *r) {
  const char *const p[] = {"/proc/sysrq-trigger"};
  writes_probe(r, p, 1);
}
static void p_proc_core_pattern(result *r) {
  const char *const p[] = {"/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe"};
  writes_probe(r, p, 2);
}
static void p_proc_sys(result *r) {
  const char *const p[] = {"/proc/sys/vm/drop_caches", "/proc/sys/kernel/panic", "/proc/sys/fs/binfmt_misc/register"};
  writes_probe(r, p, 3);
}
static void p_sys_writes(result *r) {
  const char *const p[] = {"/sys/kernel/uevent_helper", "/sys/power/state", "/sys/kernel/mm/transparent_hugepage/enabled"};
  writes_probe(r, p, 3);
}

static void p_proc_kcore(result *r) {
  char buf[16];
  ssize_t n = read_file("/proc/kcore", buf, sizeof buf);
  if (n > 0) say(r, 0, "read %zd bytes of /proc/kcore", n);
  else say(r, 1, "/proc/kcore: %s", n == 0 ? "empty (masked)" : strerror(errno));
}

static void p_proc_kallsyms(result *r) {
  static char buf[65536];
  ssize_t n = read_file("/proc/kallsyms", buf, sizeof buf);
  if (n <= 0) {
    say(r, 1, "/proc/kallsyms: %s", n == 0 ? "empty (masked)" : strerror(errno));
    return;
  }
  int nonzero = 0;
  for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
    if (strtoull(line, NULL, 16) != 0) nonzero++;
  }
  say(r, nonzero == 0, "%d symbol addresses %s", nonzero, nonzero ? "visible" : "(all zero)");
}

static void p_proc_leaks(result *r) {
  const char *files[] = {"/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats", "/proc/keys", "/proc/acpi", "/proc/scsi"};
  say(r, 1, "");
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char buf[256];
    ssize_t n = read_file(files[i], buf, sizeof buf);
    if (n > 0) {
      r->blocked = 0;
      add(r, "%s: readable; ", files[i]);
    } else if (n < 0 && errno != ENOENT) {
      add(r, "%s: %s; ", files[i], strerror(errno));
    }
  }
  if (r->blocked && r->detail[0] == '\0') add(r, "all masked or absent");
}

/* ---- the host ---- */

static void p_host_pids(result *r) {
  /* The host process carries "<marker>.host-process": this probe's own argv has only the marker. */
  char host_process[300] = "";
  if (marker) snprintf(host_process, sizeof host_process, "%s.host-process", marker);
  DIR *d = opendir("/proc");
  int count = 0, seen = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    count++;
    char path[300], cmd[4096];
    snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
    ssize_t n = read_file(path, cmd, sizeof cmd);
    for (ssize_t i = 0; i < n; i++) if (cmd[i] == '\0') cmd[i] = ' ';
    if (*host_process && n > 0 && strstr(cmd, host_process)) seen = 1;
  }
  if (d) closedir(d);
  say(r, !seen, "%d pids visible; host marker process %s", count, marker ? (seen ? "seen" : "not seen") : "not given");
}

static void p_host_file(result *r) {
  if (!host_file) {
    say(r, 1, "no host file given");
    return;
  }
  char via_root[512];
  snprintf(via_root, sizeof via_root, "/proc/1/root%s", host_file);
  struct stat st;
  int direct = stat(host_file, &st) == 0, via = stat(via_root, &st) == 0;
  say(r, !direct && !via, "%s: %s; via /proc/1/root: %s", host_file, direct ? "visible" : "absent", via ? "visible" : "absent");
}

static void p_host_abstract_socket(result *r) {
  if (!marker) {
    say(r, 1, "no host socket given");
    return;
  }
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  size_t len = strlen(marker);
  if (len > sizeof addr.sun_path - 2) len = sizeof addr.sun_path - 2;
  memcpy(addr.sun_path + 1, marker, len);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0) {
    say(r, 0, "connected to the host's abstract socket @%s", marker);
  } else {
    say(r, 1, "@%s: %s", marker, strerror(errno));
  }
}

static void p_host_loopback(result *r) {
  if (!tcp_port) {
    say(r, 1, "no host port given");
    return;
  }
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)tcp_port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) say(r, 0, "connected to the host's 127.0.0.1:%d", tcp_port);
  else say(r, 1, "127.0.0.1:%d: %s", tcp_port, strerror(errno));
}

/* ---- identity and limits ---- */

static void p_uid_host_root(result *r) {
  char map[1024];
  if (read_file("/proc/self/uid_map", map, sizeof map) < 0) {
    say(r, 0, "uid_map unreadable: %s", strerror(errno));
    return;
  }
  unsigned long inside, outside, count;
  int host_root = 0;
  for (char *line = map; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
    if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && outside == 0) host_root = 1;
  }
  for (char *c = map; *c; c++) if (*c == '\n') *c = ';';
  say(r, !host_root, "uid %d; uid_map: %s", (int)getuid(), map);
}

static void cap_eff(char *out, size_t size) {
  char status[4096];
  snprintf(out, size, "?");
  if (read_file("/proc/self/status", status, sizeof status) < 0) return;
  char *c = strstr(status, "CapEff:");
  if (c) sscanf(c + 7, " %63s", out);
}

static void p_setuid_escalation(result *r) {
  int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  if (!suid_path || access(suid_path, X_OK) != 0) {
    say(r, nnp == 1, "no setuid binary to try; no_new_privs=%d", nnp);
    return;
  }
  int out[2];
  if (pipe(out) != 0) {
    say(r, 0, "pipe: %s", strerror(errno));
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    if (setgroups(0, NULL) != 0 && errno != EPERM) _exit(20);
    if (setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0) {
      printf("cannot drop to uid 1000: %s\n", strerror(errno));
      _exit(21);
    }
    execl(suid_path, suid_path, "--report-ids", (char *)NULL);
    printf("exec %s: %s\n", suid_path, strerror(errno));
    _exit(22);
  }
  close(out[1]);
  char buf[256] = "";
  ssize_t n = read(out[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 21) {
    say(r, nnp == 1, "%s; no_new_privs=%d", buf, nnp);
    return;
  }
  unsigned euid = 0;
  char caps[64] = "";
  int parsed = sscanf(buf, "euid=%u capeff=%63s", &euid, caps) == 2;
  int escalated = parsed && (euid == 0 || strtoull(caps, NULL, 16) != 0);
  say(r, parsed && !escalated, "uid 1000 exec'd setuid-root %s: %s; no_new_privs=%d", suid_path, buf, nnp);
}

static void p_rlimit_raise(result *r) {
  struct rlimit lim;
  getrlimit(RLIMIT_NOFILE, &lim);
  struct rlimit more = {lim.rlim_max + 1, lim.rlim_max + 1};
  if (setrlimit(RLIMIT_NOFILE, &more) == 0) say(r, 0, "raised RLIMIT_NOFILE hard limit past %llu", (unsigned long long)lim.rlim_max);
  else say(r, refused(errno), "raise RLIMIT_NOFILE past %llu: %s", (unsigned long long)lim.rlim_max, strerror(errno));
}

/* The first of `paths` that reads; its trimmed value in out. */
static const char *read_first(const char *const *paths, size_t count, char *out, size_t size) {
  for (size_t i = 0; i < count; i++) {
    if (read_file(paths[i], out, size) > 0) {
      out[strcspn(out, "\n")] = '\0';
      return paths[i];
    }
  }
  return NULL;
}

static void p_pids_limit(result *r) {
  const char *const files[] = {"/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"};
  char value[64];
  const char *file = read_first(files, 2, value, sizeof value);
  if (file) {
    say(r, strcmp(value, "max") != 0, "%s = %s", file, value);
    return;
  }
  /* No cgroup view: count forks until the kernel refuses, up to a bound. */
  enum { BOUND = 8192 };
  static pid_t kids[BOUND];
  int n = 0, err = 0;
  for (; n < BOUND; n++) {
    kids[n] = fork();
    if (kids[n] == 0) {
      pause();
      _exit(0);
    }
    if (kids[n] < 0) {
      err = errno;
      break;
    }
  }
  for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
  say(r, err == EAGAIN, "no pids.max visible; fork %s after %d children", err ? strerror(err) : "never failed", n);
}

static int touch_memory(void *arg) {
  long bound_mib = (long)(intptr_t)arg;
  for (long mib = 0; mib < bound_mib; mib += 64) {
    char *chunk = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (chunk == MAP_FAILED) return 1;
    memset(chunk, 1, 64 << 20);
  }
  return 0;
}

static void p_memory_limit(result *r) {
  const char *const files[] = {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
  char value[64];
  const char *file = read_first(files, 2, value, sizeof value);
  if (file) {
    unsigned long long v = strtoull(value, NULL, 10);
    say(r, strcmp(value, "max") != 0 && v < (1ULL << 62), "%s = %s", file, value);
    return;
  }
  /* No cgroup view: touch memory up to a bound; the OOM killer ending it means a limit. */
  int rc = in_child(touch_memory, (void *)(intptr_t)mem_bound_mib);
  if (rc == 128 + SIGKILL) say(r, 1, "no memory limit file visible; killed (OOM) before %ld MiB", mem_bound_mib);
  else if (rc == 1) say(r, 1, "no memory limit file visible; mmap failed before %ld MiB", mem_bound_mib);
  else say(r, 0, "no memory limit file visible; touched %ld MiB without hitting a limit", mem_bound_mib);
}

/* ---- main ---- */

static const struct {
  const char *name;
  void (*fn)(result *);
} probes[] = {
    {"mount_tmpfs", p_mount_tmpfs},
    {"remount_root_rw", p_remount_root},
    {"new_mount_api", p_new_mount_api},
    {"cgroup_release_agent", p_cgroup_release_agent},
    {"cgroup_fs_write", p_cgroup_write},
    {"unshare_user", p_unshare_user},
    {"unshare_mnt", p_unshare_mnt},
    {"unshare_net", p_unshare_net},
    {"unshare_pid", p_unshare_pid},
    {"unshare_uts", p_unshare_uts},
    {"unshare_ipc", p_unshare_ipc},
    {"unshare_cgroup", p_unshare_cgroup},
    {"unshare_time", p_unshare_time},
    {"clone_newuser", p_clone_newuser},
    {"userns_then_mount", p_userns_mount},
    {"setns", p_setns},
    {"open_by_handle_at", p_open_by_handle_at},
    {"mknod_block_device", p_mknod_block},
    {"mknod_dev_mem", p_mknod_mem},
    {"host_disks", p_host_disks},
    {"dev_mem_kmsg", p_dev_mem},
    {"raw_socket", p_raw_socket},
    {"packet_socket", p_packet_socket},
    {"ptrace_non_child", p_ptrace_non_child},
    {"keyctl", p_keyctl},
    {"bpf", p_bpf},
    {"perf_event_open", p_perf_event_open},
    {"userfaultfd", p_userfaultfd},
    {"io_uring", p_io_uring},
    {"module_kexec", p_module_kexec},
    {"reboot", p_reboot},
    {"clock_settime", p_clock},
    {"syslog", p_syslog},
    {"ioperm_swapon", p_ioperm_swap},
    {"proc_sysrq_trigger_write", p_proc_sysrq},
    {"proc_core_pattern_write", p_proc_core_pattern},
    {"proc_sys_write", p_proc_sys},
    {"sys_write", p_sys_writes},
    {"proc_kcore_read", p_proc_kcore},
    {"proc_kallsyms_addresses", p_proc_kallsyms},
    {"proc_info_leaks", p_proc_leaks},
    {"host_pids", p_host_pids},
    {"host_file", p_host_file},
    {"host_abstract_socket", p_host_abstract_socket},
    {"host_loopback", p_host_loopback},
    {"uid0_is_host_root", p_uid_host_root},
    {"setuid_escalation", p_setuid_escalation},
    {"rlimit_raise", p_rlimit_raise},
    {"pids_limit", p_pids_limit},
    {"memory_limit", p_memory_limit},
    /* last: when it works it changes what the /proc probes above would see */
    {"umount_masked_path", p_umount_masked},
};

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--report-ids") == 0) {
      char caps[64];
      cap_eff(caps, sizeof caps);
      printf("euid=%u capeff=%s\n", (unsigned)geteuid(), caps);
      return 0;
    }
    if (i + 1 >= argc) break;
    if (strcmp(argv[i], "--marker") == 0) marker = argv[++i];
    else if (strcmp(argv[i], "--host-file") == 0) host_file = argv[++i];
    else if (strcmp(argv[i], "--tcp") == 0) tcp_port = atoi(argv[++i]);
    else if (strcmp(argv[i], "--suid") == 0) suid_path = argv[++i];
    else if (strcmp(argv[i], "--mem-bound-mib") == 0) mem_bound_mib = atol(argv[++i]);
  }
  const char *only = getenv("PROBE_ONLY");
  for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
    if (only && strcmp(only, probes[i].name) != 0) continue;
    run(probes[i].name, probes[i].fn);
  }
  printf("{\"summary\":true,\"total\":%d,\"blocked\":%d,\"open\":[%s]}\n", total, blocked_count, open_names);
  return 0;
}
