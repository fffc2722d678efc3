/**
 * `/alert`: trigger an emergency-aid alert (or a drill), add a 续报, end it, show its status.
 * Buttons on every alert card: 收到 (alert.ack) and 我来负责 (alert.own), recorded for the group
 * the pressing chat belongs to; confirm/cancel on the III–IV preview.
 */
import { z } from 'zod';
import type { ActionResult, CommandContext } from '../src/command.ts';
import { defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { liveCard } from '../src/alerts/cards.ts';
import { type Level, parseLevel } from '../src/alerts/levels.ts';
import { AlertService } from '../src/alerts/service.ts';
import type { Actor } from '../src/alerts/store.ts';
import { type Reply, userKey } from '../src/messages.ts';

const t = msg.alerts;

export type AlertArgs =
  | { sub: 'trigger'; drill: boolean; forceNew: boolean; region: string; type: string; level: Level; text: string }
  | { sub: 'update'; id: string; text: string }
  | { sub: 'resolve'; id: string; text: string }
  | { sub: 'status'; id?: string };

const SUBS: Record<string, 'drill' | 'update' | 'resolve' | 'status'> = {
  drill: 'drill',
  演练: 'drill',
  update: 'update',
  续报: 'update',
  更新: 'update',
  resolve: 'resolve',
  结束: 'resolve',
  status: 'status',
  状态: 'status',
  list: 'status',
};

/**
 * `<region> <type> <level> <text…>`; the level may also come second (`文山 II 地震 …`), since
 * people read it out in either order. `rawAfter` is aligned with `words` (ParsedArgs.rawAfter):
 * the text is taken from it, exactly as typed, never rebuilt from words.
 */
export function parseTrigger(words: string[], rawAfter: string[]): { region: string; type: string; level: Level; text: string } | string {
  const [region, w1, w2] = words;
  if (!region) return t.regionMissing;
  let type: string | undefined;
  let level: Level | undefined;
  if (w2 !== undefined && parseLevel(w2)) {
    type = w1;
    level = parseLevel(w2);
  } else if (w1 !== undefined && parseLevel(w1)) {
    level = parseLevel(w1);
    type = w2;
  } else return t.levelMissing;
  if (!type) return t.typeMissing;
  const text = rawAfter[3] ?? '';
  if (!text) return t.textMissing;
  return { region, type, level: level!, text };
}

const args = z
  .object({
    text: z.string(),
    words: z.array(z.string()),
    flags: z.record(z.string(), z.union([z.string(), z.literal(true)])),
    rawAfter: z.array(z.string()),
  })
  .transform((a, ctx): AlertArgs => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    const [first = '', ...rest] = a.words;
    const sub = SUBS[first.toLowerCase()];
    if (sub === 'status') return rest[0] ? { sub, id: rest[0] } : { sub };
    if (sub === 'update' || sub === 'resolve') {
      const id = rest[0];
      const text = a.rawAfter[2] ?? '';
      if (!id) return fail(t.idMissing);
      if (!text) return fail(sub === 'update' ? t.updateTextMissing : t.summaryMissing);
      return { sub, id, text };
    }
    if (!a.words.length) return { sub: 'status' };
    const drill = sub === 'drill' || a.flags.drill === true;
    const p = sub === 'drill' ? parseTrigger(rest, a.rawAfter.slice(1)) : parseTrigger(a.words, a.rawAfter);
    if (typeof p === 'string') return fail(p);
    return { sub: 'trigger', drill, forceNew: a.flags.new === true, ...p };
  });

export function actorOf(ctx: CommandContext): Actor {
  const u = ctx.inbound.user;
  return u.name ? { key: userKey(u), name: u.name } : { key: userKey(u) };
}

function alerts(ctx: CommandContext): AlertService {
  return ctx.services.alerts;
}

async function audit(ctx: CommandContext, action: string, detail: string): Promise<void> {
  await ctx.services.audit.record({ user: ctx.inbound.user, chat: ctx.inbound.chat, action, detail });
}

/** 收到 or 我来负责 from a chat: record it for the chat's group and refresh every copy of the card. */
export async function pressAck(ctx: CommandContext, value: string, kind: 'ack' | 'own'): Promise<ActionResult> {
  const id = AlertService.id(value);
  const service = alerts(ctx);
  const direct = await ctx.services.access.hasRole(ctx.inbound.user, 'emergency');
  const group = await service.groupFor(id, ctx.inbound.chat, direct);
  const by = actorOf(ctx);
  let toast: string;
  let alert;
  if (kind === 'own') {
    alert = await service.own(id, group, by);
    toast = t.ownToast(group);
  } else {
    const r = await service.acknowledge(id, group, by);
    alert = r.alert;
    toast = r.first ? t.ackToast(group) : t.ackAgain(group);
  }
  await audit(ctx, `alert.${kind}`, `${id} ${group}`);
  // The pressing chat acts for its group (groupFor refuses condolence chats), so its copy is the live card.
  const card = liveCard(alert, ctx.services.config.TIMEZONE);
  service.refreshCards(alert, ctx.inbound.press?.messageId ? { chat: ctx.inbound.chat, messageId: ctx.inbound.press.messageId } : undefined);
  return { toast, edit: card };
}

export const alert = defineCommand<AlertArgs>({
  name: 'alert',
  aliases: ['警报', '应急'],
  role: 'emergency',
  summary: t.summary,
  usage: t.usage,
  booleans: ['new', 'drill'],
  args,
  async run(ctx, a): Promise<Reply> {
    const service = alerts(ctx);
    const by = actorOf(ctx);
    if (a.sub === 'status') {
      if (!a.id) return service.overview();
      return (await service.status(AlertService.id(a.id))).reply;
    }
    if (a.sub === 'update') {
      const id = AlertService.id(a.id);
      const reply = await service.update(id, a.text, by);
      await audit(ctx, 'alert.update', id);
      return reply;
    }
    if (a.sub === 'resolve') {
      const id = AlertService.id(a.id);
      const reply = await service.resolve(id, a.text, by);
      await audit(ctx, 'alert.resolve', id);
      return reply;
    }
    const r = await service.trigger({
      region: a.region,
      type: a.type,
      level: a.level,
      text: a.text,
      drill: a.drill,
      forceNew: a.forceNew,
      by,
      source: 'chat',
    });
    await audit(ctx, a.drill ? 'alert.drill' : 'alert.trigger', `${r.alert.id} ${r.kind} ${a.region} ${a.type} ${a.level}`);
    return r.reply;
  },
  actions: {
    ack: (ctx, value) => pressAck(ctx, value, 'ack'),
    own: (ctx, value) => pressAck(ctx, value, 'own'),
    async confirm(ctx, value) {
      if (!(await ctx.services.access.hasRole(ctx.inbound.user, 'emergency')))
        throw new UserError(msg.common.refused(msg.common.roleNames.emergency ?? 'emergency'));
      const id = AlertService.id(value);
      const r = await alerts(ctx).confirm(id, actorOf(ctx));
      await audit(ctx, 'alert.confirm', id);
      return { toast: t.confirmedToast, edit: r.reply };
    },
    async cancel(ctx, value) {
      if (!(await ctx.services.access.hasRole(ctx.inbound.user, 'emergency')))
        throw new UserError(msg.common.refused(msg.common.roleNames.emergency ?? 'emergency'));
      const id = AlertService.id(value);
      const reply = await alerts(ctx).cancel(id, actorOf(ctx));
      await audit(ctx, 'alert.cancel', id);
      return { toast: reply.blocks[0]?.text ?? '', edit: reply };
    },
  },
});
