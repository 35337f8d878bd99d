export type { CommandOptions, CommandResult, CommandRunner, FdWatch, Sys, WaitResult } from './sys';
export { MNT, MS } from './sys';
export { NativeSys } from './native-sys';
export { Reaper } from './reaper';
export type { ExitListener, ReapedExit } from './reaper';
