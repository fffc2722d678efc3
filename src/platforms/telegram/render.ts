/**
 * Reply → Telegram HTML messages. Telegram parses only a few tags and needs `&`, `<`, `>`
 * escaped everywhere else; a message holds at most 4096 characters, so long replies are split
 * between blocks (a clause never shares its first half with another message unless it alone is
 * longer than a message), and buttons ride on the last part.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { msg } from '../../i18n/index.ts';
import type { Reply } from '../../messages.ts';
import { splitText } from '../../render/split.ts';
import { type CallbackStore, encodeCallback } from './callbacks.ts';

const TELEGRAM_MESSAGE_LIMIT = 4096;
const SEPARATOR = '\n\n';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface TelegramRendered {
  /** HTML message texts, each within the limit; send in order. */
  parts: string[];
  keyboard?: InlineKeyboardMarkup;
}

/** One block (heading, text, citation) as HTML units, each within the limit. */
function blockUnits(heading: string | undefined, text: string, citation: string | undefined, limit: number): string[] {
  const head = heading ? `<b>${escapeHtml(heading)}</b>\n` : '';
  const cite = citation ? `\n<i>——${escapeHtml(citation)}</i>` : '';
  const whole = head + escapeHtml(text) + cite;
  if (whole.length <= limit) return [whole];
  const pieces = splitText(text, Math.max(limit - head.length - cite.length, 100));
  return pieces.map((p, i) => (i === 0 ? head : '') + escapeHtml(p) + (i === pieces.length - 1 ? cite : ''));
}

/** The message parts of a reply, without its keyboard. */
export function renderTelegramParts(reply: Reply, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  const units: string[] = [];
  const mark = reply.tone === 'error' ? '⚠️ ' : reply.tone === 'internal' ? '❗ ' : '';
  if (reply.title) units.push(...blockUnits(undefined, `${mark}${reply.title}`, undefined, limit - 7).map((u) => `<b>${u}</b>`));
  reply.blocks.forEach((b, i) => {
    const prefix = !reply.title && i === 0 ? mark : '';
    units.push(...blockUnits(b.heading, prefix + b.text, b.citation, limit));
  });
  if (reply.file) units.push(`<i>${escapeHtml(msg.platforms.attachment(reply.file.name))}</i>`);
  if (reply.footer) units.push(...blockUnits(undefined, reply.footer, undefined, limit - 7).map((u) => `<i>${u}</i>`));

  const parts: string[] = [];
  let cur = '';
  for (const u of units) {
    if (!u) continue;
    if (cur && cur.length + SEPARATOR.length + u.length > limit) {
      parts.push(cur);
      cur = u;
    } else cur = cur ? cur + SEPARATOR + u : u;
  }
  if (cur || parts.length === 0) parts.push(cur || escapeHtml(' '));
  return parts;
}

export async function renderKeyboard(reply: Reply, store: CallbackStore): Promise<InlineKeyboardMarkup | undefined> {
  const rows = (reply.buttons ?? []).filter((r) => r.length);
  if (!rows.length) return undefined;
  const inline_keyboard: InlineKeyboardButton[][] = [];
  for (const row of rows) {
    const out: InlineKeyboardButton[] = [];
    for (const b of row) out.push({ text: b.label, callback_data: await encodeCallback(store, b.action, b.value) });
    inline_keyboard.push(out);
  }
  return { inline_keyboard };
}

export async function renderTelegram(reply: Reply, store: CallbackStore): Promise<TelegramRendered> {
  const parts = renderTelegramParts(reply);
  const keyboard = await renderKeyboard(reply, store);
  return keyboard ? { parts, keyboard } : { parts };
}

/**
 * A reply squeezed into one message, for edits (a progress message cannot grow into two):
 * the first part, cut with a marker when the reply is longer.
 */
export function renderTelegramSingle(reply: Reply): string {
  const marker = `\n<i>${escapeHtml(msg.platforms.truncated)}</i>`;
  const parts = renderTelegramParts(reply, TELEGRAM_MESSAGE_LIMIT - marker.length);
  return parts.length === 1 ? parts[0]! : parts[0]! + marker;
}
