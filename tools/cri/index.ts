export { CriClient, type CriClientOptions } from './cri-client';
export type * from './types';
