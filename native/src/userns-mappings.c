/*
 * userNamespaceMappings(path) -> {uidMap, gidMap}: the real uid_map and gid_map of the user
 * namespace whose nsfs file is at `path`, in the kernel's text format.
 *
 * The maps are only shown through /proc/<pid>/, so a helper child is cloned (fork-like, no
 * exit signal: waitpid without __WCLONE never sees it, so the shim's reaper cannot steal its
 * status and no SIGCHLD reaches Node) and joins the namespace; setns(CLONE_NEWUSER) is allowed
 * there because the child is single-threaded. It reports setns's result on a pipe and waits
 * for EOF on another; it only calls setns, write, read and _exit, which are safe in a child
 * of a multi-threaded process.
 *
 * The parent, not the child, opens /proc/<child>/uid_map: the kernel shows the outside ids
 * relative to the opener's user namespace (uid_m_show: seq_user_ns), and to the namespace's
 * parent only when the opener is inside it. Read from the shim's side, a namespace nested in
 * another pod's shows the host ids it really maps, never ids relative to that pod.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* 340 extents at most, each "%10u %10u %10u\n" (33 bytes): well under this. */
#define MAP_TEXT_MAX 16384

struct failure {
  int err;
  const char *syscall;
};

static int fail(struct failure *failure, int err, const char *syscall) {
  failure->err = err;
  failure->syscall = syscall;
  return -1;
}

/* Clones the helper into the namespace of ns_fd; its pid, or -1 with errno set. */
static pid_t clone_joined_child(int ns_fd, int ready[2], int hold[2]) {
  /* Raw clone with a NULL stack is fork-like; the low byte (exit signal) is 0. */
  long pid = syscall(SYS_clone, 0UL, NULL, NULL, NULL, 0);
  if (pid == 0) {
    char byte;
    close(ready[0]);
    close(hold[1]);
    int result = setns(ns_fd, CLONE_NEWUSER) == 0 ? 0 : errno;
    while (write(ready[1], &result, sizeof result) < 0 && errno == EINTR) {
    }
    /* EOF once the parent closes its end: it has read the maps, or gave up. */
    while (read(hold[0], &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  return (pid_t)pid;
}

/* Reads /proc/<pid>/<file> whole into a malloc'd NUL-terminated string; NULL with failure set. */
static char *read_proc_file(pid_t pid, const char *file, char *path, size_t path_size, struct failure *failure) {
  snprintf(path, path_size, "/proc/%d/%s", (int)pid, file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(failure, errno, "open");
    return NULL;
  }
  char *text = malloc(MAP_TEXT_MAX);
  if (text == NULL) {
    close(fd);
    fail(failure, ENOMEM, "malloc");
    return NULL;
  }
  size_t used = 0;
  for (;;) {
    ssize_t n = read(fd, text + used, MAP_TEXT_MAX - 1 - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(failure, errno, "read");
    else if (n > 0 && used + (size_t)n == MAP_TEXT_MAX - 1) fail(failure, EOVERFLOW, "read");
    if (n <= 0 || failure->syscall != NULL) break;
    used += (size_t)n;
  }
  close(fd);
  if (failure->syscall != NULL) {
    free(text);
    return NULL;
  }
  text[used] = '\0';
  return text;
}

/* Both maps of the user namespace at ns_fd; 0, or -1 with failure set and path naming the file. */
static int read_maps(int ns_fd, char **uid_map, char **gid_map, char *path, size_t path_size, struct failure *failure) {
  int ready[2], hold[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return fail(failure, errno, "pipe2");
  if (pipe2(hold, O_CLOEXEC) != 0) {
    fail(failure, errno, "pipe2");
    close(ready[0]);
    close(ready[1]);
    return -1;
  }
  pid_t pid = clone_joined_child(ns_fd, ready, hold);
  if (pid < 0) fail(failure, errno, "clone");
  close(ready[1]);
  close(hold[0]);
  if (pid > 0) {
    int result = 0;
    ssize_t n;
    while ((n = read(ready[0], &result, sizeof result)) < 0 && errno == EINTR) {
    }
    if (n != (ssize_t)sizeof result) fail(failure, n < 0 ? errno : EPROTO, "read");
    else if (result != 0) fail(failure, result, "setns");
    else if ((*uid_map = read_proc_file(pid, "uid_map", path, path_size, failure)) != NULL) {
      *gid_map = read_proc_file(pid, "gid_map", path, path_size, failure);
    }
  }
  close(ready[0]);
  close(hold[1]);
  if (pid > 0) {
    int status;
    while (waitpid(pid, &status, __WCLONE) < 0 && errno == EINTR) {
    }
  }
  return failure->syscall == NULL ? 0 : -1;
}

static int set_string(napi_env env, napi_value object, const char *key, const char *value) {
  napi_value v;
  return napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok && napi_set_named_property(env, object, key, v) == napi_ok;
}

static napi_value user_namespace_mappings(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!sys_get_args(env, info, 1, argv, NULL)) return NULL;
  char *ns_path = sys_get_string(env, argv[0], "path");
  if (ns_path == NULL) return NULL;

  struct failure failure = {0, NULL};
  char proc_path[64] = "";
  char *uid_map = NULL, *gid_map = NULL;
  int ns_fd = open(ns_path, O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) {
    fail(&failure, errno, "open");
  } else {
    /* Checked before any child runs; another type fails as setns(CLONE_NEWUSER) would fail it. */
    int type = ioctl(ns_fd, NS_GET_NSTYPE);
    if (type < 0) fail(&failure, errno, "ioctl");
    else if (type != CLONE_NEWUSER) fail(&failure, EINVAL, "setns");
    else read_maps(ns_fd, &uid_map, &gid_map, proc_path, sizeof proc_path, &failure);
    close(ns_fd);
  }

  napi_value result = NULL;
  if (failure.syscall != NULL) {
    /* the /proc file when reading it failed, else the namespace's path */
    sys_throw_errno(env, failure.err, failure.syscall, proc_path[0] ? proc_path : ns_path);
  } else if (napi_create_object(env, &result) != napi_ok || !set_string(env, result, "uidMap", uid_map) ||
             !set_string(env, result, "gidMap", gid_map)) {
    result = NULL;
    sys_throw_last_napi_error(env);
  }
  free(uid_map);
  free(gid_map);
  free(ns_path);
  return result;
}

void sys_register_userns_mappings(napi_env env, napi_value exports) {
  sys_export(env, exports, "userNamespaceMappings", user_namespace_mappings);
}
