/*
 * Shared helpers of the metassembly sys addon: errno -> JS Error conversion
 * and argument reading. Every exported function lives in one file per concern
 * and registers itself through a sys_register_* function called from addon.c.
 */
#ifndef METASSEMBLY_SYS_H
#define METASSEMBLY_SYS_H

#include <node_api.h>
#include <stdint.h>

/* Builds an Error like Node's system errors: message "CODE: strerror, syscall 'path'",
 * with .code (errno name), .errno (positive number), .syscall and, when given, .path. */
napi_value sys_errno_error(napi_env env, int err, const char *syscall, const char *path);

/* Throws sys_errno_error(...) and returns NULL so callbacks can `return sys_throw_errno(...)`. */
napi_value sys_throw_errno(napi_env env, int err, const char *syscall, const char *path);

/* Bails out of a napi callback when a napi call fails (an exception is then pending). */
#define SYS_CALL(env, call)                                                   \
  do {                                                                        \
    if ((call) != napi_ok) {                                                  \
      sys_throw_last_napi_error(env);                                         \
      return NULL;                                                            \
    }                                                                         \
  } while (0)

void sys_throw_last_napi_error(napi_env env);

/* Reads exactly `count` arguments; throws a TypeError when fewer were passed. */
int sys_get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, void **data);
/* Integer argument; throws a TypeError naming `what` when it is not a number. */
int sys_get_int64(napi_env env, napi_value value, const char *what, int64_t *out);
/* UTF-8 string argument, malloc'd, NUL-free; throws a TypeError otherwise. Caller frees. */
char *sys_get_string(napi_env env, napi_value value, const char *what);

void sys_register_process(napi_env env, napi_value exports);
void sys_register_fds(napi_env env, napi_value exports);
void sys_register_receive_fd(napi_env env, napi_value exports);
void sys_register_eventfd_watch(napi_env env, napi_value exports);
void sys_register_mounts(napi_env env, napi_value exports);
void sys_register_flock(napi_env env, napi_value exports);
void sys_register_idmap_mount(napi_env env, napi_value exports);
void sys_register_userns_fd(napi_env env, napi_value exports);
void sys_register_netns_thread(napi_env env, napi_value exports);
void sys_register_userns_mappings(napi_env env, napi_value exports);

/* Defines one function property on exports. */
void sys_export(napi_env env, napi_value exports, const char *name, napi_callback fn);

#endif
