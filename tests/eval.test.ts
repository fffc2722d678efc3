/**
 * ../shared/eval/questions.dev.yaml as a test, with the matching rule its header states: fold
 * Traditional → Simplified, NFKC, ignore white space; clause: one expected phrase in the text of
 * one of the top 3 results; pairing: every name in the reply; deadline: one phrase in the reply;
 * `intent` must match the answer's intent; `cite` must be in the top result's citation. The whole
 * set runs with ../shared/eval/plans loaded (as `xiezuo ask --plans` does), through the real
 * answering path and once more through `xiezuo ask --json` in stdin batch mode. No reply may
 * exceed 1,500 characters. The shared folder is the repository's sibling `shared/` (so a worktree
 * beside main finds it too), or XIEZUO_SHARED_DIR.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_SEEDS_DIR } from '../src/app.ts';
import { foldCompact } from '../src/knowledge/fold.ts';
import { Knowledge } from '../src/knowledge/knowledge.ts';
import { renderText } from '../src/render/text.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = process.env.XIEZUO_SHARED_DIR ?? fileURLToPath(new URL('../../shared/', import.meta.url));
const EVAL = join(SHARED, 'eval', 'questions.dev.yaml');
const PLANS = join(SHARED, 'eval', 'plans');
/** The bound on one reply; longer answers are summarised with buttons for the rest. */
const MAX_REPLY = 1500;

interface Question {
  q: string;
  kind: 'clause' | 'pairing' | 'deadline';
  expect: string[];
  docs?: 'plans';
  intent?: 'clause' | 'pairing' | 'deadline';
  cite?: string;
}
interface Output {
  question: string;
  intent: string;
  text: string;
  results: { text: string; citation: string }[];
}

const norm = (s: string) => foldCompact(s);

/** The header's rule, applied to one answer; returns what failed, or undefined. */
function check(q: Question, o: Output): string | undefined {
  if (q.intent && o.intent !== q.intent) return `intent ${o.intent}, expected ${q.intent}`;
  if (q.cite && !(o.results[0]?.citation ?? '').includes(q.cite)) return `top citation ${o.results[0]?.citation} lacks ${q.cite}`;
  if (o.text.length >= MAX_REPLY) return `reply of ${o.text.length} characters`;
  if (q.kind === 'clause') {
    const top = o.results.slice(0, 3).map((r) => norm(r.text));
    return q.expect.some((e) => top.some((t) => t.includes(norm(e)))) ? undefined : `none of ${q.expect.join(' / ')} in the top 3 results`;
  }
  const reply = norm(o.text);
  if (q.kind === 'pairing') {
    const missing = q.expect.filter((e) => !reply.includes(norm(e)));
    return missing.length ? `reply lacks ${missing.join('、')}` : undefined;
  }
  return q.expect.some((e) => reply.includes(norm(e))) ? undefined : `none of ${q.expect.join(' / ')} in the reply`;
}

const present = existsSync(EVAL);
if (!present) console.warn(`eval set not found at ${EVAL}: skipping the eval test`);
const questions: Question[] = present ? (parse(readFileSync(EVAL, 'utf8')) as Question[]) : [];

describe.skipIf(!present)('eval: ../shared/eval/questions.dev.yaml', () => {
  let k: Knowledge;
  beforeAll(async () => {
    k = await Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR, planDirs: [PLANS] });
  });

  it('holds 43 questions, some about the plans folder', () => {
    expect(questions).toHaveLength(43);
    expect(questions.some((q) => q.docs === 'plans')).toBe(true);
    expect(existsSync(PLANS)).toBe(true);
  });

  it.each(questions.map((q) => [q.q, q] as const))('%s', (_, q) => {
    const a = k.answer(q.q);
    const failure = check(q, { question: q.q, intent: a.intent, text: renderText(a.reply), results: a.results });
    expect(failure, `${q.kind}: ${failure}\n${renderText(a.reply)}`).toBeUndefined();
  });

  it('passes through `xiezuo ask --json` reading the questions from stdin', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['src/bin/xiezuo.mjs', 'ask', '--json', '--plans', PLANS], {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'silent' },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ask exited ${code}`))));
      child.stdin.end(`${questions.map((q) => q.q).join('\n')}\n`);
    });
    const outputs = stdout.trim().split('\n').map((l) => JSON.parse(l) as Output);
    expect(outputs.map((o) => o.question)).toEqual(questions.map((q) => q.q));
    const failures = questions.map((q, i) => [q.q, check(q, outputs[i]!)]).filter(([, f]) => f);
    expect(failures).toEqual([]);
  });
});
