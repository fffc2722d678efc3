/**
 * The service containers. `Services` is everything a process builds in src/app.ts (adapters and
 * workers use it); commands see only `CommandServices` — no Redis connection, no senders — and
 * the knowledge commands only `KnowledgeServices`, which `xiezuo ask` builds without Redis.
 */
import type { RedisClient } from './store/redis.ts';
import type { AlertService } from './alerts/service.ts';
import type { Broadcasts } from './broadcasts/broadcasts.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { BullOutbox } from './delivery/bull-outbox.ts';
import type { RateLimits } from './delivery/limits.ts';
import type { Senders } from './delivery/sender.ts';
import type { SentMarkers } from './delivery/sent-markers.ts';
import type { Groups } from './groups/groups.ts';
import type { Knowledge } from './knowledge/knowledge.ts';
import type { Logger } from './log.ts';
import type { Access } from './roles/access.ts';
import type { AuditInput, AuditLog } from './roles/audit.ts';
import type { RoleStore } from './roles/store.ts';
import type { Meetings } from './scheduling/meetings.ts';
import type { OfficeDeadlines } from './scheduling/office-deadlines.ts';
import type { Pictures } from './pictures/pictures.ts';

/** Where refusals and privileged actions are written (the Redis audit log, or a log line offline). */
interface AuditSink {
  record(e: AuditInput): Promise<string>;
}

/** What answering from the documents needs: no Redis, no platform. */
export interface KnowledgeServices {
  config: Config;
  clock: Clock;
  log: Logger;
  knowledge: Knowledge;
  access: Access;
  audit: AuditSink;
  /** Server-drawn pictures (src/pictures/); a process without them answers in text only. */
  pictures?: Pictures;
}

/** What every chat command may use. */
export interface CommandServices extends KnowledgeServices {
  /** Roles granted in chat + bootstrap admins; also `access`. */
  roles: RoleStore;
  audit: AuditLog;
  groups: Groups;
  broadcasts: Broadcasts;
  /** Joint meetings: schedule, reminders, RSVPs (commands/meeting.ts, jobs/remind.ts). */
  meetings: Meetings;
  /** The offices' own deadlines with reminders (/deadline add|done). */
  officeDeadlines: OfficeDeadlines;
  /** Emergency-aid alerts (src/alerts/). */
  alerts: AlertService;
}

/** Everything a process holds: the command services plus the delivery plumbing. */
export interface Services extends CommandServices {
  /** Shared command connection (lazy); each service keeps to its own key family. */
  redis: RedisClient;
  /** Delivery: enqueue messages, listen for outcomes by origin kind. */
  outbox: BullOutbox;
  sentMarkers: SentMarkers;
  rateLimits: RateLimits;
  /** Platform senders for this process (workers send through them; broadcasts edit previews). */
  senders: Senders;
}
