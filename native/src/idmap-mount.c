/*
 * The new mount API calls an idmapped rootfs needs: clone a mount tree detached
 * (open_tree), give the clone an idmapping (mount_setattr MOUNT_ATTR_IDMAP) and attach
 * it (move_mount). Called through syscall(2): glibc gained wrappers only in 2.36, and
 * the addon must load on older hosts too.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* x86_64 and the generic table agree on these numbers (asm-generic/unistd.h). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* openTree(path, flags) -> fd. flags: OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_RECURSIVE, ... */
static napi_value open_tree(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t flags;
  if (!sys_get_args(env, info, 2, argv, NULL) || !sys_get_int64(env, argv[1], "flags", &flags)) return NULL;
  char *path = sys_get_string(env, argv[0], "path");
  if (path == NULL) return NULL;
  long fd = syscall(SYS_open_tree, AT_FDCWD, path, (unsigned int)flags);
  napi_value result = NULL;
  if (fd < 0) {
    sys_throw_errno(env, errno, "open_tree", path);
  } else if (napi_create_int32(env, (int32_t)fd, &result) != napi_ok) {
    close((int)fd);
    sys_throw_last_napi_error(env);
  }
  free(path);
  return result;
}

/* mountSetattrIdmap(fd, usernsFd): the whole detached tree at fd reads and writes ids
 * through the user namespace's mapping. Only a detached clone may be idmapped. */
static napi_value mount_setattr_idmap(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t fd, userns_fd;
  if (!sys_get_args(env, info, 2, argv, NULL) || !sys_get_int64(env, argv[0], "fd", &fd) ||
      !sys_get_int64(env, argv[1], "usernsFd", &userns_fd)) {
    return NULL;
  }
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
  if (syscall(SYS_mount_setattr, (int)fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
    return sys_throw_errno(env, errno, "mount_setattr", NULL);
  }
  return NULL;
}

/* moveMount(fd, targetPath): attaches the detached tree at fd on top of targetPath. */
static napi_value move_mount(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t fd;
  if (!sys_get_args(env, info, 2, argv, NULL) || !sys_get_int64(env, argv[0], "fd", &fd)) return NULL;
  char *target = sys_get_string(env, argv[1], "targetPath");
  if (target == NULL) return NULL;
  if (syscall(SYS_move_mount, (int)fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    sys_throw_errno(env, errno, "move_mount", target);
  }
  free(target);
  return NULL;
}

void sys_register_idmap_mount(napi_env env, napi_value exports) {
  sys_export(env, exports, "openTree", open_tree);
  sys_export(env, exports, "mountSetattrIdmap", mount_setattr_idmap);
  sys_export(env, exports, "moveMount", move_mount);
}
