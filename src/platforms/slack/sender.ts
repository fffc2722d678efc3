/**
 * Slack's outbound side: chat.postMessage / chat.update (and files.uploadV2 for a reply's file) through a WebClient that neither waits
 * out 429s nor retries on its own (the delivery jobs own waiting and retrying), with failures
 * mapped onto SendError: 429 → the Retry-After seconds; 5xx, network and Slack's transient
 * errors → retry later; a channel or account that cannot take messages → never deliverable.
 */
import { webApi } from '@slack/bolt';
import { type SendFailure, SendError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Destination, Reply, ReplyFile, ReplyImage } from '../../messages.ts';
import type { Sender, SentMessage } from '../../delivery/sender.ts';
import { renderSlack, renderSlackFileFallback, renderSlackSingle } from './render.ts';
import { renderText } from '../../render/text.ts';

type WebClient = InstanceType<typeof webApi.WebClient>;

const DEFAULT_RETRY_MS = 1000;
/** Slack's limit for an image's alt text; the caption (initial_comment) is kept to a message section. */
const SLACK_ALT_LIMIT = 1000;
const SLACK_COMMENT_LIMIT = 3000;

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack `error` codes that say "try again". */
const TRANSIENT_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

interface CodedLike {
  code?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown };
  message?: unknown;
}

/** Map any error from a Web API call onto SendError. */
/** Slack's error codes that say something about the destination, for the report's Chinese reason. */
const SLACK_FAILURES = new Map<string, SendFailure>([
  ['channel_not_found', 'chatNotFound'],
  ['not_in_channel', 'notMember'],
  ['is_archived', 'archived'],
  ['invalid_auth', 'badToken'],
  ['not_authed', 'badToken'],
  ['account_inactive', 'badToken'],
  ['token_revoked', 'badToken'],
  ['restricted_action', 'noRights'],
  ['restricted_action_read_only_channel', 'noRights'],
  ['restricted_action_thread_only_channel', 'noRights'],
  ['cannot_dm_bot', 'forbidden'],
  ['user_disabled', 'deactivated'],
  ['msg_too_long', 'tooLong'],
]);

export function toSendError(e: unknown): SendError {
  if (e instanceof SendError) return e;
  const err = (e ?? {}) as CodedLike;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const text = e instanceof Error ? e.message : String(e);
  if (code === webApi.ErrorCode.RateLimitedError) {
    const s = typeof err.retryAfter === 'number' ? err.retryAfter : 1;
    return new SendError(`slack 429: retry after ${s}s`, { retryAfterMs: s * 1000, platformCode: 429, failure: 'rateLimited', cause: e });
  }
  if (code === webApi.ErrorCode.HTTPError) {
    const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
    // Slack's Web API uses no status codes besides 200 and 429; anything else is its trouble.
    return new SendError(`slack http ${status}`, { retryAfterMs: DEFAULT_RETRY_MS, ...(status ? { platformCode: status } : {}), failure: 'platformDown', cause: e });
  }
  if (code === webApi.ErrorCode.PlatformError) {
    const slackError = String(err.data?.error ?? 'unknown');
    if (TRANSIENT_SLACK_ERRORS.has(slackError)) {
      return new SendError(`slack ${slackError}`, { retryAfterMs: DEFAULT_RETRY_MS, failure: 'platformDown', cause: e });
    }
    // Known gone-destination codes and our own bad requests (invalid_blocks, msg_too_long …)
    // alike: the same request will never succeed.
    return new SendError(`slack ${slackError}`, { permanent: true, failure: SLACK_FAILURES.get(slackError) ?? 'badRequest', cause: e });
  }
  if (code === webApi.ErrorCode.RequestError) {
    return new SendError(`slack network: ${text}`, { retryAfterMs: DEFAULT_RETRY_MS, failure: 'network', cause: e });
  }
  return new SendError(`slack: ${text}`, { retryAfterMs: DEFAULT_RETRY_MS, cause: e });
}

/** The Slack error code inside a SendError (e.g. `not_in_channel`), when there is one. */
export function slackErrorCode(e: SendError): string | undefined {
  const cause = e.cause as CodedLike | undefined;
  const v = cause?.data?.error;
  return typeof v === 'string' ? v : undefined;
}

