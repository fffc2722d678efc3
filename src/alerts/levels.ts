/**
 * Response grades of the emergency-aid plan (受灾援助应急响应, 分级处理): I is the gravest.
 * People type them in many forms — 2, II, Ⅱ, 二级, Ⅱ级, 重大 — so parsing accepts all of them and
 * everything past the boundary speaks the canonical Roman form.
 */
import { msg } from '../i18n/index.ts';

export const LEVELS = ['I', 'II', 'III', 'IV'] as const;
export type Level = (typeof LEVELS)[number];

/** The official grade names, used in every message users read. */
export const LEVEL_NAMES: Record<Level, string> = msg.alerts.levelNames;

const FORMS: Record<string, Level> = {};
const add = (level: Level, ...forms: string[]) => {
  for (const f of forms) FORMS[f.toLowerCase()] = level;
};
add('I', '1', 'i', 'Ⅰ', '一', '特别重大', '特大', 'ⅰ');
add('II', '2', 'ii', 'Ⅱ', '二', '重大', 'ⅱ');
add('III', '3', 'iii', 'Ⅲ', '三', '较大', 'ⅲ');
add('IV', '4', 'iv', 'Ⅳ', '四', '一般', 'ⅳ');

/**
 * The level a word names, or undefined. Accepts 1–4, I–IV (ASCII or the Roman-numeral code
 * points Ⅰ–Ⅳ, any case, full-width digits too), 一级…四级, Ⅱ级, 级别二, 特别重大…一般 (with or
 * without a trailing 级 / 响应 / 事件).
 */
export function parseLevel(word: string): Level | undefined {
  let w = word.normalize('NFKC').trim().toLowerCase();
  w = w.replace(/^(级别|等级|level)[:：]?/, '').replace(/(级响应|级|响应|事件|灾害)$/, '');
  return FORMS[w];
}

/** Whether a level's alerts go to the leadership tiers at once (I–II). */
export function isGrave(level: Level): boolean {
  return level === 'I' || level === 'II';
}

export function levelLabel(level: Level): string {
  return msg.alerts.levelLabel(level, LEVEL_NAMES[level]);
}
