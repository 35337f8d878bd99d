/* Plain fd factories and the pty resize ioctl. */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

static napi_value make_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return sys_throw_errno(env, errno, "pipe2", NULL);
  napi_value result, r, w;
  if (napi_create_array_with_length(env, 2, &result) != napi_ok ||
      napi_create_int32(env, fds[0], &r) != napi_ok || napi_create_int32(env, fds[1], &w) != napi_ok ||
      napi_set_element(env, result, 0, r) != napi_ok || napi_set_element(env, result, 1, w) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    sys_throw_last_napi_error(env);
    return NULL;
  }
  return result;
}

static napi_value set_winsize(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t fd, cols, rows;
  if (!sys_get_args(env, info, 3, argv, NULL) || !sys_get_int64(env, argv[0], "fd", &fd) ||
      !sys_get_int64(env, argv[1], "cols", &cols) || !sys_get_int64(env, argv[2], "rows", &rows)) {
    return NULL;
  }
  if (cols < 0 || cols > UINT16_MAX || rows < 0 || rows > UINT16_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "cols and rows must fit in 16 bits");
    return NULL;
  }
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl((int)fd, TIOCSWINSZ, &ws) != 0) return sys_throw_errno(env, errno, "ioctl", NULL);
  return NULL;
}

static napi_value make_eventfd(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return sys_throw_errno(env, errno, "eventfd", NULL);
  napi_value result;
  if (napi_create_int32(env, fd, &result) != napi_ok) {
    close(fd);
    sys_throw_last_napi_error(env);
    return NULL;
  }
  return result;
}

void sys_register_fds(napi_env env, napi_value exports) {
  sys_export(env, exports, "pipe", make_pipe);
  sys_export(env, exports, "setWinsize", set_winsize);
  sys_export(env, exports, "eventfd", make_eventfd);
}
