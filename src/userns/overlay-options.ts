/**
 * An overlay mount's layers, read from its mountinfo super options and written back with
 * the lower layers moved. Pure. Paths come octal-escaped from the kernel; a layer path that
 * holds ':' or ',' cannot be written back unambiguously and is refused (snapshotters never
 * make one).
 */
import { FailedPreconditionError } from '../errors';

export interface OverlayLayers {
  lowerdirs: string[];
  upperdir?: string;
  workdir?: string;
  /** every other option, verbatim */
  rest: string[];
}

export function parseOverlayOptions(superOptions: string): OverlayLayers {
  const layers: OverlayLayers = { lowerdirs: [], rest: [] };
  for (const option of superOptions.split(',')) {
    const at = option.indexOf('=');
    const key = at < 0 ? option : option.slice(0, at);
    const value = at < 0 ? '' : option.slice(at + 1);
    if (key === 'lowerdir') layers.lowerdirs.push(...value.split(':').filter((p) => p !== '').map(unescape));
    else if (key === 'lowerdir+') layers.lowerdirs.push(unescape(value));
    else if (key === 'upperdir') layers.upperdir = unescape(value);
    else if (key === 'workdir') layers.workdir = unescape(value);
    // rw/ro are per-mount flags, passed as flags, not data
    else if (key !== 'rw' && key !== 'ro' && option !== '') layers.rest.push(option);
  }
  if (layers.lowerdirs.length === 0) throw new FailedPreconditionError(`overlay options without a lowerdir: ${superOptions}`);
  if (layers.rest.some((o) => o.startsWith('datadir'))) {
    throw new FailedPreconditionError('overlay data-only layers (datadir+) are not supported with idmapped layers');
  }
  return layers;
}

export function formatOverlayOptions(layers: OverlayLayers): string {
  const paths = [...layers.lowerdirs, layers.upperdir, layers.workdir].filter((p): p is string => p !== undefined);
  const bad = paths.find((p) => /[:,]/.test(p));
  if (bad !== undefined) throw new FailedPreconditionError(`overlay layer path ${bad} holds ':' or ','`);
  const options = [`lowerdir=${layers.lowerdirs.join(':')}`];
  if (layers.upperdir !== undefined) options.push(`upperdir=${layers.upperdir}`);
  if (layers.workdir !== undefined) options.push(`workdir=${layers.workdir}`);
  return [...options, ...layers.rest].join(',');
}

function unescape(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
