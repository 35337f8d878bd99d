/**
 * Reading the kernel's table of unix sockets (/proc/net/unix) for a listener bound to a
 * path. Lets `start` see that its group's shim already serves without loading node:net
 * (bench/PROFILE.md). Pure.
 *
 * Each line: `Num: RefCount Protocol Flags Type St Inode Path`; Flags is 00010000
 * (__SO_ACCEPTCON) exactly when the socket listens, Type 0001 is SOCK_STREAM, and Path is
 * the name it was bound to, printed as is after the last fixed field.
 */

const LISTENING = '00010000';
const STREAM = '0001';

export function listensAt(table: string, path: string): boolean {
  const needle = ` ${path}\n`;
  for (let at = table.indexOf(needle); at !== -1; at = table.indexOf(needle, at + 1)) {
    const line = table.slice(table.lastIndexOf('\n', at) + 1, at + needle.length - 1);
    const fields = line.split(' ').filter((f) => f !== '');
    // exactly the seven fixed fields before the path: a longer path merely ending in ours has more
    if (fields.length === 8 && fields[3] === LISTENING && fields[4] === STREAM) return true;
  }
  return false;
}
