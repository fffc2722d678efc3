/**
 * Property-based tests (fast-check) of the real router and app against a private redis-server:
 * generated commands (every command, alias and subcommand; prototype words; flags with and
 * without values; control and zero-width characters; 10 KB arguments; invalid dates) and
 * generated button presses. Every input gets a Chinese answer, never an error id, never an
 * English dump, in Telegram-sized messages; a refused input changes nothing stored (the audit
 * log, where refusals are written, excepted).
 *
 * Fixed seed by default. FUZZ_RUNS=100000 (and FUZZ_SEED=n) for a long run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { DEFAULT_SEEDS_DIR } from '../../src/app.ts';
import { loadGroupSeeds, seedGroups } from '../../src/groups/seed.ts';
import type { ActionResult } from '../../src/command.ts';
import type { Reply, UserRef } from '../../src/messages.ts';
import { renderTelegramParts } from '../../src/platforms/telegram/render.ts';
import { msg } from '../../src/i18n/index.ts';
import { keyspace } from '../../src/store/keys.ts';
import { COORDINATOR, OFFICIAL, type Harness, makeGroup, startHarness } from '../meetings/harness.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
/** Commands get most of the runs; button presses the rest. */
const COMMAND_RUNS = Math.round(RUNS * 0.8);
const PRESS_RUNS = RUNS - COMMAND_RUNS;

let h: Harness;
let redis: Redis;
let prefix: string;
const STRANGER: UserRef = { platform: 'telegram', id: '990', name: 'Fuzz' };

/**
 * Everything this app stored, by content, the audit log left out (refusals are written there by
 * design) and keys about to expire on their own. One round trip, so it can run after each of
 * thousands of inputs.
 */
const DIGEST = `
local function content(k)
  local t = redis.call('TYPE', k).ok
  local v
  if t == 'string' then v = {redis.call('GET', k)}
  elseif t == 'hash' or t == 'set' then
    -- Sorted: a dict's iteration order changes as Redis rehashes it, even on reads.
    v = t == 'hash' and redis.call('HGETALL', k) or redis.call('SMEMBERS', k)
    if t == 'hash' then
      local pairs_ = {}
      for i = 1, #v, 2 do pairs_[#pairs_ + 1] = v[i] .. '\\0' .. v[i + 1] end
      v = pairs_
    end
    table.sort(v)
  elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
  elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1)
  else
    local d = redis.call('DUMP', k)
    v = {d or '-'}
  end
  return t .. ':' .. redis.sha1hex(table.concat(v, '\\1'))
end
local keys = redis.call('KEYS', '{' .. ARGV[1] .. ':*')
table.sort(keys)
local parts = {}
for _, k in ipairs(keys) do
  -- Throttle keys living a few seconds (a preview's edit slot) expire on their own between inputs.
  local ttl = redis.call('PTTL', k)
  if k ~= ARGV[2] and (ttl < 0 or ttl > 60000) then parts[#parts + 1] = k .. '=' .. content(k) end
end
return table.concat(parts, '\\n')
`;
/** Every key of this deployment starts with a hash tag `{prefix:family}` (src/store/keys.ts). */
const auditKey = () => keyspace(prefix, 'audit')('log');
const digest = () => redis.eval(DIGEST, 0, prefix, auditKey()) as Promise<string>;
/** The keys whose content differs between two digests, for the failure message. */
function changed(before: string, after: string): string {
  const a = new Set(before.split('\n'));
  const b = new Set(after.split('\n'));
  return [...[...a].filter((x) => !b.has(x)).map((x) => `-${x}`), ...[...b].filter((x) => !a.has(x)).map((x) => `+${x}`)].join(' ').slice(0, 500);
}
/** The audit log's newest entry id, and whether a refusal was written after it. */
const lastAudit = async () => (await redis.xrevrange(auditKey(), '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
const deniedSince = async (id: string) =>
  (await redis.xrange(auditKey(), `(${id}`, '+')).some(([, f]) => /\.denied$/.test(f[f.indexOf('action') + 1] ?? ''));

beforeAll(async () => {
  // No workers: nothing is sent, and nothing changes the store between two digests but the input.
  h = await startHarness({ workers: false });
  prefix = h.env.REDIS_PREFIX!;
  redis = new Redis(h.redis.url);
  await seedGroups(h.app.services.groups, await loadGroupSeeds(join(DEFAULT_SEEDS_DIR, 'groups.json')));
  await makeGroup(h, 'g3', [{ platform: 'telegram', chatId: '-4002' }]);
  // Some state for ids to hit: a meeting, an office deadline, a broadcast draft, an alert preview.
  for (const t of [
    '/meeting add "沪连会" 2027-01-10 09:30 g3',
    '/deadline add 报送 2027-03-31 g3',
    '/broadcast g3 请报送材料',
    '/alert 文山 地震 IV 局地小震',
  ])
    await h.say(t);
  // The digest must see the stored state, or "nothing changed" would hold of nothing.
  const seeded = await digest();
  if (!/\{[^}]*:groups\}/.test(seeded) || !/\{[^}]*:meetings\}/.test(seeded)) throw new Error(`the store digest misses the seeded keys: ${seeded.slice(0, 200)}`);
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await h?.close();
});

