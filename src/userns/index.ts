export { defaultCreateGraceMs, defaultStatePath, UsernsAllocator, type PodRange, type UsernsAllocatorOptions } from './allocator';
export { mountIdmappedRootfs, unmountIdmappedRootfs, type IdmapHost, type IdmapMapping, type IdmapSys } from './idmapped-rootfs';
export { checkPool, defaultPool, RANGE_SIZE, type UsernsPool } from './pool';
export type { RequestedMapping } from './requested-mapping';
export type { Holder } from './holders';
export { procHostProcesses, type HostProcesses } from './host-processes';
