/**
 * Splits a command's argument text into words and `--flags`. Quotes ("…", “…”, 「…」) keep spaces
 * inside one word, since titles like "沪连对口合作联席会议 2026" are common; a quote that never
 * closes is an ordinary character, so it cannot swallow the rest of the line (and a later flag).
 * A flag takes every following word up to the next flag (so `--at 2026-12-01 09:00` is one
 * value), except flags the command declares boolean.
 */
import { z } from 'zod';

export interface ParsedArgs {
  /** The whole argument text, trimmed, quotes left in place. */
  text: string;
  /** Words before the first flag. */
  words: string[];
  flags: Record<string, string | true>;
  /**
   * `rawAfter[n]`: the argument text after the first n words exactly as typed — quote marks,
   * line breaks and spacing kept — with flags and their values cut out, trimmed. For free text
   * (an alert's description) that must reach its readers unchanged.
   */
  rawAfter: string[];
}

/**
 * The one schema over what parseArgs produces; commands refine it (`parsedArgs.transform(…)`)
 * rather than typing the shape out again.
 */
export const parsedArgs: z.ZodType<ParsedArgs, ParsedArgs> = z.object({
  text: z.string(),
  words: z.array(z.string()),
  flags: z.record(z.string(), z.union([z.string(), z.literal(true)])),
  rawAfter: z.array(z.string()),
});

/** The same arguments with the first word (a subcommand's name) taken off. */
export function dropFirstWord(a: ParsedArgs): ParsedArgs {
  return { ...a, words: a.words.slice(1), rawAfter: a.rawAfter.slice(1) };
}

const QUOTES: Record<string, string> = { '"': '"', '“': '”', '「': '」', "'": "'" };

interface Token {
  value: string;
  /** Offsets of the token in the text, quotes included. */
  start: number;
  end: number;
}

function scan(text: string): Token[] {
  // Positions of opening quotes found to be unbalanced: read as plain characters on the next pass.
  const literal = new Set<number>();
  for (;;) {
    const out: Token[] = [];
    let cur = '';
    let start = -1;
    let close: string | undefined;
    let openedAt = -1;
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (close !== undefined) {
        if (ch === close) close = undefined;
        else cur += ch;
      } else if (QUOTES[ch] !== undefined && !literal.has(i)) {
        if (start < 0) start = i;
        close = QUOTES[ch];
        openedAt = i;
        quoted = true;
      } else if (/\s/.test(ch)) {
        if (cur || quoted) out.push({ value: cur, start, end: i });
        cur = '';
        start = -1;
        quoted = false;
      } else {
        if (start < 0) start = i;
        cur += ch;
      }
    }
    if (close !== undefined) {
      literal.add(openedAt);
      continue;
    }
    if (cur || quoted) out.push({ value: cur, start, end: text.length });
    return out;
  }
}

export function tokenize(text: string): string[] {
  return scan(text).map((t) => t.value);
}

/** `text` from `from` on, with the `cuts` spans (and the white space before each) removed. */
function cutOut(text: string, from: number, cuts: readonly [number, number][]): string {
  let out = '';
  let pos = from;
  for (const [s, e] of cuts) {
    if (s < from) continue;
    out = (out + text.slice(pos, s)).trimEnd();
    pos = e;
  }
  return (out + text.slice(pos)).trim();
}

export function parseArgs(text: string, booleans: readonly string[] = []): ParsedArgs {
  const tokens = scan(text);
  const words: string[] = [];
  const wordEnds: number[] = [];
  const cuts: [number, number][] = [];
  const flags: Record<string, string | true> = {};
  let current: string | undefined;
  let values: string[] = [];
  const flush = () => {
    if (current !== undefined) flags[current] = values.length ? values.join(' ') : true;
    current = undefined;
    values = [];
  };
  for (const tok of tokens) {
    // One or two dashes of any kind (--new, ——new, a phone's —new, -x): read as a word, a flag
    // would be searched for or stored instead of being refused or honoured.
    const m = /^[-—–]{1,2}([A-Za-z][\w-]*)(?:=(.*))?$/.exec(tok.value);
    if (m) {
      flush();
      cuts.push([tok.start, tok.end]);
      const name = m[1]!.toLowerCase();
      if (m[2] !== undefined) flags[name] = m[2];
      else if (booleans.includes(name)) flags[name] = true;
      else current = name;
    } else if (current !== undefined) {
      values.push(tok.value);
      cuts.push([tok.start, tok.end]);
    } else {
      words.push(tok.value);
      wordEnds.push(tok.end);
    }
  }
  flush();
  const rawAfter = [0, ...wordEnds].map((from) => cutOut(text, from, cuts));
  return { text: text.trim(), words, flags, rawAfter };
}

/** The flags one command (or subcommand) accepts: those that take a value, and booleans. */
export interface FlagSpec {
  values?: readonly string[];
  booleans?: readonly string[];
}

export type FlagProblem =
  | { kind: 'unknown'; flag: string; known: string[]; suggestion?: string }
  | { kind: 'noValue'; flag: string }
  | { kind: 'takesNoValue'; flag: string };

/**
 * The first flag the spec does not accept, or a value-taking flag typed without a value. The
 * parser takes any `--name`, so without this check a misspelt `--remidn 1h` or a bare `--every`
 * would be dropped silently and the item stored as if the user had not asked for it.
 */
export function flagProblem(a: Pick<ParsedArgs, 'flags'>, spec: FlagSpec): FlagProblem | undefined {
  const values = spec.values ?? [];
  const booleans = spec.booleans ?? [];
  const known = [...values, ...booleans];
  for (const [name, v] of Object.entries(a.flags)) {
    if (!known.includes(name)) {
      const suggestion = nearest(name, known);
      return { kind: 'unknown', flag: name, known, ...(suggestion ? { suggestion } : {}) };
    }
    if (values.includes(name) && (v === true || !v.trim())) return { kind: 'noValue', flag: name };
    // --overdue=no would otherwise read as --overdue, and --overdue= as nothing at all.
    if (booleans.includes(name) && v !== true) return { kind: 'takesNoValue', flag: name };
  }
  return undefined;
}

/** A value-taking flag's value, trimmed; undefined when absent (flagProblem reports a bare one). */
export function flagValue(a: Pick<ParsedArgs, 'flags'>, name: string): string | undefined {
  const v = a.flags[name];
  return typeof v === 'string' ? v.trim() : undefined;
}

/** The known name within two edits of a misspelt one (`remidn` → `remind`), if exactly one is closest. */
function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Optimal string alignment distance (a swap of two neighbours counts as one edit). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** A record id as typed (`m3`, `Ｍ3`, ` b-20261201-01 `) in its stored form (`M3`, `B-20261201-01`). */
export function typedId(text: string): string {
  return text.normalize('NFKC').trim().toUpperCase();
}
