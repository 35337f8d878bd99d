/**
 * Our seccomp profile, as data: an allowlist (default action errno EPERM), and the
 * syscalls denied whatever a requested profile says.
 *
 * The allowlist is containerd's default (1.6) for x86_64 minus every always-denied call,
 * minus chroot and ptrace (granted with CAP_SYS_CHROOT and allow_ptrace), and without the
 * 32-bit names: only the native architecture is listed, so libseccomp answers a call
 * through another syscall table (int 0x80, x32) with its bad-architecture action (kill).
 * runc skips names its libseccomp does not know, so one list serves aarch64 too; and
 * runc answers ENOSYS, not EPERM, for calls newer than the newest one listed, so libc
 * falls back from syscalls this list predates.
 *
 * mknod stays: device nodes need CAP_MKNOD, which no container holds; FIFOs do not.
 */
import type { OciSyscallRule } from './oci-spec';
import type { SeccompArch } from './policy';

export const allowedSyscalls: readonly string[] = `
  accept accept4 access alarm arch_prctl bind brk capget capset chdir chmod chown clock_getres clock_gettime
  clock_nanosleep close close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1
  epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve
  execveat exit exit_group faccessat faccessat2 fadvise64 fallocate fanotify_mark fchdir fchmod fchmodat
  fchown fchownat fcntl fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstatfs fsync
  ftruncate futex futex_waitv futimesat get_robust_list get_thread_area getcpu getcwd getdents getdents64
  getegid geteuid getgid getgroups getitimer getpeername getpgid getpgrp getpid getppid getpriority
  getrandom getresgid getresuid getrlimit getrusage getsid getsockname getsockopt gettid gettimeofday getuid
  getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents
  io_pgetevents io_setup io_submit ioctl ioprio_get ioprio_set kill landlock_add_rule
  landlock_create_ruleset landlock_restrict_self lchown lgetxattr link linkat listen listxattr llistxattr
  lremovexattr lseek lsetxattr lstat madvise membarrier memfd_create memfd_secret mincore mkdir mkdirat
  mknod mknodat mlock mlock2 mlockall mmap modify_ldt mprotect mq_getsetattr mq_notify mq_open
  mq_timedreceive mq_timedsend mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap
  nanosleep newfstatat open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc
  pkey_free pkey_mprotect poll ppoll prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6
  pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recvfrom recvmmsg recvmsg
  remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction
  rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo
  sched_get_priority_max sched_get_priority_min sched_getaffinity sched_getattr sched_getparam
  sched_getscheduler sched_rr_get_interval sched_setaffinity sched_setattr sched_setparam sched_setscheduler
  sched_yield seccomp select semctl semget semop semtimedop sendfile sendmmsg sendmsg sendto set_robust_list
  set_thread_area set_tid_address setfsgid setfsuid setgid setgroups setitimer setpgid setpriority setregid
  setresgid setresuid setreuid setrlimit setsid setsockopt setuid setxattr shmat shmctl shmdt shmget
  shutdown sigaltstack signalfd signalfd4 socket socketpair splice stat statfs statx symlink symlinkat sync
  sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime
  timer_settime timerfd_create timerfd_gettime timerfd_settime times tkill truncate umask uname unlink
  unlinkat utime utimensat utimes vfork vmsplice wait4 waitid write writev
`.trim().split(/\s+/);

/**
 * Denied even when a requested profile allows them: the kernel attack surface and the
 * host-wide operations the issue lists. clone, clone3 and personality are handled by
 * argument rules below instead.
 */
export const alwaysDeniedSyscalls: ReadonlySet<string> = new Set([
  // kernel keyrings: shared with the host, not namespaced
  'add_key', 'keyctl', 'request_key',
  'bpf', 'perf_event_open', 'userfaultfd',
  'io_uring_setup', 'io_uring_enter', 'io_uring_register',
  'kexec_load', 'kexec_file_load',
  'init_module', 'finit_module', 'delete_module', 'create_module',
  // file handles bypass path lookup: the classic "shocker" escape
  'open_by_handle_at', 'name_to_handle_at',
  'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'open_tree_attr', 'mount_setattr',
  'mount', 'umount', 'umount2', 'pivot_root',
  'unshare', 'setns',
  'swapon', 'swapoff', 'reboot',
  'settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'adjtimex', 'clock_adjtime', 'clock_adjtime64',
  'syslog', 'acct', 'quotactl', 'quotactl_fd', 'iopl', 'ioperm',
  'lookup_dcookie', 'vm86', 'vm86old', 'nfsservctl', 'uselib',
]);

/** The syscalls whose rules we write ourselves, replacing any a requested profile has. */
export const argumentRuled: ReadonlySet<string> = new Set(['clone', 'clone3', 'personality']);

/** CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET */
export const cloneNamespaceFlags = 0x7e020000;
const ENOSYS = 38;

/** PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and the query value. */
export const safePersonalities: readonly number[] = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

export function argumentRules(): OciSyscallRule[] {
  return [
    // clone's flags are its first argument on x86_64 and aarch64 (not on s390x).
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: cloneNamespaceFlags, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    // clone3 passes its flags in memory seccomp cannot read; ENOSYS makes libc use clone.
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    ...safePersonalities.map((value) => ({
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
    })),
  ];
}

export function nativeArchitecture(arch: SeccompArch): string {
  return arch === 'aarch64' ? 'SCMP_ARCH_AARCH64' : 'SCMP_ARCH_X86_64';
}

/** Actions that let a call run (or leave it to someone else to decide). */
export const permissiveActions: ReadonlySet<string> = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE']);
