/*
 * usernsFdForMapping(uidMappings, gidMappings) -> fd of a user namespace with those
 * mappings, for mount_setattr(MOUNT_ATTR_IDMAP). A user namespace can only be made by a
 * process, and Node is multi-threaded (unshare(CLONE_NEWUSER) refuses that), so a helper
 * child is cloned into a new one, the parent writes its maps and opens its ns file, and
 * the child exits: the fd keeps the namespace alive with no process in it.
 *
 * The child is cloned with no exit signal: waitpid without __WCLONE never sees it, so
 * the shim's reaper cannot steal its status, and no SIGCHLD reaches Node. It only runs
 * read(2) and _exit(2), which are safe in a child of a multi-threaded process.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel takes at most 340 lines per map, written in one write(2). */
#define MAX_LINES 340
#define LINE_MAX_LEN 40

/* Formats a JS array of {containerID, hostID, size} as map lines; NULL with an exception pending on error. */
static char *read_map(napi_env env, napi_value array, const char *what) {
  bool is_array = false;
  uint32_t count = 0;
  char message[128];
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, array, &count) != napi_ok || count == 0 || count > MAX_LINES) {
    snprintf(message, sizeof message, "%s must be an array of 1 to %d mappings", what, MAX_LINES);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return NULL;
  }
  char *text = malloc((size_t)count * LINE_MAX_LEN + 1);
  if (text == NULL) {
    sys_throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  size_t used = 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value entry, field;
    int64_t values[3];
    static const char *const names[3] = {"containerID", "hostID", "size"};
    if (napi_get_element(env, array, i, &entry) != napi_ok) {
      free(text);
      sys_throw_last_napi_error(env);
      return NULL;
    }
    for (int f = 0; f < 3; f++) {
      snprintf(message, sizeof message, "%s[%u].%s", what, i, names[f]);
      if (napi_get_named_property(env, entry, names[f], &field) != napi_ok ||
          !sys_get_int64(env, field, message, &values[f])) {
        free(text);
        return NULL;
      }
      if (values[f] < 0 || values[f] > UINT32_MAX) {
        free(text);
        snprintf(message, sizeof message, "%s[%u].%s is out of the 32-bit id range", what, i, names[f]);
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
        return NULL;
      }
    }
    used += (size_t)snprintf(text + used, LINE_MAX_LEN, "%lld %lld %lld\n", (long long)values[0],
                             (long long)values[1], (long long)values[2]);
  }
  return text;
}

/* Writes `text` to /proc/<pid>/<file> in one write; 0 or -1 with errno set. */
static int write_proc(pid_t pid, const char *file, const char *text, char *path, size_t path_size) {
  snprintf(path, path_size, "/proc/%d/%s", (int)pid, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = strlen(text);
  ssize_t n = write(fd, text, len);
  int saved = errno;
  close(fd);
  if (n == (ssize_t)len) return 0;
  errno = n < 0 ? saved : EIO;
  return -1;
}

/* Clones the waiting child; returns its pid, or -1 with errno set. */
static pid_t clone_waiting_child(int hold[2]) {
  /* Raw clone with a NULL stack is fork-like; the low byte (exit signal) is 0. */
  long pid = syscall(SYS_clone, (unsigned long)CLONE_NEWUSER, NULL, NULL, NULL, 0);
  if (pid == 0) {
    char byte;
    close(hold[1]);
    /* EOF once the parent closes its end: it has what it needs, or gave up. */
    while (read(hold[0], &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  return (pid_t)pid;
}

static napi_value userns_fd_for_mapping(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!sys_get_args(env, info, 2, argv, NULL)) return NULL;
  char *uid_map = read_map(env, argv[0], "uidMappings");
  char *gid_map = uid_map ? read_map(env, argv[1], "gidMappings") : NULL;
  if (gid_map == NULL) {
    free(uid_map);
    return NULL;
  }

  int hold[2];
  int ns_fd = -1, err = 0;
  const char *syscall_name = NULL;
  char path[64] = "";
  pid_t pid = -1;
  if (pipe2(hold, O_CLOEXEC) != 0) {
    err = errno;
    syscall_name = "pipe2";
  } else {
    pid = clone_waiting_child(hold);
    if (pid < 0) {
      err = errno;
      syscall_name = "clone";
    } else if (write_proc(pid, "uid_map", uid_map, path, sizeof path) != 0 ||
               write_proc(pid, "gid_map", gid_map, path, sizeof path) != 0) {
      err = errno;
      syscall_name = "write";
    } else {
      snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
      ns_fd = open(path, O_RDONLY | O_CLOEXEC);
      if (ns_fd < 0) {
        err = errno;
        syscall_name = "open";
      }
    }
    close(hold[0]);
    close(hold[1]);
    if (pid > 0) {
      int status;
      while (waitpid(pid, &status, __WCLONE) < 0 && errno == EINTR) {
      }
    }
  }
  free(uid_map);
  free(gid_map);
  if (ns_fd < 0) return sys_throw_errno(env, err, syscall_name, path[0] ? path : NULL);

  napi_value result;
  if (napi_create_int32(env, ns_fd, &result) != napi_ok) {
    close(ns_fd);
    sys_throw_last_napi_error(env);
    return NULL;
  }
  return result;
}

void sys_register_userns_fd(napi_env env, napi_value exports) {
  sys_export(env, exports, "usernsFdForMapping", userns_fd_for_mapping);
}
