/**
 * Errors that carry decisions. Callers branch on the class and its fields, never on message text.
 */

/** A mistake by the user (bad arguments, unknown name, missing role). Shown as is, in Chinese. */
export class UserError extends Error {
  readonly usage?: string;
  constructor(message: string, usage?: string) {
    super(message);
    this.name = 'UserError';
    if (usage !== undefined) this.usage = usage;
  }
}

/**
 * The caller may not do this (a role missing, an alert that never reached this chat, someone
 * else's broadcast). The router writes every Refusal to the audit log as `<action>.denied` with
 * `detail`, so no handler audits refusals by hand and none goes unrecorded.
 */
export class Refusal extends UserError {
  readonly detail: string;
  constructor(message: string, detail: string, usage?: string) {
    super(message, usage);
    this.name = 'Refusal';
    this.detail = detail;
  }
}

/**
 * Why a platform did not take a message, as far as it said: the platform senders classify their
 * errors, delivery reports show the Chinese reason for the kind, and the raw text goes to logs.
 */
export type SendFailure =
  | 'kicked'
  | 'blocked'
  | 'deactivated'
  | 'chatNotFound'
  | 'upgraded'
  | 'notMember'
  | 'noRights'
  | 'topicGone'
  | 'archived'
  | 'badToken'
  | 'forbidden'
  | 'badRequest'
  | 'tooLong'
  | 'rateLimited'
  | 'platformDown'
  | 'network';

/**
 * A platform refused or failed to take a message. `retryAfterMs` set: try again after that long
 * (429, 5xx, network). `permanent`: this destination will never take it (bot removed, chat gone).
 */
export class SendError extends Error {
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;
  readonly platformCode: number | undefined;
  readonly failure: SendFailure | undefined;
  constructor(
    message: string,
    opts: { retryAfterMs?: number; permanent?: boolean; platformCode?: number; failure?: SendFailure; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SendError';
    this.retryAfterMs = opts.retryAfterMs;
    this.permanent = opts.permanent ?? false;
    this.platformCode = opts.platformCode;
    this.failure = opts.failure;
  }
}

/** A configuration or seed-data problem found at start-up; the message names file/variable and reason. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Short random id that a user can quote to an operator, matching the log line. */
export function newErrorId(): string {
  return `E${Date.now().toString(36).slice(-5)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
}
