/**
 * Channel groups: a named set of destinations across platforms (a Telegram group here, a Slack
 * channel there), the unit broadcasts, meeting reminders and alerts are addressed to.
 *
 * Keys (prefix:groups:…): `index` hash name → JSON meta; `dest:<name>` hash destinationKey →
 * label ('' when none). Names are kept as typed (Chinese), trimmed.
 */
import type { RedisClient } from '../store/redis.ts';
import type { Clock } from '../clock.ts';
import { type Destination, PLATFORMS, type Platform, destinationKey, parseDestination } from '../messages.ts';
import { keyspace } from '../store/redis.ts';

interface GroupMeta {
  title?: string;
  description?: string;
  createdAt: number;
  createdBy?: string;
}

export interface GroupMember {
  to: Destination;
  /** Human label (e.g. 文山州应急管理局), when known. */
  label?: string;
}

export interface Group extends GroupMeta {
  name: string;
  destinations: Destination[];
  members: GroupMember[];
}

export interface GroupSummary extends GroupMeta {
  name: string;
  size: number;
}

/** Longest group name accepted; names are typed in chat and shown in lists. */
const MAX_GROUP_NAME = 40;

export function isValidGroupName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_GROUP_NAME && !/[\s:：]/.test(name) && !name.startsWith('-');
}

export class Groups {
  private readonly key: (...p: string[]) => string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly clock: Clock,
    /**
     * Platforms this process has a sender for (read at each call: adapters register theirs after
     * start-up). Absent: every platform (tools and tests that do not send).
     */
    private readonly platformsNow: () => Iterable<Platform> = () => PLATFORMS,
  ) {
    this.key = keyspace(prefix, 'groups');
  }

  /** Platforms messages can go out on in this deployment. */
  platforms(): ReadonlySet<Platform> {
    return new Set(this.platformsNow());
  }

  /** A group with its destinations, or undefined when no group has that name. */
  async get(name: string): Promise<Group | undefined> {
    const n = name.trim();
    const [[, meta], [, dests]] = (await this.redis
      .multi()
      .hget(this.key('index'), n)
      .hgetall(this.key('dest', n))
      .exec()) as [[null, string | null], [null, Record<string, string>]];
    if (meta === null) return undefined;
    const members: GroupMember[] = [];
    for (const [k, label] of Object.entries(dests).sort(([a], [b]) => a.localeCompare(b))) {
      const to = parseDestination(k);
      if (!to) continue;
      members.push(label ? { to, label } : { to });
    }
    return { name: n, ...(JSON.parse(meta) as GroupMeta), members, destinations: members.map((m) => m.to) };
  }

  async has(name: string): Promise<boolean> {
    return (await this.redis.hexists(this.key('index'), name.trim())) === 1;
  }

  /** Every group with its size, by name. */
  async list(): Promise<GroupSummary[]> {
    const index = await this.redis.hgetall(this.key('index'));
    const names = Object.keys(index).sort((a, b) => a.localeCompare(b, 'zh'));
    if (!names.length) return [];
    const p = this.redis.pipeline();
    for (const n of names) p.hlen(this.key('dest', n));
    const sizes = ((await p.exec()) ?? []).map(([, v]) => Number(v));
    return names.map((name, i) => ({ name, ...(JSON.parse(index[name]!) as GroupMeta), size: sizes[i] ?? 0 }));
  }

  /** Create an empty group; false when the name is taken. */
  async create(name: string, meta: { title?: string; description?: string; createdBy?: string } = {}): Promise<boolean> {
    const m: GroupMeta = { createdAt: this.clock.now(), ...meta };
    return (await this.redis.hsetnx(this.key('index'), name.trim(), JSON.stringify(m))) === 1;
  }

  /** Replace a group's title/description, creating it when missing (used by `xiezuo seed`). */
  async upsert(name: string, meta: { title?: string; description?: string; createdBy?: string }): Promise<void> {
    const n = name.trim();
    const old = await this.redis.hget(this.key('index'), n);
    const base: GroupMeta = old ? (JSON.parse(old) as GroupMeta) : { createdAt: this.clock.now() };
    await this.redis.hset(this.key('index'), n, JSON.stringify({ ...base, ...meta }));
  }

  /** Add destinations (existing ones keep their place; a label given replaces the old one). Returns how many were new. */
  async add(name: string, members: GroupMember[]): Promise<number> {
    const n = name.trim();
    if (!(await this.has(n))) throw new Error(`group ${n} does not exist`);
    let added = 0;
    for (const m of members) {
      const k = destinationKey(m.to);
      if (m.label) added += await this.redis.hset(this.key('dest', n), k, m.label);
      else added += await this.redis.hsetnx(this.key('dest', n), k, '');
    }
    return added;
  }

  /** Remove one destination; false when it was not in the group. */
  async remove(name: string, to: Destination): Promise<boolean> {
    return (await this.redis.hdel(this.key('dest', name.trim()), destinationKey(to))) === 1;
  }

  /** Delete a group and its members; false when there was no such group. */
  async delete(name: string): Promise<boolean> {
    const n = name.trim();
    const [[, removed]] = (await this.redis
      .multi()
      .hdel(this.key('index'), n)
      .del(this.key('dest', n))
      .exec()) as [[null, number]];
    return removed === 1;
  }
}
