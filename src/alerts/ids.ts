/**
 * Readable alert ids: A-20261122-03 (the third real alert of that day), Y-20261122-01 for drills
 * (演习), so a drill can never be mistaken for a real alert when an id is read out on the phone,
 * nor for an office deadline (D3). Drill ids issued before took D-; they are still read. The day
 * is the configured zone's day, the counter a per-day Redis INCR.
 */
import type { RedisClient } from '../store/redis.ts';

/** YYYYMMDD of an instant in a time zone. */
export function dayStamp(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}

/** Prefix of drill ids; `D` was used before office deadlines took D1, D2 (still read, see normaliseAlertId). */
const DRILL_PREFIX = 'Y';

export function formatAlertId(drill: boolean, day: string, n: number, prefix = drill ? DRILL_PREFIX : 'A'): string {
  return `${prefix}-${day}-${String(n).padStart(2, '0')}`;
}

/** Accepts ids as people type them: a-20261122-3, Ａ－２０２６１１２２－０３. */
export function normaliseAlertId(text: string): string | undefined {
  const m = /^([ADY])-?(\d{8})-?(\d{1,4})$/i.exec(text.normalize('NFKC').trim().replace(/[－—–]/g, '-'));
  if (!m) return undefined;
  const p = m[1]!.toUpperCase();
  // The prefix as typed (A, Y, or the legacy drill D) is kept.
  return formatAlertId(p !== 'A', m[2]!, Number(m[3]), p);
}

/** Take the next id of the day; the counter key lives three days, long past its day. */
export async function nextAlertId(
  redis: RedisClient,
  counterKey: (day: string, drill: boolean) => string,
  at: number,
  timeZone: string,
  drill: boolean,
): Promise<string> {
  const day = dayStamp(at, timeZone);
  const key = counterKey(day, drill);
  const n = await redis.incr(key);
  if (n === 1) await redis.expire(key, 3 * 86_400);
  return formatAlertId(drill, day, n);
}
