/* mount(2) and umount2(2). */
#include "sys.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>

/* "" means "not given": bind mounts and remounts pass NULL fstype/data to the kernel. */
static const char *or_null(const char *s) { return s[0] == '\0' ? NULL : s; }

static napi_value do_mount(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int64_t flags;
  if (!sys_get_args(env, info, 5, argv, NULL) || !sys_get_int64(env, argv[3], "flags", &flags)) return NULL;
  char *source = sys_get_string(env, argv[0], "source");
  char *target = source ? sys_get_string(env, argv[1], "target") : NULL;
  char *fstype = target ? sys_get_string(env, argv[2], "fstype") : NULL;
  char *data = fstype ? sys_get_string(env, argv[4], "data") : NULL;
  if (data != NULL &&
      mount(or_null(source), target, or_null(fstype), (unsigned long)flags, or_null(data)) != 0) {
    sys_throw_errno(env, errno, "mount", target);
  }
  free(source);
  free(target);
  free(fstype);
  free(data);
  return NULL;
}

static napi_value do_unmount(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t flags;
  if (!sys_get_args(env, info, 2, argv, NULL) || !sys_get_int64(env, argv[1], "flags", &flags)) return NULL;
  char *target = sys_get_string(env, argv[0], "target");
  if (target == NULL) return NULL;
  if (umount2(target, (int)flags) != 0) sys_throw_errno(env, errno, "umount2", target);
  free(target);
  return NULL;
}

void sys_register_mounts(napi_env env, napi_value exports) {
  sys_export(env, exports, "mount", do_mount);
  sys_export(env, exports, "unmount", do_unmount);
}
