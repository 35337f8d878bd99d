import type { NetnsSys } from './netns-sys';
import type { Sys } from './sys';
import type { UsernsSys } from './userns-sys';

/**
 * The functions native/ exports (see native/src/*.c): exactly the Sys, NetnsSys and UsernsSys ports,
 * so the addon's surface and the ports cannot drift apart. Errors carry .code/.errno/.syscall
 * like Node's system errors.
 */
export type SysAddon = Sys & NetnsSys & UsernsSys;
