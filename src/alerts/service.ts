/**
 * The alert flow: trigger (preview for III–IV, at once for I–II, or joining an open alert of the
 * same region and type — raising its level when the new trigger is graver), confirm,
 * acknowledge / take ownership per group, escalate while nobody acknowledges, 续报, end. Chat commands and the HTTP API both call this; it owns no platform
 * code and reaches chats only through the Outbox, with alert priority.
 */
import type { Clock } from '../clock.ts';
import type { DeliveryListener, DeliveryOutcome, Outbox, OutgoingMessage } from '../delivery/outbox.ts';
import { Refusal, UserError } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import type { Logger } from '../log.ts';
import { type Destination, type Platform, type Reply, destinationKey, parseDestination } from '../messages.ts';
import { reachable } from '../groups/destinations.ts';
import {
  type CardContext,
  alertCard,
  condolenceCard,
  liveCard,
  previewReply,
  raisedCard,
  raisedReply,
  resolvedCard,
  sentReply,
  statusReply,
  updateCard,
} from './cards.ts';
import { normaliseAlertId } from './ids.ts';
import { LEVELS, LEVEL_NAMES, type Level, isGrave } from './levels.ts';
import { type AlertRouting, type Recipient, raisedPlan, roleOfGroup } from './routing.ts';
import type { Actor, AlertData, AlertState, AlertStore, TimelineEvent } from './store.ts';
import { metrics, secondsSince } from '../metrics/metrics.ts';

/** One line per state change in the metrics; the first acknowledgement also records how long it took. */
function countAlert(a: AlertData, state: 'sent' | 'acknowledged' | 'escalated' | 'raised' | 'resolved' | 'cancelled', ackSeconds?: number): void {
  const labels = { level: a.level, drill: String(a.drill) };
  metrics.alerts.inc({ ...labels, state });
  if (state === 'escalated') metrics.escalations.inc(labels);
  if (ackSeconds !== undefined) metrics.firstAck.observe(labels, ackSeconds);
}

const t = msg.alerts;

/** Where a channel group's destinations come from (src/groups.ts). */
export interface GroupDirectory {
  get(name: string): Promise<{ destinations: Destination[] } | undefined>;
  /** Platforms this deployment sends to; absent: every platform (tests with recording outboxes). */
  platforms?(): ReadonlySet<Platform>;
}

/** Delayed escalation jobs: one per alert and step, with a stable id (src/alerts/escalation.ts). */
export interface EscalationScheduler {
  schedule(alertId: string, step: number, delayMs: number): Promise<void>;
  /** Remove every pending step of the alert; a job already running re-checks and stands down. */
  cancel(alertId: string, steps: number): Promise<void>;
}

export interface TriggerInput {
  region: string;
  type: string;
  level: Level;
  text: string;
  drill: boolean;
  /** Start a new alert even when one for the same region and type is open. */
  forceNew: boolean;
  by: Actor;
  source: 'chat' | 'api';
  sourceName?: string;
  /** API callers cannot press a confirm button: their alerts are sent at once. */
  skipPreview?: boolean;
}

export type TriggerOutcome =
  | { kind: 'sent'; alert: AlertState; reply: Reply; missing: string[] }
  | { kind: 'preview'; alert: AlertState; reply: Reply }
  | { kind: 'joined'; alert: AlertState; reply: Reply; update: number }
  | { kind: 'raised'; alert: AlertState; reply: Reply; from: Level; missing: string[] };

/** Whether `a` is a graver level than `b` (I is the gravest). */
function graver(a: Level, b: Level): boolean {
  return LEVELS.indexOf(a) < LEVELS.indexOf(b);
}

/** The last step number of the alert's current plan (for cancelling every pending step job). */
function lastStep(a: AlertState): number {
  return a.stepBase + a.plan.escalation.length;
}

/** A region name that resolves to nothing or to several regions; nothing was sent. */
export class RegionLookupError extends UserError {
  constructor(
    message: string,
    readonly candidates: string[],
  ) {
    super(message);
  }
}

