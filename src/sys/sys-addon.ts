import type { Sys } from './sys';

/**
 * The functions native/ exports (see native/src/*.c): exactly the Sys port, so the
 * addon's surface and the port cannot drift apart. Errors carry .code/.errno/.syscall
 * like Node's system errors.
 */
export type SysAddon = Sys;
