/**
 * The Redis key layout, in one place. Every key starts with the deployment's REDIS_PREFIX
 * (`xiezuo` below) and carries a hash tag `{…}`, so that whatever one Lua script, MULTI or
 * MGET touches together lands in one hash slot of a Redis Cluster (else: CROSSSLOT). On a
 * single server or Sentinel the tags are just part of the name; the layout is the same in
 * every mode, so data moves between modes unchanged.
 *
 *   {xiezuo:<family>}:…          one slot per family — every store that writes an index and its
 *                                records together (MULTI) or reads them with MGET:
 *     groups   index, dest:<name>                      (src/groups/groups.ts)
 *     roles    role records; audit  the audit log       (src/roles)
 *     meetings m:<id>, all; deadlines d:<id>, all      (src/scheduling)
 *     alerts   a:<id>, a:<id>:acks|owners, recent/open/stats:<kind>, dup:…, seq:…  (src/alerts/store.ts)
 *     broadcasts b:<id>, b:<id>:out, b:<id>:edit, active, seq:<day>  (src/broadcasts/broadcasts.ts)
 *     tgcb     Telegram button payloads                (src/platforms/telegram/callbacks.ts)
 *   {xiezuo:dest:<platform>:<chat>}:…   one slot per destination — the send gate's script
 *                                (src/delivery/sent-markers.ts) checks the sent-marker, takes
 *                                the claim and the rate-limit slots of one chat at once:
 *     sent:<messageId>, claim:<messageId>, block, chat, group  (limits: src/delivery/limits.ts)
 *   {xiezuo:inbox:<source>:<chat>}:…   one slot per chat of a webhook source (Telegram
 *                                `telegram:<bot id>`): the chat queue's scripts
 *                                (src/platforms/chat-queue.ts) claim an update, append it and take
 *                                the drain lease together:
 *     seen:<update id>, q (the list), lease
 *   {xiezuo:inbox}:pending:<source>  chats that may hold queued updates (swept for orphans)
 *   {xiezuo:live}:<platform>, :<platform>:block  the bot-wide window of live replies
 *                                (src/delivery/live-limits.ts); their per-chat slots are the
 *                                destination's `chat`/`group` buckets above
 *   {xiezuo:bull}:<queue>:…      BullMQ (jobs/queues.ts bullPrefix): BullMQ's scripts touch
 *                                several keys of a queue, and all queues share one tag, as
 *                                BullMQ documents for Cluster. So all queue traffic is on one
 *                                node; the per-destination keys spread over the others.
 *
 * Families are small and written at human pace (a group edit, an alert); only delivery and the
 * queues see per-message traffic. A family in one slot is thus no hot spot, while splitting
 * it would need per-record scripts in place of the index MULTIs.
 */

/** Key builder for one family: keyspace('xiezuo', 'groups')('name', '沪滇') → '{xiezuo:groups}:name:沪滇'. */
export function keyspace(prefix: string, family: string): (...parts: string[]) => string {
  return tagged(`${prefix}:${family}`);
}

/** Key builder for one destination's delivery keys: all in the slot of `{prefix:dest:<destinationKey>}`. */
export function destinationKeyspace(prefix: string, destinationKey: string): (...parts: string[]) => string {
  return tagged(`${prefix}:dest:${destinationKey}`);
}

/** Key builder for one chat's inbound queue: all in the slot of `{prefix:inbox:<source>:<chat>}`. */
export function inboxKeyspace(prefix: string, source: string, chat: string): (...parts: string[]) => string {
  return tagged(`${prefix}:inbox:${source}:${chat}`);
}

function tagged(tag: string): (...parts: string[]) => string {
  // A '}' inside would end the tag early and split what must stay together.
  const base = `{${tag.replaceAll('}', '%7D')}}`;
  return (...parts) => (parts.length ? `${base}:${parts.join(':')}` : base);
}

/** BullMQ's key prefix for a deployment: one hash tag over every queue. */
export function bullKeyPrefix(prefix: string): string {
  return `{${prefix}:bull}`;
}
