export { startContainerd, type Containerd, type CtrOptions, type StartContainerdOptions } from './containerd';
export { renderConfig, type ConfigOptions, type ConfigPaths } from './containerd-config';
export { leakCheck, type LeakCheck, type LeakCheckOptions } from './leak-check';
export { busyboxRootfs, busyboxRunFlags, cacheDir, repoRoot } from './repo-paths';
export { runCommand, type RunOptions, type RunResult } from './run-command';
export { makeScratchDir, removeScratchDir, scratchPrefix, testNamespace } from './scratch';
export { allSeries, availableVersions, containerdVersion, type ContainerdSeries, type ContainerdVersion } from './versions';