const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\u0008', '\u001b', '\u007f', '\t', '\r', '\n', '\u0085'];
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u200e', '\u200f', '\u202e', '\u00ad', '\u3000'];
const WORDS = [
  '大连', '文山', '红河', '沪连', '沪滇', 'g3', '混合组', '应急协调中心', 'M1', 'M999', 'D1', 'A-20261202-01', 'B-20261202-01', 'b-1',
  'telegram:-4002', 'telegram:abc', 'slack:C0123ABCDE', 'console:x', 'telegram:1', 'I', 'II', 'IV', 'V', '重大', '地震', '洪涝',
  'yes', 'no', 'delegate', '参加', 'weekly', 'daily', '* * * * *', '1h', '1d,2h', '0s', '-1h', '99999d', 'none', '5', '0', '-3', '200', '201',
  '2026-12-10', '2026-13-45', '2026-02-30', '2026-12-10 25:61', '09:30', '昨天', '明天 9点', '1e9', '9999-99-99', 'Asia/Shanghai', '+08:00', 'Mars/Olympus',
  'official', 'coordinator', 'emergency', 'admin', 'boss', 'telegram:7', 'slack:U0123', '"', '“引号', '\\', '<b>', '&amp;', '$' + '{x}', '%s', '—', '－－',
];
const FLAGS = ['remind', 'every', 'where', 'at', 'tz', 'owner', 'action', 'new', 'drill', 'overdue', 'upcoming', 'all', 'remidn', 'overdeu', 'foo', ...PROTO];

function commandWords(): { names: string[]; subs: string[] } {
  const names = new Set<string>();
  const subs = new Set<string>();
  for (const c of h.app.router.commands) {
    for (const n of [c.name, ...(c.aliases ?? [])]) names.add(n);
    for (const s of c.subcommands ?? []) for (const n of s.names) subs.add(n);
  }
  return { names: [...names], subs: [...subs] };
}

