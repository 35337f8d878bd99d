/**
 * What containerd executes as containerd-shim-metassembly-v2: inside the single
 * executable it is the embedded entry point; in a checkout, shim/dev/ runs it with node.
 */
import { main } from '../src/main';

function isSea(): boolean {
  try {
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

// The daemon is this same program run again; outside a SEA that means node plus this script.
const self = isSea()
  ? { file: process.execPath, args: [] }
  : { file: process.execPath, args: [...process.execArgv, process.argv[1]] };

void main(process.argv.slice(2), self).then((code) => {
  // `start` leaves its listener open on purpose (the daemon owns it now): exit explicitly.
  if (code !== undefined) process.exit(code);
});
