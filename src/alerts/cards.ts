/**
 * The replies alerts are made of: the card each group receives (first send, escalation, 续报,
 * end), the condolence notice, the trigger's preview and the status view with its timeline. All
 * wording comes from the catalogue; a drill is marked 【演练】 in the title and footer of every one.
 */
import { msg } from '../i18n/index.ts';
import type { Button, Reply, ReplyBlock } from '../messages.ts';
import { wallTime } from '../time.ts';
import { type Level, levelLabel } from './levels.ts';
import type { Recipient } from './routing.ts';
import type { AlertData, AlertState, Mark, TimelineEvent } from './store.ts';

const t = msg.alerts;

/** 11-22 14:03 in the configured zone. */
function shortTime(at: number, zone: string): string {
  const w = wallTime(at, zone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}

function who(m: { by: string; name?: string | undefined }): string {
  return m.name ? `${m.name}（${m.by}）` : m.by;
}

function drillTitle(a: AlertData, title: string): string {
  return a.drill ? `${t.drillMark}${title}` : title;
}

function ackButtons(id: string): Button[][] {
  return [
    [
      { label: t.ackButton, action: 'alert.ack', value: id },
      { label: t.ownButton, action: 'alert.own', value: id },
    ],
  ];
}

function facts(a: AlertData, zone: string): ReplyBlock {
  return {
    text: t.facts({
      id: a.id,
      level: levelLabel(a.level),
      region: a.regionName,
      type: a.type,
      by: who({ by: a.triggeredBy.key, name: a.triggeredBy.name ?? a.sourceName }),
      at: shortTime(a.createdAt, zone),
    }),
  };
}

function roleLine(r: Recipient, regionName: (id: string) => string, tierName: (id: string) => string): string {
  if (r.role === 'stricken') return t.asStricken;
  if (r.role === 'partner') return t.asPartner(regionName(r.region ?? ''));
  return t.asTier(tierName(r.tier));
}

export interface CardContext {
  zone: string;
  regionName: (id: string) => string;
  tierName: (id: string) => string;
  /** Level timeout, and the tier the next escalation reaches (for the hint). */
  timeoutMs: number;
  nextTier?: string;
}

/** The alert as one group receives it; `step` > 0 marks an escalation. */
export function alertCard(a: AlertData, r: Recipient, step: number, ctx: CardContext): Reply {
  if (r.role === 'condolence') return condolenceCard(a, ctx);
  const title = (step > 0 ? t.escalatedTitle(step) : '') + t.title(levelLabel(a.level), a.regionName, a.type);
  const blocks: ReplyBlock[] = [{ text: a.text }, facts(a, ctx.zone), { text: roleLine(r, ctx.regionName, ctx.tierName) }];
  if (step > 0) blocks.unshift({ text: t.escalatedText(t.minutes(ctx.timeoutMs)) });
  return {
    title: drillTitle(a, title),
    blocks,
    buttons: ackButtons(a.id),
    footer: a.drill ? t.drillFooter : t.ackHint(t.minutes(ctx.timeoutMs), ctx.nextTier),
    tone: 'notice',
  };
}

/** What the home region's partners receive when the home region itself is struck. */
export function condolenceCard(a: AlertData, ctx: CardContext): Reply {
  const reply: Reply = {
    title: drillTitle(a, t.condolenceTitle(a.regionName, a.type)),
    blocks: [{ text: t.condolenceText(a.regionName, a.type, levelLabel(a.level)) }, { text: a.text }, facts(a, ctx.zone)],
    tone: 'notice',
  };
  if (a.drill) reply.footer = t.drillFooter;
  return reply;
}

/**
 * What every notified group receives when a graver trigger raises the open alert: the card at
 * the new level with the trigger's text, marked 【级别提升】; condolence groups get the notice.
 */
export function raisedCard(a: AlertData, r: Recipient, from: Level, text: string, ctx: CardContext): Reply {
  const card = alertCard({ ...a, text }, r, 0, ctx);
  const plain = r.role === 'condolence' ? t.condolenceTitle(a.regionName, a.type) : t.title(levelLabel(a.level), a.regionName, a.type);
  const notice = (r.role === 'condolence' ? t.raisedCondolence : t.raisedNotice)(levelLabel(from), levelLabel(a.level));
  return { ...card, title: drillTitle(a, t.raisedMark + plain), blocks: [{ text: notice }, ...card.blocks] };
}

/** The trigger's answer when its graver level raised the open alert. */
export function raisedReply(a: AlertData, from: Level, sizes: Record<string, number | undefined>, ctx: CardContext, missing: string[]): Reply {
  const sent = sentReply(a, sizes, ctx, missing);
  return {
    ...sent,
    title: drillTitle(a, t.raisedTitle(a.id, levelLabel(a.level))),
    blocks: [{ text: t.raisedText(levelLabel(from), levelLabel(a.level)) }, ...sent.blocks],
  };
}

export function updateCard(a: AlertData, n: number, text: string, by: string, zone: string, at: number): Reply {
  const reply: Reply = {
    title: drillTitle(a, t.updateTitle(n) + t.title(levelLabel(a.level), a.regionName, a.type)),
    blocks: [{ text }, { text: `${a.id}　${by}　${shortTime(at, zone)}` }],
    buttons: ackButtons(a.id),
    tone: 'notice',
  };
  if (a.drill) reply.footer = t.drillFooter;
  return reply;
}

export function resolvedCard(a: AlertData, summary: string, by: string, zone: string, at: number): Reply {
  const reply: Reply = {
    title: drillTitle(a, t.resolvedTitle + t.title(levelLabel(a.level), a.regionName, a.type)),
    blocks: [{ text: summary }, { text: `${a.id}　${by}　${shortTime(at, zone)}` }],
    tone: 'notice',
  };
  if (a.drill) reply.footer = t.drillFooter;
  return reply;
}

function recipientRole(r: Recipient, regionName: (id: string) => string, tierName: (id: string) => string): string {
  if (r.role === 'stricken') return t.roleStricken;
  if (r.role === 'partner') return t.rolePartner(regionName(r.region ?? ''));
  if (r.role === 'condolence') return t.roleCondolence(regionName(r.region ?? ''));
  return tierName(r.tier);
}

/** Who hears the alert now and at each escalation step, with each group's size (undefined: missing). */
function recipientBlocks(
  a: AlertData,
  sizes: Record<string, number | undefined>,
  ctx: CardContext,
): ReplyBlock[] {
  const line = (r: Recipient) => t.groupLine(r.group, recipientRole(r, ctx.regionName, ctx.tierName), sizes[r.group]);
  const blocks: ReplyBlock[] = [{ heading: t.initialHeading, text: a.plan.initial.map(line).join('\n') }];
  a.plan.escalation.forEach((s, i) => {
    blocks.push({
      heading: t.escalationHeading(i + 1, t.minutes(ctx.timeoutMs * (i + 1)), s.name),
      text: s.recipients.map(line).join('\n'),
    });
  });
  return blocks;
}

export function previewReply(a: AlertData, sizes: Record<string, number | undefined>, ctx: CardContext): Reply {
  return {
    title: drillTitle(a, t.previewTitle(a.id)),
    blocks: [{ text: t.previewText }, facts(a, ctx.zone), { text: a.text }, ...recipientBlocks(a, sizes, ctx)],
    buttons: [
      [
        { label: t.confirmButton, action: 'alert.confirm', value: a.id },
        { label: t.cancelButton, action: 'alert.cancel', value: a.id },
      ],
    ],
    ...(a.drill ? { footer: t.drillFooter } : {}),
    tone: 'notice',
  };
}

export function sentReply(a: AlertData, sizes: Record<string, number | undefined>, ctx: CardContext, missing: string[]): Reply {
  const blocks = [facts(a, ctx.zone), ...recipientBlocks(a, sizes, ctx)];
  if (missing.length) blocks.push({ text: t.missingGroups(missing) });
  return {
    title: drillTitle(a, t.sentTitle(a.id)),
    blocks,
    ...(a.drill ? { footer: t.drillFooter } : {}),
    tone: 'notice',
  };
}

function markText(m: Mark | undefined, zone: string): string | undefined {
  return m ? `${who(m)} ${shortTime(m.at, zone)}` : undefined;
}

function eventLine(e: TimelineEvent, zone: string): string {
  const parts = [shortTime(e.at, zone), t.events[e.kind] ?? e.kind];
  if (e.tier) parts.push(e.tier);
  if (e.group) parts.push(e.group);
  if (e.dest) parts.push(e.dest);
  if (e.by) parts.push(`（${who({ by: e.by, name: e.name })}）`);
  if (e.text) parts.push(`：${e.text}`);
  return parts.join(' ');
}

/** At most this many timeline lines in chat (the API returns all). */
const TIMELINE_LINES = 40;

/** The status view: state, each notified group's acknowledgement and owner, the timeline. */
export function statusReply(a: AlertState, timeline: TimelineEvent[], zone: string): Reply {
  const groups = a.notified.filter((r) => r.role !== 'condolence').map((r) => r.group);
  const extra = Object.keys(a.acks).filter((g) => !groups.includes(g));
  const all = [...groups, ...extra];
  const acked = all.filter((g) => a.acks[g]).length;
  const blocks: ReplyBlock[] = [
    { text: t.statusLine(t.statusNames[a.status] ?? a.status, acked, groups.length) },
    facts(a, zone),
    { text: a.text },
  ];
  if (all.length)
    blocks.push({
      heading: t.ackHeading,
      text: all.map((g) => t.ackLine(g, markText(a.acks[g], zone), markText(a.owners[g], zone))).join('\n'),
    });
  if (a.summary) blocks.push({ heading: t.resolvedTitle, text: a.summary });
  const lines = timeline.map((e) => eventLine(e, zone));
  const shown = lines.length > TIMELINE_LINES ? ['…', ...lines.slice(-TIMELINE_LINES)] : lines;
  blocks.push({ heading: t.timelineHeading, text: shown.join('\n') });
  const reply: Reply = { title: drillTitle(a, t.statusTitle(a.id)), blocks, tone: 'answer' };
  if (a.status === 'open') reply.buttons = ackButtons(a.id);
  if (a.drill) reply.footer = t.drillFooter;
  return reply;
}

/**
 * The alert card as it stands now, for editing every recipient's copy when a group presses 收到
 * or 我来负责: the original text and facts plus each notified group's acknowledgement and owner.
 */
export function liveCard(a: AlertState, zone: string): Reply {
  const groups = a.notified.filter((r) => r.role !== 'condolence').map((r) => r.group);
  const all = [...groups, ...Object.keys(a.acks).filter((g) => !groups.includes(g))];
  const acked = all.filter((g) => a.acks[g]).length;
  const closed = a.status === 'resolved' || a.status === 'cancelled';
  const reply: Reply = {
    title: drillTitle(a, t.title(levelLabel(a.level), a.regionName, a.type)),
    blocks: [
      // A closed alert's copies say so first, and lose their buttons (below).
      ...(closed ? [{ text: t.endedBanner(t.statusNames[a.status] ?? a.status) }] : []),
      { text: a.text },
      facts(a, zone),
      { text: t.statusLine(t.statusNames[a.status] ?? a.status, acked, groups.length) },
      {
        heading: t.ackHeading,
        text: all.map((g) => t.ackLine(g, markText(a.acks[g], zone), markText(a.owners[g], zone))).join('\n'),
      },
    ],
    tone: 'notice',
  };
  if (a.status === 'open') reply.buttons = ackButtons(a.id);
  if (a.drill) reply.footer = t.drillFooter;
  return reply;
}
