/**
 * What the kernel says of a user namespace given by path (native/src/userns-mappings.c).
 * A port of its own, beside Sys: only the sandboxing's check of a pinned namespace needs it.
 */
export interface UsernsSys {
  /**
   * The real uid_map and gid_map of the user namespace at `path`, in the kernel's text format
   * ("inside outside count" lines), outside ids as the shim's own user namespace sees them.
   * Throws an errno error for a path that is no user namespace (EINVAL, setns; ENOTTY, ioctl).
   */
  userNamespaceMappings(path: string): { uidMap: string; gidMap: string };
}
