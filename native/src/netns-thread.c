/*
 * Work done from the host's side inside a pod's network namespace: the calling thread
 * alone enters it (setns(CLONE_NEWNET) is allowed in a multi-threaded process and is
 * per thread), does the work, and goes back before returning, on success and on error.
 *
 * mountInNetns(netnsPath, source, target, fstype, flags): a sysfs mounted there belongs
 * to that network namespace (fs/sysfs/mount.c takes the mounting task's, and checks
 * CAP_SYS_ADMIN over the user namespace owning it: the host's, which the shim has); the
 * mount itself goes into the shim's mount namespace, which is not changed.
 *
 * writeInNetns(netnsPath, [{path, value}]): /proc/sys/net/... resolves to the network
 * namespace of the task that opens it, so each file is opened and written from inside.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

struct failure {
  int err;
  const char *syscall;
  /* the path the failed call was about, owned by the work's argument */
  const char *path;
};

typedef int (*netns_work)(void *arg, struct failure *failure);

static int fail(struct failure *failure, const char *syscall, const char *path) {
  failure->err = errno;
  failure->syscall = syscall;
  failure->path = path;
  return -1;
}

static const char self_netns[] = "/proc/thread-self/ns/net";

/* Runs work with the calling thread in the network namespace at netns_path; 0 or -1 with failure set. */
static int run_in_netns(const char *netns_path, netns_work work, void *arg, struct failure *failure) {
  int self = open(self_netns, O_RDONLY | O_CLOEXEC);
  if (self < 0) return fail(failure, "open", self_netns);
  int target = open(netns_path, O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    fail(failure, "open", netns_path);
    close(self);
    return -1;
  }
  /* setns checks the fd's type: a path that is no network namespace fails here, untouched. */
  int entered = setns(target, CLONE_NEWNET);
  if (entered != 0) fail(failure, "setns", netns_path);
  close(target);
  int result = entered == 0 ? work(arg, failure) : -1;
  if (entered == 0 && setns(self, CLONE_NEWNET) != 0) {
    /* Going on would run the shim's event loop in a pod's network namespace. */
    fprintf(stderr, "metassembly: cannot return to the shim's network namespace: %s\n", strerror(errno));
    abort();
  }
  close(self);
  return result;
}

struct mount_args {
  const char *source;
  const char *target;
  const char *fstype;
  unsigned long flags;
};

static int do_mount_work(void *arg, struct failure *failure) {
  struct mount_args *m = arg;
  if (mount(m->source, m->target, m->fstype, m->flags, NULL) != 0) return fail(failure, "mount", m->target);
  return 0;
}

static napi_value mount_in_netns(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int64_t flags;
  if (!sys_get_args(env, info, 5, argv, NULL) || !sys_get_int64(env, argv[4], "flags", &flags)) return NULL;
  char *netns = sys_get_string(env, argv[0], "netnsPath");
  char *source = netns ? sys_get_string(env, argv[1], "source") : NULL;
  char *target = source ? sys_get_string(env, argv[2], "target") : NULL;
  char *fstype = target ? sys_get_string(env, argv[3], "fstype") : NULL;
  if (fstype != NULL) {
    struct mount_args m = {source, target, fstype, (unsigned long)flags};
    struct failure failure = {0, NULL, NULL};
    if (run_in_netns(netns, do_mount_work, &m, &failure) != 0) {
      sys_throw_errno(env, failure.err, failure.syscall, failure.path);
    }
  }
  free(netns);
  free(source);
  free(target);
  free(fstype);
  return NULL;
}

struct file_value {
  char *path;
  char *value;
};

struct write_args {
  struct file_value *files;
  uint32_t count;
};

static int do_write_work(void *arg, struct failure *failure) {
  struct write_args *w = arg;
  for (uint32_t i = 0; i < w->count; i++) {
    int fd = open(w->files[i].path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fail(failure, "open", w->files[i].path);
    size_t len = strlen(w->files[i].value);
    ssize_t n = write(fd, w->files[i].value, len);
    if (n != (ssize_t)len) {
      if (n >= 0) errno = EIO;
      fail(failure, "write", w->files[i].path);
      close(fd);
      return -1;
    }
    close(fd);
  }
  return 0;
}

/* Reads [{path, value}] into w; 0 with an exception pending on error (what was read is in w). */
static int read_files(napi_env env, napi_value array, struct write_args *w) {
  bool is_array = false;
  uint32_t count = 0;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array || napi_get_array_length(env, array, &count) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "files must be an array of {path, value}");
    return 0;
  }
  w->files = calloc(count == 0 ? 1 : count, sizeof *w->files);
  if (w->files == NULL) {
    sys_throw_errno(env, ENOMEM, "calloc", NULL);
    return 0;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value entry, field;
    if (napi_get_element(env, array, i, &entry) != napi_ok) {
      sys_throw_last_napi_error(env);
      return 0;
    }
    if (napi_get_named_property(env, entry, "path", &field) != napi_ok) {
      sys_throw_last_napi_error(env);
      return 0;
    }
    w->files[i].path = sys_get_string(env, field, "files[].path");
    if (w->files[i].path == NULL) return 0;
    w->count = i + 1;
    if (napi_get_named_property(env, entry, "value", &field) != napi_ok) {
      sys_throw_last_napi_error(env);
      return 0;
    }
    w->files[i].value = sys_get_string(env, field, "files[].value");
    if (w->files[i].value == NULL) return 0;
  }
  return 1;
}

static napi_value write_in_netns(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!sys_get_args(env, info, 2, argv, NULL)) return NULL;
  char *netns = sys_get_string(env, argv[0], "netnsPath");
  if (netns == NULL) return NULL;
  struct write_args w = {NULL, 0};
  if (read_files(env, argv[1], &w)) {
    struct failure failure = {0, NULL, NULL};
    if (run_in_netns(netns, do_write_work, &w, &failure) != 0) {
      sys_throw_errno(env, failure.err, failure.syscall, failure.path);
    }
  }
  for (uint32_t i = 0; i < w.count; i++) {
    free(w.files[i].path);
    free(w.files[i].value);
  }
  free(w.files);
  free(netns);
  return NULL;
}

void sys_register_netns_thread(napi_env env, napi_value exports) {
  sys_export(env, exports, "mountInNetns", mount_in_netns);
  sys_export(env, exports, "writeInNetns", write_in_netns);
}
