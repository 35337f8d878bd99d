/*
 * receiveFd(socketPath, timeoutMs) -> Promise<fd>: the --console-socket side of
 * runc/crun. The socket is bound and listening before the promise is returned,
 * so the caller may start the runtime right away; accept + recvmsg(SCM_RIGHTS)
 * then run on a worker thread with one overall deadline.
 */
#include "sys.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *path;
  int listen_fd;
  int64_t timeout_ms;
  /* results, written by the worker thread */
  int fd;
  int err;
  const char *syscall;
} receive_job;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for POLLIN until the deadline; 0 when readable, else sets job->err. */
static int wait_readable(receive_job *job, int fd, int64_t deadline) {
  for (;;) {
    int64_t left = deadline - now_ms();
    if (left <= 0) break;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
    if (n > 0) return 0;
    if (n < 0 && errno != EINTR) {
      job->err = errno;
      job->syscall = "poll";
      return -1;
    }
  }
  job->err = ETIMEDOUT;
  job->syscall = "accept";
  return -1;
}

/* Receives one message; keeps the first fd passed and closes any others. */
static int receive_one_fd(receive_job *job, int conn) {
  char data[4096];
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * 4)];
  } control;
  struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
  ssize_t n;
  do {
    n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    job->err = errno;
    job->syscall = "recvmsg";
    return -1;
  }
  int fd = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int *fds = (int *)CMSG_DATA(c);
    for (size_t i = 0; i < count; i++) {
      int got;
      memcpy(&got, fds + i, sizeof got);
      if (fd < 0) fd = got;
      else close(got);
    }
  }
  if (fd < 0) {
    /* The peer hung up or sent data without an fd. */
    job->err = (msg.msg_flags & MSG_CTRUNC) ? EMSGSIZE : EPROTO;
    job->syscall = "recvmsg";
    return -1;
  }
  return fd;
}

static void execute(napi_env env, void *data) {
  (void)env;
  receive_job *job = data;
  int64_t deadline = now_ms() + job->timeout_ms;
  if (wait_readable(job, job->listen_fd, deadline) != 0) return;
  int conn;
  do {
    conn = accept4(job->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  } while (conn < 0 && errno == EINTR);
  if (conn < 0) {
    job->err = errno;
    job->syscall = "accept4";
    return;
  }
  if (wait_readable(job, conn, deadline) == 0) job->fd = receive_one_fd(job, conn);
  else if (job->err == ETIMEDOUT) job->syscall = "recvmsg";
  close(conn);
}

static void complete(napi_env env, napi_status status, void *data) {
  receive_job *job = data;
  close(job->listen_fd);
  unlink(job->path);
  if (status == napi_cancelled && job->err == 0) {
    job->err = ECANCELED;
    job->syscall = "accept";
  }
  napi_value value = NULL;
  if (job->fd >= 0) {
    if (napi_create_int32(env, job->fd, &value) == napi_ok) {
      napi_resolve_deferred(env, job->deferred, value);
    } else {
      close(job->fd);
      napi_value error = sys_errno_error(env, ENOMEM, "receiveFd", job->path);
      napi_reject_deferred(env, job->deferred, error);
    }
  } else {
    napi_reject_deferred(env, job->deferred, sys_errno_error(env, job->err, job->syscall, job->path));
  }
  napi_delete_async_work(env, job->work);
  free(job->path);
  free(job);
}

/* socket + bind + listen; returns the listening fd or -1 with errno and *syscall set. */
static int listen_unix(const char *path, const char **syscall) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    *syscall = "bind";
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *syscall = "socket";
    return -1;
  }
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    *syscall = "bind";
  } else if (listen(fd, 1) != 0) {
    *syscall = "listen";
    int saved = errno;
    unlink(path);
    errno = saved;
  } else {
    return fd;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return -1;
}

static napi_value receive_fd(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t timeout_ms;
  if (!sys_get_args(env, info, 2, argv, NULL) || !sys_get_int64(env, argv[1], "timeoutMs", &timeout_ms)) {
    return NULL;
  }
  if (timeout_ms < 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "timeoutMs must not be negative");
    return NULL;
  }
  char *path = sys_get_string(env, argv[0], "socketPath");
  if (path == NULL) return NULL;

  receive_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    free(path);
    return sys_throw_errno(env, ENOMEM, "malloc", NULL);
  }
  job->path = path;
  job->timeout_ms = timeout_ms;
  job->fd = -1;
  const char *syscall = NULL;
  job->listen_fd = listen_unix(path, &syscall);
  if (job->listen_fd < 0) {
    sys_throw_errno(env, errno, syscall, path);
    free(path);
    free(job);
    return NULL;
  }

  napi_value promise, name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "metassembly.receiveFd", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    /* A deferred that was created but never settled is released with the env; nothing else holds it. */
    if (job->work != NULL) napi_delete_async_work(env, job->work);
    close(job->listen_fd);
    unlink(path);
    free(path);
    free(job);
    sys_throw_last_napi_error(env);
    return NULL;
  }
  return promise;
}

void sys_register_receive_fd(napi_env env, napi_value exports) {
  sys_export(env, exports, "receiveFd", receive_fd);
}
