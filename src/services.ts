/**
 * The service container handed to every command. It is built once in src/app.ts; tests build
 * their own with the same factory and real parts.
 */
import type { Access } from './access.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Knowledge } from './knowledge/knowledge.ts';
import type { Logger } from './log.ts';
import type { Redis } from 'ioredis';
import type { RoleStore } from './roles-store.ts';
import type { AuditLog } from './audit.ts';
import type { Groups } from './groups.ts';
import type { BullOutbox } from './delivery/bull-outbox.ts';
import type { SentMarkers } from './delivery/sent-markers.ts';
import type { RateLimits } from './delivery/limits.ts';
import type { Senders } from './senders/sender.ts';
import type { Broadcasts } from './broadcasts.ts';
import type { Meetings } from './meetings.ts';
import type { OfficeDeadlines } from './office-deadlines.ts';
import type { AlertService } from './alerts/service.ts';

export interface Services {
  config: Config;
  clock: Clock;
  log: Logger;
  knowledge: Knowledge;
  access: Access;
  /** Shared command connection (lazy); each service keeps to its own key family. */
  redis: Redis;
  /** Roles granted in chat + bootstrap admins; also `access`. */
  roles: RoleStore;
  audit: AuditLog;
  groups: Groups;
  /** Delivery: enqueue messages, listen for outcomes by origin kind. */
  outbox: BullOutbox;
  sentMarkers: SentMarkers;
  rateLimits: RateLimits;
  /** Platform senders for this process (workers send through them; broadcasts edit previews). */
  senders: Senders;
  broadcasts: Broadcasts;
  /** Joint meetings: schedule, reminders, RSVPs (commands/meeting.ts, jobs/remind.ts). */
  meetings: Meetings;
  /** The offices' own deadlines with reminders (/deadline add|done). */
  officeDeadlines: OfficeDeadlines;
  /** Emergency-aid alerts (src/alerts/). */
  alerts: AlertService;
}
