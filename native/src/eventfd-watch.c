/*
 * watchEventfd(fd, onCount) -> { close() }: a uv_poll_t on Node's own loop that
 * reads the eventfd counter (cgroup v1 OOM notifications arrive this way) and
 * hands it to JS. The watch outlives its JS handle object; only close() or the
 * env's teardown stops it.
 */
#include "sys.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

typedef struct watch_handle watch_handle;

typedef struct {
  uv_poll_t poll; /* first member: the uv handle casts back to the watch */
  napi_env env;
  napi_ref callback;
  napi_ref resource;
  napi_async_context context;
  int fd;
  watch_handle *owner; /* the JS close() function's state, NULL once it was collected */
} watch;

/* Owned by the close() function object, freed by its finalizer. */
struct watch_handle {
  watch *w; /* NULL once the watch was closed */
};

static void free_watch(uv_handle_t *handle) { free(handle); }

static void stop_watch(watch *w) {
  if (w->owner != NULL) w->owner->w = NULL;
  uv_poll_stop(&w->poll);
  napi_delete_reference(w->env, w->callback);
  napi_delete_reference(w->env, w->resource);
  napi_async_destroy(w->env, w->context);
  uv_close((uv_handle_t *)&w->poll, free_watch);
}

static void on_env_teardown(void *arg) { stop_watch(arg); }

static void close_watch(watch *w) {
  napi_remove_env_cleanup_hook(w->env, on_env_teardown, w);
  stop_watch(w);
}

static void deliver(watch *w, uint64_t count) {
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, resource, arg, result;
  if (napi_get_reference_value(env, w->callback, &callback) == napi_ok &&
      napi_get_reference_value(env, w->resource, &resource) == napi_ok &&
      napi_create_double(env, (double)count, &arg) == napi_ok) {
    /* make_callback (not call_function) so nextTicks and microtasks run after it, as for any I/O callback. */
    if (napi_make_callback(env, w->context, resource, callback, 1, &arg, &result) != napi_ok) {
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  watch *w = (watch *)handle;
  if (status < 0) {
    /* The fd went bad (closed under us): nothing more will ever arrive. */
    close_watch(w);
    return;
  }
  uint64_t count;
  ssize_t n;
  do {
    n = read(w->fd, &count, sizeof count);
  } while (n < 0 && errno == EINTR);
  if (n == (ssize_t)sizeof count) deliver(w, count);
}

static napi_value close_fn(napi_env env, napi_callback_info info) {
  void *data = NULL;
  if (napi_get_cb_info(env, info, NULL, NULL, NULL, &data) != napi_ok) return NULL;
  watch_handle *h = data;
  if (h->w != NULL) close_watch(h->w);
  return NULL;
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  watch_handle *h = data;
  if (h->w != NULL) h->w->owner = NULL;
  free(h);
}

static napi_value watch_eventfd(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t fd;
  napi_valuetype type;
  if (!sys_get_args(env, info, 2, argv, NULL) || !sys_get_int64(env, argv[0], "fd", &fd)) return NULL;
  if (napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onCount must be a function");
    return NULL;
  }
  uv_loop_t *loop;
  SYS_CALL(env, napi_get_uv_event_loop(env, &loop));

  napi_value result, close, name;
  SYS_CALL(env, napi_create_object(env, &result));
  SYS_CALL(env, napi_create_string_utf8(env, "metassembly.eventfd", NAPI_AUTO_LENGTH, &name));

  watch *w = calloc(1, sizeof *w);
  watch_handle *h = calloc(1, sizeof *h);
  if (w == NULL || h == NULL) {
    free(w);
    free(h);
    return sys_throw_errno(env, ENOMEM, "malloc", NULL);
  }
  int err = uv_poll_init(loop, &w->poll, (int)fd);
  if (err != 0) {
    free(w);
    free(h);
    return sys_throw_errno(env, -err, "uv_poll_init", NULL);
  }
  w->env = env;
  w->fd = (int)fd;
  /* From here the uv handle exists: every failure path must go through stop_watch. */
  if (napi_create_reference(env, argv[1], 1, &w->callback) != napi_ok ||
      napi_create_reference(env, result, 1, &w->resource) != napi_ok ||
      napi_async_init(env, result, name, &w->context) != napi_ok ||
      (err = uv_poll_start(&w->poll, UV_READABLE, on_readable)) != 0 ||
      napi_add_env_cleanup_hook(env, on_env_teardown, w) != napi_ok) {
    stop_watch(w);
    free(h);
    if (err != 0) return sys_throw_errno(env, -err, "uv_poll_start", NULL);
    sys_throw_last_napi_error(env);
    return NULL;
  }
  w->owner = h;
  h->w = w;
  if (napi_create_function(env, "close", NAPI_AUTO_LENGTH, close_fn, h, &close) != napi_ok ||
      napi_add_finalizer(env, close, h, finalize_handle, NULL, NULL) != napi_ok) {
    close_watch(w);
    free(h);
    sys_throw_last_napi_error(env);
    return NULL;
  }
  SYS_CALL(env, napi_set_named_property(env, result, "close", close));
  return result;
}

void sys_register_eventfd_watch(napi_env env, napi_value exports) {
  sys_export(env, exports, "watchEventfd", watch_eventfd);
}
