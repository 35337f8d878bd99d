/**
 * Reading the runtime's JSON log (`--log-format json`). runc and crun append
 * to it, and one file may serve many calls (the runc shim's <bundle>/log.json),
 * so a call only looks at what was written after its own start.
 */
import { promises as fs } from 'fs';

/** Where the log ends now: the offset a call reads from afterwards. 0 if there is no log yet. */
export async function logOffset(logPath: string): Promise<number> {
  try {
    return (await fs.stat(logPath)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/**
 * The `msg` of the last error entry written from `offset` on.
 * runc logs failures as level "error" (logrus "fatal" is accepted too);
 * lines that are not JSON (a half-written line, a child's plain output) are skipped.
 */
export async function lastLoggedError(logPath: string, offset: number): Promise<string | undefined> {
  return lastErrorEntry(await readFrom(logPath, offset));
}

/** The `msg` of the last error entry of JSON log text: a log file's, or stderr's when there is no log file. */
export function lastErrorEntry(text: string): string | undefined {
  let message: string | undefined;
  for (const line of text.split('\n')) {
    const entry = parseEntry(line);
    if (entry && (entry.level === 'error' || entry.level === 'fatal') && typeof entry.msg === 'string') {
      message = entry.msg;
    }
  }
  return message;
}

async function readFrom(logPath: string, offset: number): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(logPath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await handle.stat();
    // A log truncated since the call started is read whole.
    const start = size < offset ? 0 : offset;
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

function parseEntry(line: string): { level?: unknown; msg?: unknown } | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
