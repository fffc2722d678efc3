/**
 * `/alert`: trigger an emergency-aid alert (or a drill), add a 续报, end it, show its status.
 * Buttons on every alert card: 收到 (alert.ack) and 我来负责 (alert.own), recorded for the group
 * the pressing chat belongs to; confirm/cancel on the III–IV preview.
 */
import type { ParsedArgs } from '../src/args.ts';
import { type Action, type ActionResult, type CommandContext, type Subcommand, audit, defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { liveCard } from '../src/alerts/cards.ts';
import { type Level, parseLevel } from '../src/alerts/levels.ts';
import { AlertService } from '../src/alerts/service.ts';
import type { Actor, AlertState } from '../src/alerts/store.ts';
import { type Reply, userKey } from '../src/messages.ts';
import { ackTimelinePicture } from '../src/pictures/ack-timeline.ts';
import { attachPicture } from '../src/pictures/pictures.ts';

const t = msg.alerts;

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

export function actorOf(ctx: CommandContext): Actor {
  const u = ctx.inbound.user;
  return u.name ? { key: userKey(u), name: u.name } : { key: userKey(u) };
}

function alerts(ctx: CommandContext): AlertService {
  return ctx.services.alerts;
}

/** 收到 or 我来负责 from a chat: record it for the chat's group and refresh every copy of the card. */
export async function pressAck(ctx: CommandContext, value: string, kind: 'ack' | 'own'): Promise<ActionResult> {
  const id = AlertService.id(value);
  const service = alerts(ctx);
  const direct = await ctx.services.access.hasRole(ctx.inbound.user, 'emergency');
  const group = await service.groupFor(id, ctx.inbound.chat, direct);
  const by = actorOf(ctx);
  let toast: string;
  let alert: AlertState;
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

/** `<region> <type> <level> <text…>` as a trigger (or drill); refused with its usage when incomplete. */
function triggerOf(a: ParsedArgs, usage: string): { region: string; type: string; level: Level; text: string } {
  const p = parseTrigger(a.words, a.rawAfter);
  if (typeof p === 'string') throw new UserError(p, usage);
  return p;
}

async function trigger(ctx: CommandContext, a: ParsedArgs, drill: boolean, usage: string): Promise<Reply> {
  const p = triggerOf(a, usage);
  const r = await alerts(ctx).trigger({ ...p, drill, forceNew: a.flags.new === true, by: actorOf(ctx), source: 'chat' });
  await audit(ctx, drill ? 'alert.drill' : 'alert.trigger', `${r.alert.id} ${r.kind} ${p.region} ${p.type} ${p.level}`);
  return r.reply;
}

/** `update|resolve ID 文本`: the id, and the text after it exactly as typed. */
function idAndText(a: ParsedArgs, missingText: string, usage: string): { id: string; text: string } {
  const id = a.words[0];
  if (!id) throw new UserError(t.idMissing, usage);
  const text = a.rawAfter[1] ?? '';
  if (!text) throw new UserError(missingText, usage);
  return { id: AlertService.id(id), text };
}

/** `update|resolve ID 文本`: a follow-up to the alert's groups, audited under `alert.<kind>`. */
function followUp(names: string[], kind: 'update' | 'resolve', missingText: string): Subcommand {
  return {
    names,
    usage: t.usage,
    async run(ctx, a) {
      const { id, text } = idAndText(a, missingText, t.usage);
      const reply = await alerts(ctx)[kind](id, text, actorOf(ctx));
      await audit(ctx, `alert.${kind}`, id);
      return reply;
    },
  };
}

/** 确认发送 / 取消 on a pending alert's card: decide it, audit `alert.<kind>`, edit the card in place. */
function pendingDecision(kind: 'confirm' | 'cancel'): Action {
  return {
    role: 'emergency',
    async run(ctx, value) {
      const id = AlertService.id(value);
      const by = actorOf(ctx);
      const reply = kind === 'confirm' ? (await alerts(ctx).confirm(id, by)).reply : await alerts(ctx).cancel(id, by);
      await audit(ctx, `alert.${kind}`, id);
      // Cancelling has no toast of its own: the card's one line (已取消 …) says it.
      return { toast: kind === 'confirm' ? t.confirmedToast : (reply.blocks[0]?.text ?? ''), edit: reply };
    },
  };
}

export const alert = defineCommand({
  name: 'alert',
  aliases: ['警报', '应急'],
  role: 'emergency',
  summary: t.summary,
  usage: t.usage,
  subcommands: [
    {
      names: ['status', '状态', 'list'],
      usage: t.usage,
      async run(ctx, a) {
        const id = a.words[0];
        if (!id) return alerts(ctx).overview();
        const s = await alerts(ctx).status(AlertService.id(id));
        // The acknowledgement timeline as a picture beside the text timeline.
        return attachPicture(ctx.services.pictures, s.reply, () => ackTimelinePicture(s.alert, s.timeline, ctx.services.config.TIMEZONE));
      },
    },
    followUp(['update', '续报', '更新'], 'update', t.updateTextMissing),
    followUp(['resolve', '结束'], 'resolve', t.summaryMissing),
    { names: ['drill', '演练'], usage: t.usage, flags: { booleans: ['new'] }, run: (ctx, a) => trigger(ctx, a, true, t.usage) },
  ],
  defaultSubcommand: 'status',
  flags: { booleans: ['new', 'drill'] },
  run: (ctx, a) => trigger(ctx, a, a.flags.drill === true, t.usage),
  actions: {
    ack: { role: null, run: (ctx, value) => pressAck(ctx, value, 'ack') },
    own: { role: null, run: (ctx, value) => pressAck(ctx, value, 'own') },
    confirm: pendingDecision('confirm'),
    cancel: pendingDecision('cancel'),
  },
});
