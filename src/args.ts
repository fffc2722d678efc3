/**
 * Splits a command's argument text into words and `--flags`. Quotes ("…", “…”, 「…」) keep spaces
 * inside one word, since titles like "沪连对口合作联席会议 2026" are common. A flag takes every
 * following word up to the next flag (so `--at 2026-12-01 09:00` is one value), except flags the
 * command declares boolean.
 */
export interface ParsedArgs {
  /** The whole argument text, trimmed, quotes left in place. */
  text: string;
  /** Words before the first flag. */
  words: string[];
  flags: Record<string, string | true>;
}

const QUOTES: Record<string, string> = { '"': '"', '“': '”', '「': '」', "'": "'" };

export function tokenize(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let close: string | undefined;
  let quoted = false;
  for (const ch of text) {
    if (close !== undefined) {
      if (ch === close) close = undefined;
      else cur += ch;
    } else if (QUOTES[ch] !== undefined) {
      close = QUOTES[ch];
      quoted = true;
    } else if (/\s/.test(ch)) {
      if (cur || quoted) out.push(cur);
      cur = '';
      quoted = false;
    } else cur += ch;
  }
  if (cur || quoted) out.push(cur);
  return out;
}

export function parseArgs(text: string, booleans: readonly string[] = []): ParsedArgs {
  const tokens = tokenize(text.replace(/[—–]{2}(?=[A-Za-z])/g, '--'));
  const words: string[] = [];
  const flags: Record<string, string | true> = {};
  let current: string | undefined;
  let values: string[] = [];
  const flush = () => {
    if (current !== undefined) flags[current] = values.length ? values.join(' ') : true;
    current = undefined;
    values = [];
  };
  for (const tok of tokens) {
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(tok);
    if (m) {
      flush();
      const name = m[1]!.toLowerCase();
      if (m[2] !== undefined) flags[name] = m[2];
      else if (booleans.includes(name)) flags[name] = true;
      else current = name;
    } else if (current !== undefined) values.push(tok);
    else words.push(tok);
  }
  flush();
  return { text: text.trim(), words, flags };
}
