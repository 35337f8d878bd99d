/* Entry point: the kernel calls Node does not offer (see src/sys/sys.ts for the contract). */
#include "sys.h"

NAPI_MODULE_INIT() {
  sys_register_process(env, exports);
  sys_register_fds(env, exports);
  sys_register_receive_fd(env, exports);
  sys_register_eventfd_watch(env, exports);
  sys_register_mounts(env, exports);
  sys_register_flock(env, exports);
  sys_register_idmap_mount(env, exports);
  sys_register_userns_fd(env, exports);
  sys_register_netns_thread(env, exports);
  sys_register_userns_mappings(env, exports);
  return exports;
}
