/** The pictures drawn from the real seeds: the 上海 map, a 沪滇 broadcast, a 文山 alert. */
import { readFileSync } from 'node:fs';
import type { AlertState, TimelineEvent } from '../../src/alerts/store.ts';
import type { Broadcast, BroadcastOutcome } from '../../src/broadcasts/broadcasts.ts';
import { DEFAULT_SEEDS_DIR } from '../../src/knowledge/sources.ts';
import { parseDestination } from '../../src/messages.ts';
import { seedRouting } from '../alerts/fixture.ts';

export const NOW = Date.parse('2026-12-02T06:00:00Z');

/** A broadcast to the seeded 沪滇 group, plus destinations on Telegram and Slack: two delivered, one failed, the rest pending. */
export function seedBroadcast(): { b: Broadcast; outcomes: BroadcastOutcome[] } {
  const groups = JSON.parse(readFileSync(`${DEFAULT_SEEDS_DIR}/groups.json`, 'utf8')) as { groups: { name: string; destinations: { to: string }[] }[] };
  const g = groups.groups.find((x) => x.name === '沪滇')!;
  const destinations = [...g.destinations.map((d) => parseDestination(d.to)!), parseDestination('telegram:-1001')!, parseDestination('telegram:-1002')!, parseDestination('slack:C900')!];
  const b: Broadcast = {
    id: 'B-20261202-1',
    group: g.name,
    text: '请于本周五前报送帮扶项目进度。',
    by: 'telegram:1',
    chat: { platform: 'telegram', chatId: '1' },
    createdAt: NOW,
    status: 'sending',
    zone: 'Asia/Shanghai',
    destinations,
    total: destinations.length,
    delivered: 2,
    failed: 1,
    confirmedAt: NOW,
  };
  const outcomes: BroadcastOutcome[] = [
    { to: destinations[0]!, status: 'delivered', at: NOW + 1000 },
    { to: parseDestination('telegram:-1001')!, status: 'delivered', at: NOW + 2000 },
    { to: parseDestination('slack:C900')!, status: 'failed', reason: 'channel_not_found', at: NOW + 3000 },
  ];
  return { b, outcomes };
}

/** A level II alert for 文山 routed by the seeded rules: sent, one escalation step, some 收到. */
export function seedAlert(): { a: AlertState; timeline: TimelineEvent[] } {
  const plan = seedRouting().plan('wenshan', 'II', false);
  const t0 = NOW;
  const initial = plan.initial.filter((r) => r.role !== 'condolence').map((r) => r.group);
  const step = plan.escalation[0];
  const escalated = step ? step.recipients.map((r) => r.group) : [];
  const a: AlertState = {
    id: 'A-20261202-1',
    drill: false,
    region: 'wenshan',
    regionName: '文山壮族苗族自治州',
    type: '地震',
    level: 'II',
    text: '文山州发生地震，请各方确认收到。',
    source: 'chat',
    triggeredBy: { key: 'telegram:1', name: '值班员' },
    createdAt: t0,
    plan,
    status: 'open',
    step: step ? 1 : 0,
    stepBase: 0,
    sentAt: t0,
    acks: {},
    owners: {},
    notified: [...plan.initial, ...(step ? step.recipients : [])],
  };
  const timeline: TimelineEvent[] = [
    { at: t0 - 5000, kind: 'created', by: 'telegram:1' },
    { at: t0, kind: 'sent', text: plan.initial.map((r) => r.group).join('、') },
  ];
  if (initial[0]) a.acks[initial[0]] = { by: 'telegram:2', name: '张三', at: t0 + 4 * 60_000 };
  if (step) timeline.push({ at: t0 + 10 * 60_000, kind: 'escalated', tier: step.name, text: escalated.join('、') });
  if (escalated[0]) a.acks[escalated[0]] = { by: 'telegram:3', name: '李四', at: t0 + 14 * 60_000 };
  for (const [g, m] of Object.entries(a.acks)) timeline.push({ at: m.at, kind: 'acknowledged', group: g, by: m.by });
  timeline.sort((x, y) => x.at - y.at);
  return { a, timeline };
}
