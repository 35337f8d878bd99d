export type { CallContext, Handler, ServiceMethods } from './call-context';
export { TtrpcClient } from './client';
export type { CallOptions } from './client';
export { MAX_PAYLOAD } from './frame';
export type { Metadata, MetadataInit } from './metadata';
export { TtrpcServer } from './server';
export type { TtrpcServerOptions } from './server';
