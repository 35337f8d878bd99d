#include "sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names of the errnos these syscalls can report. A table rather than glibc's
 * strerrorname_np so the addon does not require glibc >= 2.32 at run time. */
#define SYS_ERRNOS(X)                                                         \
  X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) X(ENOEXEC)    \
  X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) X(ENOTBLK)       \
  X(EBUSY) X(EEXIST) X(EXDEV) X(ENODEV) X(ENOTDIR) X(EISDIR) X(EINVAL)        \
  X(ENFILE) X(EMFILE) X(ENOTTY) X(ETXTBSY) X(EFBIG) X(ENOSPC) X(ESPIPE)       \
  X(EROFS) X(EMLINK) X(EPIPE) X(ERANGE) X(ENAMETOOLONG) X(ENOSYS)             \
  X(ENOTEMPTY) X(ELOOP) X(ENOTSOCK) X(EMSGSIZE) X(EPROTO) X(EOPNOTSUPP)       \
  X(EADDRINUSE) X(EADDRNOTAVAIL) X(ECONNABORTED) X(ECONNRESET) X(ENOBUFS)     \
  X(EISCONN) X(ENOTCONN) X(ETIMEDOUT) X(ECONNREFUSED) X(EUCLEAN) X(ENODATA)   \
  X(EOVERFLOW) X(ESTALE) X(EDQUOT) X(ECANCELED)

static const char *errno_name(int err, char *fallback, size_t size) {
  switch (err) {
#define SYS_ERRNO_CASE(name) case name: return #name;
    SYS_ERRNOS(SYS_ERRNO_CASE)
#undef SYS_ERRNO_CASE
    default:
      snprintf(fallback, size, "E%d", err);
      return fallback;
  }
}

static void set_string(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value v;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok) {
    napi_set_named_property(env, obj, key, v);
  }
}

napi_value sys_errno_error(napi_env env, int err, const char *syscall, const char *path) {
  char fallback[16];
  const char *name = errno_name(err, fallback, sizeof fallback);
  const char *text = strerror(err);
  size_t len = strlen(name) + strlen(text) + strlen(syscall) + (path ? strlen(path) : 0) + 16;
  char *message = malloc(len);
  if (message == NULL) return NULL;
  if (path) snprintf(message, len, "%s: %s, %s '%s'", name, text, syscall, path);
  else snprintf(message, len, "%s: %s, %s", name, text, syscall);

  napi_value msg, error = NULL, code;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) == napi_ok &&
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) == napi_ok &&
      napi_create_error(env, code, msg, &error) == napi_ok) {
    napi_value num;
    if (napi_create_int32(env, err, &num) == napi_ok) napi_set_named_property(env, error, "errno", num);
    set_string(env, error, "syscall", syscall);
    if (path) set_string(env, error, "path", path);
  }
  free(message);
  return error;
}

napi_value sys_throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  napi_value error = sys_errno_error(env, err, syscall, path);
  if (error != NULL) napi_throw(env, error);
  else napi_throw_error(env, NULL, syscall);
  return NULL;
}

void sys_throw_last_napi_error(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  napi_throw_error(env, NULL, info && info->error_message ? info->error_message : "napi call failed");
}

int sys_get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, void **data) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, data) != napi_ok) {
    sys_throw_last_napi_error(env);
    return 0;
  }
  if (argc < count) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");
    return 0;
  }
  return 1;
}

int sys_get_int64(napi_env env, napi_value value, const char *what, int64_t *out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) {
    char message[128];
    snprintf(message, sizeof message, "%s must be a number", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return 0;
  }
  if (napi_get_value_int64(env, value, out) != napi_ok) {
    sys_throw_last_napi_error(env);
    return 0;
  }
  return 1;
}

char *sys_get_string(napi_env env, napi_value value, const char *what) {
  char message[128];
  size_t len = 0;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
    snprintf(message, sizeof message, "%s must be a string", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) {
    sys_throw_last_napi_error(env);
    return NULL;
  }
  char *buf = malloc(len + 1);
  if (buf == NULL) {
    sys_throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, buf, len + 1, &len) != napi_ok) {
    free(buf);
    sys_throw_last_napi_error(env);
    return NULL;
  }
  /* A NUL inside would silently truncate the path the kernel sees. */
  if (strlen(buf) != len) {
    free(buf);
    snprintf(message, sizeof message, "%s must not contain NUL bytes", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return NULL;
  }
  return buf;
}

void sys_export(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f) == napi_ok) {
    napi_set_named_property(env, exports, name, f);
  }
}
