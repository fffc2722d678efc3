/**
 * An instant as people are told it: in the zone they gave, and always in 北京时间 beside it when
 * that zone is not Beijing's — "2026-12-01 09:00 Europe/Berlin（北京时间 16:00）" leaves no one
 * guessing which zone a bare time is in.
 */
import { msg } from '../i18n/index.ts';
import { type WallTime, wallTime } from '../time.ts';

const BEIJING_ZONE = 'Asia/Shanghai';
const BEIJING_NAMES = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Harbin', 'PRC', '+08:00', '+0800', 'UTC+8', 'UTC+08:00']);

/** Whether a zone is Beijing's own (by name: a zone that merely shares +8 today, like Asia/Singapore, is not). */
export function isBeijingZone(zone: string): boolean {
  return BEIJING_NAMES.has(zone);
}

const pad = (n: number) => String(n).padStart(2, '0');
/** 2026-12-01 09:00 */
const isoMinute = (w: WallTime) => `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;

/**
 * `format` of the instant in `zone` with the zone's name, then 北京时间 in brackets when the
 * zone is another (only the time when the day is the same there, the date and time otherwise).
 */
export function zonedWithBeijing(at: number, zone: string, format: (w: WallTime) => string = isoMinute): string {
  const local = wallTime(at, zone);
  if (isBeijingZone(zone)) return `${format(local)} ${msg.common.beijingTime}`;
  const bj = wallTime(at, BEIJING_ZONE);
  const sameDay = bj.year === local.year && bj.month === local.month && bj.day === local.day;
  return `${format(local)} ${zone}${msg.common.beijingAside(sameDay ? `${pad(bj.hour)}:${pad(bj.minute)}` : format(bj))}`;
}