function arbitraries() {
  const { names, subs } = commandWords();
  const noise = fc.oneof(
    fc.constantFrom(...CONTROL, ...INVISIBLE),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.string({ unit: 'binary', maxLength: 4 }),
  );
  const word = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTO) },
    { weight: 2, arbitrary: fc.constantFrom(...subs) },
    { weight: 2, arbitrary: noise },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...WORDS, ...PROTO), noise).map(([w, n]) => w + n) },
  );
  const flag = fc.tuple(fc.constantFrom('--', '—', '－－', '-'), fc.constantFrom(...FLAGS), fc.option(fc.oneof(word, fc.constant('')), { nil: undefined }), fc.boolean()).map(([dash, f, v, eq]) =>
    v === undefined ? `${dash}${f}` : eq ? `${dash}${f}=${v}` : `${dash}${f} ${v}`,
  );
  const big = fc.constantFrom('x', '灾', '\u200b', '“').map((c) => c.repeat(10_240));
  const arg = fc.oneof({ weight: 8, arbitrary: word }, { weight: 3, arbitrary: flag }, { weight: 1, arbitrary: big });
  const slash = fc.constantFrom('/', '／', '/', '/');
  const head = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...names).map((n) => n) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTO) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names), fc.constantFrom('@xiezuo_bot', '@other_bot', '\u200b')).map(([n, s]) => n + s) },
  );
  const sep = fc.constantFrom(' ', ' ', ' ', '  ', '\n', '\u3000', '\t');
  const command = fc
    .tuple(fc.oneof({ weight: 9, arbitrary: slash }, { weight: 1, arbitrary: fc.constant('') }), head, fc.array(fc.tuple(sep, arg), { maxLength: 7 }))
    .map(([s, name, rest]) => s + name + rest.map(([a, b]) => a + b).join(''));
  const user = fc.constantFrom(COORDINATOR, OFFICIAL, STRANGER);

  const actionNames: string[] = [];
  for (const c of h.app.router.commands) for (const k of Object.keys(c.actions ?? {})) actionNames.push(`${c.name}.${k}`);
  const action = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...actionNames) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...names, ...PROTO, ''), fc.constantFrom(...PROTO, 'x', '')).map(([a, b]) => `${a}.${b}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
  const value = fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: big }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 64 }) });
  return { command, user, press: fc.record({ action, value, user }) };
}

/** What a user reads of a reply: title, blocks, footer, button labels. */
function readable(r: Reply): string {
  return [r.title ?? '', ...r.blocks.map((b) => `${b.heading ?? ''}\n${b.text}`), r.footer ?? '', ...(r.buttons ?? []).flat().map((b) => b.label)].join('\n');
}

const CHINESE = /[\u4e00-\u9fff]/;
const ERROR_ID = /错误编号|\bE[0-9A-Z]{8}\b/;
/** What an internal error or a serialiser leaks when it reaches the user. */
const DUMP = /\b(TypeError|ReferenceError|RangeError|SyntaxError|ZodError|Error:|at \S+ \(|undefined|NaN|Infinity|\[object Object\]|function \w*\s*\(|native code|Invalid input|expected \w+, received|ECONN\w+|ERR_\w+)\b/;

/**
 * The reply's text with everything the user typed taken out (in any case: ids are upper-cased
 * when echoed), so echoes of input are not taken for dumps or error ids.
 */
function ownText(text: string, input: string): string {
  let out = text;
  for (const piece of input.split(/[\s\p{Cc}\p{Cf}|]+/u).filter((p) => p.length >= 2).sort((a, b) => b.length - a.length)) {
    for (const form of [piece, piece.toUpperCase(), piece.toLowerCase()]) out = out.split(form).join(' ');
  }
  return out;
}

function checkReply(r: Reply, fullInput: string): void {
  const text = readable(r);
  const input = fullInput.slice(0, 300);
  expect(text.trim().length, input).toBeGreaterThan(0);
  expect(text, input).toMatch(CHINESE);
  expect(r.tone, input).not.toBe('internal');
  expect(ownText(text, fullInput), input).not.toMatch(ERROR_ID);
  expect(ownText(text, fullInput), input).not.toMatch(DUMP);
  for (const part of renderTelegramParts(r)) expect(part.length, input).toBeLessThanOrEqual(4096);
}

function checkPress(r: ActionResult, fullInput: string): void {
  const input = fullInput.slice(0, 300);
  if (r.toast !== undefined) {
    expect(r.toast, input).toMatch(CHINESE);
    expect(ownText(r.toast, fullInput), input).not.toMatch(ERROR_ID);
    expect(ownText(r.toast, fullInput), input).not.toMatch(DUMP);
    expect(r.toast.length, input).toBeLessThanOrEqual(200);
  }
  for (const reply of [r.edit, r.reply]) if (reply) checkReply(reply, fullInput);
  expect(r.toast ?? r.edit ?? r.reply, input).toBeDefined();
}

const inbound = (user: UserRef, text: string) => ({
  platform: user.platform,
  chat: { platform: 'telegram' as const, chatId: '-9000' },
  chatType: 'group' as const,
  user,
  text,
  receivedAt: new Date(),
});

describe(`fuzz: ${RUNS} generated inputs through the router (seed ${SEED})`, () => {
  it(`${COMMAND_RUNS} commands: a Chinese answer, no error id, no dump, ≤ 4096 per message; a refusal stores nothing`, async () => {
    const { command, user } = arbitraries();
    let refusals = 0;
    // The store changes only through inputs, so the digest after one input is the next one's "before".
    let before = await digest();
    const recent: string[] = [];
    await fc.assert(
      fc.asyncProperty(command, user, async (text, who) => {
        recent.push(`${who.id}:${JSON.stringify(text.slice(0, 120))}`);
        if (recent.length > 6) recent.shift();
        const r = await h.app.router.handle(inbound(who, text), h.app.services);
        checkReply(r, text);
        const after = await digest();
        if (r.tone === 'error') {
          refusals++;
          expect(after === before, `stored change after refusal: ${JSON.stringify(text.slice(0, 300))}: ${changed(before, after)}; recent inputs: ${recent.join(' ⏎ ')}`).toBe(true);
        }
        before = after;
      }),
      { numRuns: COMMAND_RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`fuzz commands: ${COMMAND_RUNS} runs, ${refusals} refusals`);
  }, 600_000 + COMMAND_RUNS * 50);

  it(`${PRESS_RUNS} button presses: a Chinese toast or edit, no error id, no dump; a refusal stores nothing`, async () => {
    const { press } = arbitraries();
    let refusals = 0;
    let before = await digest();
    await fc.assert(
      fc.asyncProperty(press, async (p) => {
        const auditId = await lastAudit();
        const r = await h.app.router.press({ ...inbound(p.user, ''), press: { action: p.action, value: p.value, messageId: '1' } }, h.app.services);
        const input = `${p.action}|${p.value}`;
        checkPress(r, input);
        // A stale button or an audited refusal: nothing may have changed.
        const after = await digest();
        if (r.toast === msg.common.staleButton || (await deniedSince(auditId))) {
          refusals++;
          expect(after === before, `stored change after refused press: ${JSON.stringify(input.slice(0, 300))}: ${changed(before, after)}`).toBe(true);
        }
        before = after;
      }),
      { numRuns: PRESS_RUNS, seed: SEED + 1, endOnFailure: true },
    );
    console.log(`fuzz presses: ${PRESS_RUNS} runs, ${refusals} refusals`);
  }, 600_000 + PRESS_RUNS * 50);
});
