/**
 * Dates and targets found in the documents themselves ("本法自2021年6月1日起施行", "到2025年…",
 * "规划期至2025年，展望到2035年"), each with the clause it comes from, so deadline questions and
 * /deadline cover documents nobody wrote seeds for. Derived from the parsed corpus alone (kept
 * apart from loading so a snapshot can store or recompute it).
 */
import type { ResolvedDeadline } from './deadlines.ts';
import type { Gazetteer } from './gazetteer.ts';
import type { PlanDoc } from './corpus.ts';
import type { Clause } from './parser.ts';

const CN_YEAR_DIGITS: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
/** Sentences longer than this are cut around the date, so a reply line stays readable. */
const MAX_TEXT = 90;

const YEAR = String.raw`(\d{4}|[〇零一二三四五六七八九]{4})`;
/** 自2021年6月1日起施行 / 2018年1月1日起生效. */
const EFFECTIVE = new RegExp(String.raw`${YEAR}\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起)?\s*(?:施行|生效|实施|执行)`, 'g');
/** 到2025年 / 至2035年 / 2020年前 / 2025年底 — a year something is to be reached by. */
const TARGET = new RegExp(String.raw`(?:到|至|截至|截止到?|力争到|展望到)\s*${YEAR}\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?|${YEAR}\s*年(?:底|末|以前|前)`, 'g');

function year(s: string): string {
  return /^\d{4}$/.test(s) ? s : [...s].map((c) => CN_YEAR_DIGITS[c] ?? '').join('');
}

const pad = (n: string) => n.padStart(2, '0');

/** The sentence of `text` around `at`, cut to MAX_TEXT characters. */
function sentenceAt(text: string, at: number): string {
  const flat = text.replace(/\n+/g, ' ');
  let start = 0;
  for (const m of flat.slice(0, at).matchAll(/[。；;！？]/g)) start = m.index! + 1;
  const endRel = flat.slice(at).search(/[。；;！？]/);
  const end = endRel < 0 ? flat.length : at + endRel;
  let s = flat.slice(start, end).trim();
  if (s.length > MAX_TEXT) {
    const rel = at - start;
    const from = Math.max(0, Math.min(rel - 20, s.length - MAX_TEXT));
    s = `${from > 0 ? '…' : ''}${s.slice(from, from + MAX_TEXT)}${from + MAX_TEXT < s.length ? '…' : ''}`;
  }
  return s;
}

/**
 * Deadlines found in the documents' clauses. Clauses already quoted by a seeded deadline are
 * skipped (the seed says it better); regions are those named without ambiguity in the sentence.
 */
export function extractDeadlines(docs: readonly PlanDoc[], gazetteer: Gazetteer, seeded: ReadonlySet<string>): ResolvedDeadline[] {
  const out: ResolvedDeadline[] = [];
  for (const d of docs) {
    for (const c of d.clauses) {
      if (seeded.has(c.id)) continue;
      out.push(...fromClause(d, c, gazetteer));
    }
  }
  return out;
}

function fromClause(d: PlanDoc, c: Clause, g: Gazetteer): ResolvedDeadline[] {
  const found: ResolvedDeadline[] = [];
  const seen = new Set<string>();
  const add = (kind: ResolvedDeadline['kind'], due: string, at: number, matched: string, effective = false) => {
    if (seen.has(due)) return;
    seen.add(due);
    const text = sentenceAt(c.text, at);
    const regions = [...new Set(g.mentions(text).filter((m) => m.regionIds.length === 1).map((m) => m.regionIds[0]!))];
    found.push({
      id: `auto-${c.id}-${found.length + 1}`,
      kind,
      text,
      due,
      regions,
      owners: [],
      source: { doc: d.meta.id, quote: matched },
      clause: c,
      ...(effective ? { effective } : {}),
    });
  };
  for (const m of c.text.matchAll(EFFECTIVE)) {
    const y = year(m[1]!);
    if (y.length === 4) add('period', `${y}-${pad(m[2]!)}-${pad(m[3]!)}`, m.index!, m[0], true);
  }
  for (const m of c.text.matchAll(TARGET)) {
    // 2017年至2020年 is a span already over, not a target.
    if (/\d{4}\s*年\s*$/.test(c.text.slice(Math.max(0, m.index! - 8), m.index!))) continue;
    const y = year(m[1] ?? m[4]!);
    if (y.length !== 4 || Number(y) < 1949 || Number(y) > 2100) continue;
    // A full date is only a deadline when the text gives one; a month alone reads as its year.
    const due = m[2] && m[3] ? `${y}-${pad(m[2])}-${pad(m[3])}` : y;
    add('target', due, m.index!, m[0]);
  }
  return found;
}
