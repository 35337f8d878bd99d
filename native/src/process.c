/* Subreaper and non-blocking reaping of one pid at a time. */
#include "sys.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static napi_value set_child_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return sys_throw_errno(env, errno, "prctl", NULL);
  return NULL;
}

/* waitpid(pid) -> {pid, status} | null. Only a positive pid is accepted: waiting
 * on -1 or a process group could reap a child libuv is waiting for. */
static napi_value wait_pid(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t pid;
  if (!sys_get_args(env, info, 1, argv, NULL) || !sys_get_int64(env, argv[0], "pid", &pid)) return NULL;
  if (pid <= 0 || pid > INT32_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "pid must be a positive pid");
    return NULL;
  }
  int status = 0;
  pid_t got;
  do {
    got = waitpid((pid_t)pid, &status, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return sys_throw_errno(env, errno, "waitpid", NULL);

  napi_value result;
  if (got == 0) {
    SYS_CALL(env, napi_get_null(env, &result));
    return result;
  }
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  napi_value js_pid, js_status;
  SYS_CALL(env, napi_create_object(env, &result));
  SYS_CALL(env, napi_create_int32(env, got, &js_pid));
  SYS_CALL(env, napi_create_int32(env, code, &js_status));
  SYS_CALL(env, napi_set_named_property(env, result, "pid", js_pid));
  SYS_CALL(env, napi_set_named_property(env, result, "status", js_status));
  return result;
}

void sys_register_process(napi_env env, napi_value exports) {
  sys_export(env, exports, "setChildSubreaper", set_child_subreaper);
  sys_export(env, exports, "waitpid", wait_pid);
}
