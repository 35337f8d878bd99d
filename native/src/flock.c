/* flock(2): the host-wide lock that serialises every shim's user-namespace allocations. */
#include "sys.h"

#include <errno.h>
#include <sys/file.h>

/* flock(fd, op). With LOCK_NB a lock held elsewhere throws EAGAIN (== EWOULDBLOCK): the
 * caller retries off the event loop's critical path instead of blocking the shim. */
static napi_value do_flock(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t fd, op;
  if (!sys_get_args(env, info, 2, argv, NULL) || !sys_get_int64(env, argv[0], "fd", &fd) ||
      !sys_get_int64(env, argv[1], "op", &op)) {
    return NULL;
  }
  int rc;
  do {
    rc = flock((int)fd, (int)op);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return sys_throw_errno(env, errno, "flock", NULL);
  return NULL;
}

void sys_register_flock(napi_env env, napi_value exports) {
  sys_export(env, exports, "flock", do_flock);
}
