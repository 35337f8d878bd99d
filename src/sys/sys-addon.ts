import type { NetnsSys } from './netns-sys';
import type { Sys } from './sys';

/**
 * The functions native/ exports (see native/src/*.c): exactly the Sys and NetnsSys ports,
 * so the addon's surface and the ports cannot drift apart. Errors carry .code/.errno/.syscall
 * like Node's system errors.
 */
export type SysAddon = Sys & NetnsSys;
