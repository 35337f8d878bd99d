export type { CommandOptions, CommandResult, CommandRunner, FdWatch, IdMapping, Sys, WaitResult } from './sys';
export { LOCK, MNT, MS, OPEN_TREE } from './sys';
export { NativeSys } from './native-sys';
export type { NetnsSys } from './netns-sys';
export type { UsernsSys } from './userns-sys';
export { formatIdMappings, parseIdMapText, sameIdMappings } from './id-map-text';
export { Reaper } from './reaper';
export type { ExitListener, ReapedExit } from './reaper';
