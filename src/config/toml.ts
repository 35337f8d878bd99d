/**
 * The TOML subset our configuration uses: comments, [tables] and [dotted.tables],
 * bare or quoted keys, and values that are strings (basic and literal), integers,
 * booleans or arrays of those (an array may span lines). Anything else is refused
 * with its line number, so a typo never silently becomes a default. Pure.
 */
import { InvalidArgumentError } from '../errors';

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export function parseToml(text: string, source = 'config'): TomlTable {
  const root: TomlTable = {};
  let table = root;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const fail = (why: string): never => {
      throw new InvalidArgumentError(`${source}:${n + 1}: ${why}`);
    };
    let line = stripComment(lines[n]).trim();
    if (!line) continue;
    if (line.startsWith('[')) {
      const m = /^\[\s*([^\[\]]+?)\s*\]$/.exec(line);
      if (!m) fail(`bad table header ${JSON.stringify(line)}`);
      table = root;
      for (const part of splitKey(m![1], fail)) {
        const next = table[part];
        if (next === undefined) table = table[part] = {};
        else if (typeof next === 'object' && !Array.isArray(next)) table = next;
        else fail(`${part} is already a value, not a table`);
      }
      continue;
    }
    const eq = findEquals(line);
    if (eq < 0) fail(`expected key = value, got ${JSON.stringify(line)}`);
    const keyParts = splitKey(line.slice(0, eq).trim(), fail);
    if (keyParts.length !== 1) fail('dotted keys are not supported; use a [table]');
    const key = keyParts[0];
    let valueText = line.slice(eq + 1).trim();
    // an array may continue over the following lines until its brackets balance
    while (valueText.startsWith('[') && !bracketsBalanced(valueText) && n + 1 < lines.length) {
      valueText += ' ' + stripComment(lines[++n]).trim();
    }
    if (key in table) fail(`duplicate key ${key}`);
    const [value, restText] = parseValue(valueText, fail);
    if (restText.trim()) fail(`unexpected text after value: ${JSON.stringify(restText.trim())}`);
    table[key] = value;
  }
  return root;
}

function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

function findEquals(line: string): number {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '=') return i;
  }
  return -1;
}

function splitKey(text: string, fail: (why: string) => never): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    parts.push(m[1] !== undefined ? unescape(m[1], fail) : (m[2] ?? m[3]));
    if (m[4] === '') break;
  }
  if (re.lastIndex !== text.length || parts.length === 0) fail(`bad key ${JSON.stringify(text)}`);
  return parts;
}

function bracketsBalanced(text: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
  }
  return depth === 0;
}

function parseValue(text: string, fail: (why: string) => never): [TomlValue, string] {
  text = text.trimStart();
  let m: RegExpExecArray | null;
  if ((m = /^"((?:[^"\\]|\\.)*)"/.exec(text))) return [unescape(m[1], fail), text.slice(m[0].length)];
  if ((m = /^'([^']*)'/.exec(text))) return [m[1], text.slice(m[0].length)];
  if ((m = /^(true|false)\b/.exec(text))) return [m[1] === 'true', text.slice(m[0].length)];
  if ((m = /^[+-]?(?:0|[1-9](?:_?[0-9])*)(?![.eE0-9_])/.exec(text))) {
    const n = Number(m[0].replace(/_/g, ''));
    if (!Number.isSafeInteger(n)) fail(`integer ${m[0]} is out of range`);
    return [n, text.slice(m[0].length)];
  }
  if (text.startsWith('[')) {
    const items: TomlValue[] = [];
    let rest = text.slice(1).trimStart();
    while (!rest.startsWith(']')) {
      const [item, after] = parseValue(rest, fail);
      items.push(item);
      rest = after.trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith(']')) fail('expected , or ] in array');
    }
    return [items, rest.slice(1)];
  }
  return fail(`unsupported value ${JSON.stringify(text)}`);
}

function unescape(s: string, fail: (why: string) => never): string {
  return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'b': return '\b';
      case 'f': return '\f';
      case '"': return '"';
      case '\\': return '\\';
      case 'u':
      case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16));
      default: return fail(`bad escape \\${e}`);
    }
  });
}
