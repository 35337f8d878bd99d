/**
 * The command line containerd gives a shim, parsed with Go `flag` rules
 * (single or double dash, `-name value` or `-name=value`, parsing stops at the
 * first non-flag word, which is the action). Pure.
 */
import { InvalidArgumentError } from '../errors';

export interface ShimFlags {
  namespace: string;
  address: string;
  publishBinary: string;
  id: string;
  bundle: string;
  socket: string;
  debugSocket: string;
  debug: boolean;
  version: boolean;
  info: boolean;
  /** "start", "delete", "serve" (our daemon) or "" */
  action: string;
  /** words after the action */
  rest: string[];
}

const valueFlags: Record<string, keyof ShimFlags> = {
  namespace: 'namespace',
  address: 'address',
  'publish-binary': 'publishBinary',
  id: 'id',
  bundle: 'bundle',
  socket: 'socket',
  'debug-socket': 'debugSocket',
};
const boolFlags: Record<string, keyof ShimFlags> = { debug: 'debug', v: 'version', info: 'info' };

export function parseFlags(argv: string[]): ShimFlags {
  const flags: ShimFlags = {
    namespace: '',
    address: '',
    publishBinary: '',
    id: '',
    bundle: '',
    socket: '',
    debugSocket: '',
    debug: false,
    version: false,
    info: false,
    action: '',
    rest: [],
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    if (name in boolFlags) {
      const value = eq === -1 ? 'true' : body.slice(eq + 1);
      if (value !== 'true' && value !== 'false' && value !== '1' && value !== '0') {
        throw new InvalidArgumentError(`invalid boolean value ${JSON.stringify(value)} for flag -${name}`);
      }
      (flags[boolFlags[name]] as boolean) = value === 'true' || value === '1';
    } else if (name in valueFlags) {
      let value: string;
      if (eq !== -1) value = body.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new InvalidArgumentError(`flag needs an argument: -${name}`);
      (flags[valueFlags[name]] as string) = value;
    } else {
      throw new InvalidArgumentError(`flag provided but not defined: -${name}`);
    }
  }
  flags.action = argv[i] ?? '';
  flags.rest = argv.slice(i + 1);
  return flags;
}