export interface AlertServiceOptions {
  store: AlertStore;
  routing: AlertRouting;
  groups: GroupDirectory;
  outbox: Outbox;
  escalations: EscalationScheduler;
  clock: Clock;
  log: Logger;
  timeZone: string;
  timeouts: Record<Level, number>;
  /** Edit a posted message (the platform Senders); without it, only the pressed copy is updated. */
  edit?: (to: Destination, messageId: string, reply: Reply) => Promise<void>;
}

export class AlertService implements DeliveryListener {
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: AlertServiceOptions) {}

  /**
   * Edit every posted copy of the alert card (except the one a press already edits) in the
   * background, so each recipient chat shows who acknowledged. Each copy is rendered for the
   * role its chat's group hears the alert in: condolence chats get the condolence notice again,
   * never a card with 收到 / 我来负责 buttons. Edits that fail are logged: the card is a
   * convenience, the state is in Redis and in /alert status.
   */
  refreshCards(a: AlertState, skip?: { chat: Destination; messageId: string }): void {
    const edit = this.o.edit;
    if (!edit) return;
    const id = a.id;
    const skipKey = skip ? `${destinationKey(skip.chat)}#${skip.messageId}` : undefined;
    const live = liveCard(a, this.o.timeZone);
    const condolence = condolenceCard(a, this.cardContext(a, a.step - a.stepBase));
    const job = (async () => {
      const groups = await this.store.destinations(id);
      for (const [dest, messageId] of Object.entries(await this.store.messages(id))) {
        const to = parseDestination(dest);
        if (!to || `${dest}#${messageId}` === skipKey) continue;
        const group = groups[dest];
        const card = group && roleOfGroup(a.plan, group) === 'condolence' ? condolence : live;
        await edit(to, messageId, card).catch((err: unknown) => this.o.log.warn('alert card edit failed', { alert: id, dest, err }));
      }
    })().catch((err: unknown) => this.o.log.warn('alert card refresh failed', { alert: id, err }));
    this.inflight.add(job);
    void job.finally(() => this.inflight.delete(job));
  }

  /** Resolves when background card edits have finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  private get store() {
    return this.o.store;
  }

  /** Parse a typed id or throw the Chinese answer (the router adds the typed command's usage). */
  static id(text: string | undefined): string {
    if (!text) throw new UserError(t.idMissing);
    const id = normaliseAlertId(text);
    if (!id) throw new UserError(t.badId(text));
    return id;
  }

  async get(id: string): Promise<AlertState> {
    const a = await this.store.get(id);
    if (!a) throw new UserError(t.notFound(id));
    return a;
  }

  /** `step`: escalation steps of the current plan taken so far (not the raw step counter). */
  private cardContext(a: AlertData, step: number): CardContext {
    const ctx: CardContext = {
      zone: this.o.timeZone,
      regionName: (id) => this.o.routing.graph.get(id)?.name ?? id,
      tierName: (id) => this.o.routing.tierName(id),
      timeoutMs: this.o.timeouts[a.level],
    };
    const next = a.plan.escalation[step];
    if (next) ctx.nextTier = next.name;
    return ctx;
  }

  /** The chats of a group a message can actually reach here (console placeholders cannot, on Telegram). */
  private deliverable(destinations: Destination[]): Destination[] {
    return reachable(destinations, this.o.groups.platforms?.());
  }

  /** Each group's count of reachable chats (undefined: no such group). */
  private async groupSizes(groups: string[]): Promise<Record<string, number | undefined>> {
    const out: Record<string, number | undefined> = {};
    for (const g of new Set(groups)) {
      const group = await this.o.groups.get(g);
      out[g] = group ? this.deliverable(group.destinations).length : undefined;
    }
    return out;
  }

  /** Groups of `sizes` nobody will hear the alert in: missing, or without a reachable chat. */
  private static unreachable(sizes: Record<string, number | undefined>): string[] {
    return Object.entries(sizes)
      .filter(([, n]) => !n)
      .map(([g]) => g);
  }

  private allPlannedGroups(a: AlertData): string[] {
    return [...a.plan.initial, ...a.plan.escalation.flatMap((s) => s.recipients)].map((r) => r.group);
  }

  private event(id: string, e: Omit<TimelineEvent, 'at'> & { at?: number }): Promise<void> {
    return this.store.addEvent(id, { at: this.o.clock.now(), ...e });
  }

  /** Resolve the region name or throw a Chinese answer listing candidates. */
  resolveRegion(name: string): { id: string; name: string } {
    const r = this.o.routing.graph.lookup(name);
    if (r.kind === 'one') return { id: r.region.id, name: r.region.name };
    if (r.kind === 'ambiguous')
      throw new RegionLookupError(t.ambiguousRegion(name, r.candidates.map((c) => c.name)), r.candidates.map((c) => c.name));
    throw new RegionLookupError(t.unknownRegion(name, r.suggestions.map((c) => c.name)), r.suggestions.map((c) => c.name));
  }

  async trigger(input: TriggerInput): Promise<TriggerOutcome> {
    const region = this.resolveRegion(input.region);
    const now = this.o.clock.now();
    // Only an open (sent) alert is joined. A pending III–IV preview nobody has confirmed yet has
    // reached no one, so a new trigger starts fresh rather than waiting behind it (a grave or
    // API trigger must never be held up by an unconfirmed preview); the store only points
    // repeats at sent alerts.
    // A bounded retry: a raise refused because another trigger raised the alert first is
    // re-decided against the alert as it now stands.
    for (let attempt = 0; !input.forceNew && attempt < 3; attempt++) {
      const dupId = await this.store.duplicateOf(region.id, input.type, input.drill);
      const dup = dupId ? await this.store.get(dupId) : undefined;
      if (dup?.status !== 'open' || now - dup.createdAt >= this.o.routing.rules.duplicateWindowMs) break;
      if (graver(input.level, dup.level)) {
        // The same incident turned graver: raise it rather than bury the graver trigger in a
        // 续报 that keeps the milder level's recipients and timeout.
        const raised = await this.raise(dup, input);
        if (raised) return raised;
        continue;
      }
      const n = await this.addUpdate(dup, input.text, input.by, 'joined');
      const alert = (await this.store.get(dup.id))!;
      return {
        kind: 'joined',
        alert,
        update: n,
        reply: { title: t.joinedTitle(alert.id), blocks: [{ text: t.joinedText(n) }, { text: input.text }], tone: 'notice' },
      };
    }
    const plan = this.o.routing.plan(region.id, input.level, input.drill);
    if (!plan.initial.length) throw new UserError(t.noRecipients(region.name));
    const id = await this.store.nextId(now, this.o.timeZone, input.drill);
    const data: AlertData = {
      id,
      drill: input.drill,
      region: region.id,
      regionName: region.name,
      type: input.type.trim(),
      level: input.level,
      text: input.text,
      source: input.source,
      triggeredBy: input.by,
      createdAt: now,
      plan,
    };
    if (input.sourceName) data.sourceName = input.sourceName;
    await this.store.create(data, 'pending');
    await this.event(id, { kind: 'created', by: input.by.key, ...(input.by.name ? { name: input.by.name } : {}), text: input.text });
    if (!isGrave(input.level) && !input.skipPreview) {
      const sizes = await this.groupSizes(this.allPlannedGroups(data));
      const alert = (await this.store.get(id))!;
      const reply = previewReply(data, sizes, this.cardContext(data, 0));
      const unreachable = AlertService.unreachable(sizes);
      if (unreachable.length) reply.blocks.splice(1, 0, { text: t.unreachableGroups(unreachable) });
      return { kind: 'preview', alert, reply };
    }
    // Send first: the trigger's own reply can wait, the stricken region cannot.
    const missing = await this.send(id);
    const sizes = await this.groupSizes(this.allPlannedGroups(data));
    const alert = (await this.store.get(id))!;
    return { kind: 'sent', alert, reply: this.sentOrFailed(alert, sizes, missing), missing };
  }

  /**
   * The trigger's reply once sent. A grave (I/II) alert whose first tier reached no real chat at
   * all is a failure and says so in its title, never "已发出"; the coordination tiers were told.
   */
  private sentOrFailed(a: AlertState, sizes: Record<string, number | undefined>, missing: string[]): Reply {
    const reply = sentReply(a, sizes, this.cardContext(a, 0), missing);
    if (!(isGrave(a.level) && a.plan.initial.every((r) => missing.includes(r.group)))) return reply;
    return { ...reply, title: t.reachedNobodyTitle(a.id), blocks: [{ text: t.reachedNobody }, ...reply.blocks], tone: 'error' };
  }

  /** Send a pending alert to its initial tiers and arm the first escalation; returns missing groups. */
  async send(id: string): Promise<string[]> {
    const a = await this.get(id);
    if (!(await this.store.markSent(a, this.o.clock.now()))) {
      throw new UserError(a.status === 'cancelled' ? t.notPending(id) : t.alreadySent(id));
    }
    // The event goes first so the timeline never shows a delivery before the send.
    await this.event(id, { kind: 'sent', text: a.plan.initial.map((r) => r.group).join('、') });
    countAlert(a, 'sent');
    // Escalation is armed before anything is enqueued: if enqueueing fails, the open alert still
    // escalates to the next tier instead of sitting unseen with nobody to acknowledge it.
    if (a.plan.escalation.length) await this.o.escalations.schedule(id, 1, this.o.timeouts[a.level]);
    const missing = await this.deliver(a, a.plan.initial, 's', (r) => alertCard(a, r, 0, this.cardContext(a, 0)));
    if (isGrave(a.level) && a.plan.initial.every((r) => missing.includes(r.group))) await this.reachedNobody(a);
    return missing;
  }

  /**
   * A grave alert that reached no chat of its first tier: the escalation tiers (up to the
   * coordination centre) are told at once, not after the first timeout, and the log says it loudly.
   */
  private async reachedNobody(a: AlertData): Promise<void> {
    this.o.log.error('alert reached no chat', { alert: a.id, level: a.level, region: a.region, groups: a.plan.initial.map((r) => r.group) });
    await this.event(a.id, { kind: 'failed', text: t.reachedNobodyTitle(a.id) });
    const notice: Reply = { blocks: [{ text: t.reachedNobodyNotice(a.id, a.regionName, a.type, LEVEL_NAMES[a.level]) }], tone: 'error' };
    const messages: OutgoingMessage[] = [];
    const seen = new Set<string>();
    for (const r of a.plan.escalation.flatMap((s) => s.recipients)) {
      const g = await this.o.groups.get(r.group);
      for (const to of this.deliverable(g?.destinations ?? [])) {
        const key = destinationKey(to);
        if (seen.has(key)) continue;
        seen.add(key);
        messages.push({ id: `${a.id}:x:${key}`, to, reply: notice, origin: { kind: 'alert', id: a.id } });
      }
    }
    if (messages.length) await this.o.outbox.enqueue(messages, { priority: 'alert' });
  }

  /**
   * Raise an open alert to the graver level of a new trigger: every group the new level names
   * at once is sent the card at that level (groups already notified get it too, marked
   * 【级别提升】, so they see the new level and text), acknowledgements start over, and
   * escalation is re-armed with the new level's steps and timeout. Undefined when the alert
   * changed meanwhile (the caller decides again).
   */
  private async raise(a: AlertState, input: TriggerInput): Promise<TriggerOutcome | undefined> {
    // No preview even when raising to III: the preview guards an alert's first reach, and this
    // incident is already live — waiting for a confirm would keep its old, slower timeout.
    const from = a.level;
    const plan = raisedPlan(a.notified, this.o.routing.plan(a.region, input.level, a.drill));
    if (!(await this.store.raise(a.id, a.stepBase, input.level, plan))) return undefined;
    await this.o.escalations.cancel(a.id, lastStep(a));
    const raised = (await this.store.get(a.id))!;
    countAlert(raised, 'raised');
    await this.event(a.id, {
      kind: 'raised',
      by: input.by.key,
      ...(input.by.name ? { name: input.by.name } : {}),
      tier: `${from}→${input.level}`,
      text: input.text,
    });
    if (plan.escalation.length) await this.o.escalations.schedule(a.id, raised.step + 1, this.o.timeouts[input.level]);
    const ctx = this.cardContext(raised, 0);
    const missing = await this.deliver(raised, plan.initial, `l${raised.step}`, (r) => raisedCard(raised, r, from, input.text, ctx));
    const sizes = await this.groupSizes(this.allPlannedGroups(raised));
    return { kind: 'raised', alert: raised, from, missing, reply: raisedReply(raised, from, sizes, ctx, missing) };
  }

  async confirm(id: string, by: Actor): Promise<{ alert: AlertState; reply: Reply }> {
    const a = await this.get(id);
    if (a.status !== 'pending') throw new UserError(a.status === 'cancelled' ? t.notPending(id) : t.alreadySent(id));
    const missing = await this.send(id);
    this.o.log.info('alert confirmed', { alert: id, by: by.key });
    const sizes = await this.groupSizes(this.allPlannedGroups(a));
    const alert = (await this.store.get(id))!;
    return { alert, reply: sentReply(a, sizes, this.cardContext(a, 0), missing) };
  }

  async cancel(id: string, by: Actor): Promise<Reply> {
    const a = await this.get(id);
    if (a.status !== 'pending') throw new UserError(t.notPending(id));
    await this.store.setStatus(id, a.drill, 'cancelled', this.o.clock.now());
    await this.event(id, { kind: 'cancelled', by: by.key, ...(by.name ? { name: by.name } : {}) });
    countAlert(a, 'cancelled');
    return { blocks: [{ text: t.cancelled(id) }], tone: 'notice' };
  }

  /**
   * Enqueue one message per destination of each recipient group with alert priority. Message ids
   * are `<alert>:<phase>:<destination>`, so a repeated call never sends twice. Returns the groups
   * that do not exist (nothing can reach them), which are also written to the timeline.
   */
  private async deliver(a: AlertData, recipients: Recipient[], phase: string, card: (r: Recipient) => Reply): Promise<string[]> {
    const messages: OutgoingMessage[] = [];
    const dests: Record<string, string> = {};
    const missing: string[] = [];
    for (const r of recipients) {
      const g = await this.o.groups.get(r.group);
      const reachable = g ? this.deliverable(g.destinations) : [];
      // A group that does not exist, or holds only chats this deployment cannot send to (the
      // seed's console: placeholders on a Telegram deployment), is reported, never counted sent.
      if (!reachable.length) {
        missing.push(r.group);
        continue;
      }
      const reply = card(r);
      for (const to of reachable) {
        const key = destinationKey(to);
        // A chat in both a condolence group and an acting group speaks for the acting one.
        const prev = dests[key];
        if (prev === undefined || (roleOfGroup(a.plan, prev) === 'condolence' && r.role !== 'condolence')) dests[key] = r.group;
        messages.push({ id: `${a.id}:${phase}:${key}`, to, reply, origin: { kind: 'alert', id: a.id } });
      }
    }
    await this.store.rememberDestinations(a.id, dests);
    if (messages.length) await this.o.outbox.enqueue(messages, { priority: 'alert' });
    for (const g of missing) await this.event(a.id, { kind: 'failed', group: g, text: t.missingGroups([g]) });
    return missing;
  }

  /**
   * The escalation job's work: take step `step` unless someone acknowledged (or it was ended)
   * meanwhile. A retried job whose step was already taken sends again — the message ids are
   * stable, so nobody receives it twice — and writes no second timeline event. Returns whether
   * this call took the step.
   */
  async escalate(id: string, step: number): Promise<boolean> {
    const a = await this.store.get(id);
    // Steps of the current plan are numbered after its base; a job from before a raise names
    // no step of it and stands down.
    const local = a ? step - a.stepBase : 0;
    const s = a && local >= 1 ? a.plan.escalation[local - 1] : undefined;
    const claim = a && s ? await this.store.claimStep(id, step) : 'refused';
    if (!a || !s || claim === 'refused') {
      this.o.log.info('alert escalation stood down', { alert: id, step, status: a?.status, acked: Object.keys(a?.acks ?? {}).length });
      return false;
    }
    if (claim === 'taken') {
      await this.event(id, { kind: 'escalated', tier: s.name, text: s.recipients.map((r) => r.group).join('、') });
      countAlert(a, 'escalated');
    }
    // The next step is armed before this one's messages are enqueued, for the same reason as in send.
    if (a.plan.escalation[local]) await this.o.escalations.schedule(id, step + 1, this.o.timeouts[a.level]);
    await this.deliver(a, s.recipients, `e${step}`, (r) => alertCard(a, r, local, this.cardContext(a, local)));
    return claim === 'taken';
  }

  /**
   * Which group a press or `/ack` from this chat speaks for: the group the alert reached it
   * through, else — for a holder of the emergency role — the chat itself. A chat that heard the
   * alert as a condolence notice (上海 itself struck) has nothing to acknowledge: its 收到 must
   * not stop the escalation that reaches the people who act, whoever types it there.
   */
  async groupFor(id: string, chat: Destination, mayActDirectly: boolean): Promise<string> {
    const key = destinationKey(chat);
    const g = await this.store.groupOfDestination(id, key);
    if (g) {
      const a = await this.get(id);
      if (roleOfGroup(a.plan, g) === 'condolence') throw new Refusal(t.condolenceNoAck(g), `${id} ${g}`);
      return g;
    }
    if (mayActDirectly) return t.directGroup(key);
    throw new Refusal(t.notRecipient, `${id} ${key}`);
  }

  private async openAlert(id: string): Promise<AlertState> {
    const a = await this.get(id);
    if (a.status !== 'open') throw new UserError(t.notOpen(id, t.statusNames[a.status] ?? a.status));
    return a;
  }

  /** Record a group's 收到; the first one of the alert stops every further escalation. */
  async acknowledge(id: string, group: string, by: Actor): Promise<{ alert: AlertState; first: boolean }> {
    const a = await this.openAlert(id);
    const mark = { by: by.key, ...(by.name ? { name: by.name } : {}), at: this.o.clock.now() };
    const r = await this.store.acknowledge(id, a.drill, group, mark);
    if (r.first) {
      // Cancel before writing the event: the claim script also refuses once an ack exists.
      if (r.firstOfAlert) await this.o.escalations.cancel(id, lastStep(a));
      await this.event(id, { kind: 'acknowledged', group, by: by.key, ...(by.name ? { name: by.name } : {}) });
      if (r.firstOfAlert) countAlert(a, 'acknowledged', a.sentAt === undefined ? undefined : secondsSince(a.sentAt, mark.at));
    }
    return { alert: (await this.store.get(id))!, first: r.first };
  }

  /** Record who takes ownership for a group; taking it also acknowledges for that group. */
  async own(id: string, group: string, by: Actor): Promise<AlertState> {
    await this.openAlert(id);
    await this.acknowledge(id, group, by);
    await this.store.own(id, group, { by: by.key, ...(by.name ? { name: by.name } : {}), at: this.o.clock.now() });
    await this.event(id, { kind: 'owned', group, by: by.key, ...(by.name ? { name: by.name } : {}) });
    return (await this.store.get(id))!;
  }

  private async addUpdate(a: AlertState, text: string, by: Actor, kind: 'updated' | 'joined'): Promise<number> {
    const n = await this.store.addUpdate(a.id);
    const at = this.o.clock.now();
    await this.event(a.id, { kind, by: by.key, ...(by.name ? { name: by.name } : {}), text });
    if (a.status === 'open') {
      const card = updateCard(a, n, text, by.name ?? by.key, this.o.timeZone, at);
      await this.deliver(a, a.notified, `u${n}`, (r) => (r.role === 'condolence' ? { ...card, buttons: [] } : card));
    }
    return n;
  }

  async update(id: string, text: string, by: Actor): Promise<Reply> {
    const a = await this.get(id);
    if (a.status === 'resolved' || a.status === 'cancelled') throw new UserError(t.alreadyClosed(id));
    const n = await this.addUpdate(a, text, by, 'updated');
    return { blocks: [{ text: t.updateSent(id, n, a.notified.length) }], tone: 'notice' };
  }

  async resolve(id: string, summary: string, by: Actor): Promise<Reply> {
    const a = await this.get(id);
    const at = this.o.clock.now();
    if (!(await this.store.setStatus(id, a.drill, 'resolved', at, summary))) throw new UserError(t.alreadyClosed(id));
    await this.o.escalations.cancel(id, lastStep(a));
    await this.event(id, { kind: 'resolved', by: by.key, ...(by.name ? { name: by.name } : {}), text: summary });
    countAlert(a, 'resolved');
    const card = resolvedCard(a, summary, by.name ?? by.key, this.o.timeZone, at);
    await this.deliver(a, a.notified, 'r', () => card);
    // The cards already posted show 【已结束】 and lose their 收到 / 我来负责 buttons.
    this.refreshCards(await this.get(id));
    return { blocks: [{ text: t.resolved(id, a.notified.length) }], tone: 'notice' };
  }

  /** State and timeline, or undefined when there is no such alert. */
  /**
   * Re-arm the escalation of every open alert nobody has acknowledged that has steps left. Its
   * next job normally exists, and adding it again under its stable id changes nothing; this
   * re-creates one lost with the last writes before a Redis failover (README "Scaling out"). Due
   * at the last arming (sent, escalated or raised) plus the level's timeout, at once when that
   * has passed. Run at every escalation worker's start; returns how many alerts were re-armed.
   */
  async rearmEscalations(): Promise<number> {
    let n = 0;
    for (const drill of [false, true]) {
      for (const id of await this.store.open(drill)) {
        const a = await this.store.get(id);
        if (a?.status !== 'open' || Object.keys(a.acks).length) continue;
        if (!a.plan.escalation[a.step - a.stepBase]) continue;
        const armed = (await this.store.timeline(id)).filter((e) => e.kind === 'sent' || e.kind === 'escalated' || e.kind === 'raised');
        const since = armed.length ? Math.max(...armed.map((e) => e.at)) : (a.sentAt ?? a.createdAt);
        await this.o.escalations.schedule(id, a.step + 1, since + this.o.timeouts[a.level] - this.o.clock.now());
        n++;
      }
    }
    return n;
  }

  async find(id: string): Promise<{ alert: AlertState; timeline: TimelineEvent[] } | undefined> {
    const alert = await this.store.get(id);
    return alert ? { alert, timeline: await this.store.timeline(id) } : undefined;
  }

  async status(id: string): Promise<{ alert: AlertState; timeline: TimelineEvent[]; reply: Reply }> {
    const alert = await this.get(id);
    const timeline = await this.store.timeline(id);
    const reply = statusReply(alert, timeline, this.o.timeZone);
    // Groups nobody heard the alert in are counted apart from the chats that failed.
    const unreached = [...new Set(timeline.filter((e) => e.kind === 'failed' && e.group && !e.dest).map((e) => e.group!))];
    if (unreached.length) reply.blocks.splice(1, 0, { text: t.unreachedCount(unreached) });
    return { alert, timeline, reply };
  }

  /** Open alerts and statistics, real and drill kept apart. */
  async overview(): Promise<Reply> {
    const blocks: Reply['blocks'] = [];
    for (const drill of [false, true]) {
      const ids = await this.store.open(drill);
      const lines: string[] = [];
      for (const id of ids) {
        const a = await this.store.get(id);
        if (a) lines.push(t.listLine(a.id, a.level, a.regionName, a.type, t.statusNames[a.status] ?? a.status));
      }
      if (!drill || lines.length)
        blocks.push({ heading: drill ? t.listDrillHeading : t.listTitle, text: lines.length ? lines.join('\n') : t.listEmpty });
    }
    blocks.push({ heading: t.statsRealHeading, text: t.statsLine(await this.store.stats(false)) });
    const drillStats = await this.store.stats(true);
    if (drillStats.created) blocks.push({ heading: t.statsDrillHeading, text: t.statsLine(drillStats) });
    return { blocks, tone: 'answer' };
  }

  /** Delivery outcomes of alert messages: the timeline's delivered/failed lines and message ids for edits. */
  async onOutcome(message: OutgoingMessage, outcome: DeliveryOutcome): Promise<void> {
    const id = message.origin.id;
    const dest = destinationKey(message.to);
    const group = await this.store.groupOfDestination(id, dest);
    const phase = message.id.slice(id.length + 1).split(':', 1)[0] ?? '';
    if (outcome.status === 'delivered') {
      if (phase === 's' || phase.startsWith('e') || phase.startsWith('l')) await this.store.rememberMessage(id, dest, outcome.messageId);
      await this.store.addEvent(id, { at: outcome.at, kind: 'delivered', dest, ...(group ? { group } : {}), phase });
    } else {
      await this.store.addEvent(id, { at: outcome.at, kind: 'failed', dest, ...(group ? { group } : {}), text: outcome.reason });
    }
  }
}