/** A WebClient for senders: 429s are rejected (not waited out) and nothing is retried inside. */
export function createSlackClient(token: string, slackApiUrl: string): WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/`,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 30_000,
    logLevel: webApi.LogLevel.ERROR,
  });
}

export interface SlackSenderOptions {
  /** Where a failed file upload is reported (it is answered with the text instead, not retried). */
  log?: Pick<Logger, 'warn'>;
}

export class SlackSender implements Sender {
  readonly platform = 'slack' as const;

  constructor(
    readonly client: WebClient,
    private readonly opts: SlackSenderOptions = {},
  ) {}

  async send(to: Destination, reply: Reply): Promise<SentMessage> {
    try {
      // A picture whose words are the whole reply goes alone, its comment carrying them; if it
      // cannot be uploaded the words go as messages instead.
      if (reply.image?.standalone && !reply.buttons?.length && !reply.file && (await this.sendImage(to, reply.image, renderText(reply)))) return { messageId: '' };
      let ts: string | undefined;
      for (const m of renderSlack(reply)) ts = (await this.post(to, m)) ?? ts;
      if (reply.file) await this.sendFile(to, reply.file);
      if (reply.image && !reply.image.standalone) await this.sendImage(to, reply.image, reply.image.alt);
      // The last message carries the buttons, so later edits target it.
      return { messageId: ts ?? '' };
    } catch (e) {
      throw toSendError(e);
    }
  }

  private async post(to: Destination, m: { text: string; blocks: ReturnType<typeof renderSlack>[number]['blocks'] }): Promise<string | undefined> {
    const r = await this.client.chat.postMessage({
      channel: to.chatId,
      text: m.text,
      blocks: m.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(to.threadId ? { thread_ts: to.threadId } : {}),
    });
    return r.ts;
  }

  /**
   * Upload the file into the chat (getUploadURLExternal → POST the bytes → completeUploadExternal,
   * which shares it). If any step fails the text goes out as messages instead: the messages
   * before it are already posted, so failing the whole send would have a retry post them twice,
   * and a missing `files:write` scope would never heal by retrying.
   */
  private async sendFile(to: Destination, file: ReplyFile): Promise<void> {
    try {
      const upload = { file: Buffer.from(file.content, 'utf8'), filename: file.name, title: file.name };
      // Two calls, not a spread: the argument type is a union keyed on whether thread_ts is set.
      if (to.threadId) await this.client.files.uploadV2({ ...upload, channel_id: to.chatId, thread_ts: to.threadId });
      else await this.client.files.uploadV2({ ...upload, channel_id: to.chatId });
      return;
    } catch (e) {
      const err = toSendError(e);
      this.opts.log?.warn('slack file upload failed; sending its text', { err, channel: to.chatId, file: file.name, slackError: slackErrorCode(err) });
    }
    for (const m of renderSlackFileFallback(file)) await this.post(to, m);
  }

  /**
   * Upload a picture with `comment` as its message. A failed upload is logged and reported
   * (false), never thrown: the text says the same in words.
   */
  private async sendImage(to: Destination, image: ReplyImage, comment: string): Promise<boolean> {
    try {
      const upload = {
        file: Buffer.from(image.png),
        filename: image.name,
        title: image.name,
        alt_text: cut(image.alt, SLACK_ALT_LIMIT),
        initial_comment: cut(comment, SLACK_COMMENT_LIMIT),
      };
      if (to.threadId) await this.client.files.uploadV2({ ...upload, channel_id: to.chatId, thread_ts: to.threadId });
      else await this.client.files.uploadV2({ ...upload, channel_id: to.chatId });
      return true;
    } catch (e) {
      const err = toSendError(e);
      this.opts.log?.warn('slack image upload failed; answering in text', { err, channel: to.chatId, file: image.name, slackError: slackErrorCode(err) });
      return false;
    }
  }

  async edit(to: Destination, messageId: string, reply: Reply): Promise<void> {
    try {
      const m = renderSlackSingle(reply);
      await this.client.chat.update({ channel: to.chatId, ts: messageId, text: m.text, blocks: m.blocks });
    } catch (e) {
      throw toSendError(e);
    }
  }
}
