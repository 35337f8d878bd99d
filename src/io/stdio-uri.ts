import { InvalidArgumentError } from '../errors';

/**
 * Where a process's stdout/stderr go, decided by the stdout string as the runc shim
 * does (`process/io.go` createIO): no scheme = a path (a FIFO the client made, or an
 * existing file), file:// = append to a file, binary:// = a logger program.
 */
export type OutputTarget =
  | { kind: 'path' }
  | { kind: 'file'; path: string }
  | { kind: 'binary'; path: string; args: string[] };

/** RFC 3986 scheme, as Go's url.Parse finds it: letters first, then letters, digits, + - . up to ':'. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

export function parseOutputTarget(uri: string): OutputTarget {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'path' };
  if (scheme !== 'file' && scheme !== 'binary') {
    throw new InvalidArgumentError(`unknown STDIO scheme ${scheme}`);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw new InvalidArgumentError(`unable to parse stdout uri ${uri}`, { cause: err });
  }
  const path = decodeURIComponent(url.pathname);
  if (!path.startsWith('/') || path === '/') {
    throw new InvalidArgumentError(`${scheme} stdio uri needs an absolute path: ${uri}`);
  }
  if (scheme === 'file') return { kind: 'file', path };
  return { kind: 'binary', path, args: loggerArgs(url.searchParams) };
}

/** Each query key becomes an argument followed by its (first) value, in the order given. */
function loggerArgs(query: URLSearchParams): string[] {
  const first = new Map<string, string>();
  for (const [key, value] of query) {
    if (!first.has(key)) first.set(key, value);
  }
  return [...first].flat();
}
