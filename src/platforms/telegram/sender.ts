/**
 * Telegram's outbound side: send and edit through grammy's Api, mapping every failure onto
 * SendError so the delivery jobs can decide without knowing Telegram: 429 → wait
 * `parameters.retry_after`; 5xx and network → retry later; 403 (blocked, kicked) and 400s about
 * the chat itself (not found, deactivated, upgraded) → never deliverable.
 */
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import type { ReplyParameters } from 'grammy/types';
import { SendError, type SendFailure } from '../../errors.ts';
import type { Destination, Reply } from '../../messages.ts';
import type { Sender, SentMessage } from '../../delivery/sender.ts';
import type { CallbackStore } from './callbacks.ts';
import { botApiFetch } from './transport.ts';
import { renderKeyboard, renderTelegram, renderTelegramSingle } from './render.ts';

/** Wait suggested for failures that name no wait of their own (5xx, network). */
const DEFAULT_RETRY_MS = 1000;

/**
 * Telegram tells 400s apart only by description. These describe the destination itself, so no
 * retry can help; other 400s are our own bad request — also not retryable, but worth a bug report.
 */
const GONE_400 = /chat not found|peer_id_invalid|group chat was (upgraded|deactivated)|chat_write_forbidden|user is deactivated|bot was kicked|not enough rights|have no rights|topic_closed|topic_deleted|message thread not found/i;

/** What a 4xx description says about the destination, for the report's Chinese reason. */
const FAILURES: [RegExp, SendFailure][] = [
  [/bot was kicked/i, 'kicked'],
  [/bot was blocked/i, 'blocked'],
  [/user is deactivated/i, 'deactivated'],
  [/chat not found|peer_id_invalid/i, 'chatNotFound'],
  [/upgraded to a supergroup|group chat was deactivated/i, 'upgraded'],
  [/bot is not a member/i, 'notMember'],
  [/not enough rights|have no rights|chat_write_forbidden/i, 'noRights'],
  [/topic_closed|topic_deleted|message thread not found/i, 'topicGone'],
  [/message is too long|text is too long/i, 'tooLong'],
];

function failureOf(code: number, description: string): SendFailure {
  for (const [re, f] of FAILURES) if (re.test(description)) return f;
  if (code === 401) return 'badToken';
  return code === 403 ? 'forbidden' : 'badRequest';
}

/** Map any error thrown by a Bot API call onto SendError (already a SendError: returned as is). */
export function toSendError(e: unknown): SendError {
  if (e instanceof SendError) return e;
  if (e instanceof GrammyError) {
    const code = e.error_code;
    const retryAfter = e.parameters?.retry_after;
    if (code === 429) {
      return new SendError(`telegram 429: ${e.description}`, {
        retryAfterMs: (retryAfter ?? 1) * 1000,
        platformCode: code,
        failure: 'rateLimited',
        cause: e,
      });
    }
    if (code >= 500) {
      return new SendError(`telegram ${code}: ${e.description}`, {
        retryAfterMs: retryAfter !== undefined ? retryAfter * 1000 : DEFAULT_RETRY_MS,
        platformCode: code,
        failure: 'platformDown',
        cause: e,
      });
    }
    if (code === 403 || (code === 400 && GONE_400.test(e.description))) {
      return new SendError(`telegram ${code}: ${e.description}`, { permanent: true, platformCode: code, failure: failureOf(code, e.description), cause: e });
    }
    // 400 bad request, 401 bad token, 404: resending the same request cannot succeed.
    return new SendError(`telegram ${code}: ${e.description}`, { permanent: true, platformCode: code, failure: failureOf(code, e.description), cause: e });
  }
  if (e instanceof HttpError) {
    return new SendError(`telegram network: ${e.message}`, { retryAfterMs: DEFAULT_RETRY_MS, failure: 'network', cause: e });
  }
  return new SendError(`telegram: ${e instanceof Error ? e.message : String(e)}`, { retryAfterMs: DEFAULT_RETRY_MS, failure: 'network', cause: e });
}

/** Telegram's limit for a photo caption, counted in characters after HTML parsing. */
const TELEGRAM_CAPTION_LIMIT = 1024;

/** Characters Telegram counts in an HTML text: tags dropped, entities one character each. */
function captionLength(html: string): number {
  return html.replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt|quot);/g, '_').length;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** An edit that changes nothing is a success for our purposes (progress edits repeat). */
function isNotModified(e: unknown): boolean {
  return e instanceof GrammyError && e.error_code === 400 && /message is not modified/i.test(e.description);
}

export interface TelegramSendOptions {
  /** Answer this message (groups: keeps the answer next to the question). */
  replyTo?: number;
}

export class TelegramSender implements Sender {
  readonly platform = 'telegram' as const;

  constructor(
    readonly api: Api,
    private readonly callbacks: CallbackStore,
  ) {}

  async send(to: Destination, reply: Reply, opts: TelegramSendOptions = {}): Promise<SentMessage> {
    try {
      const rendered = await renderTelegram(reply, this.callbacks);
      const threadId = to.threadId ? Number(to.threadId) : undefined;
      let last: number | undefined;
      let replyTo = opts.replyTo;
      const photo = (caption: { caption: string; parse_mode?: 'HTML' }, keyboard: boolean) =>
        this.api.sendPhoto(to.chatId, new InputFile(Buffer.from(reply.image!.png), reply.image!.name), {
          ...caption,
          ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
          ...(replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
          ...(keyboard && rendered.keyboard ? { reply_markup: rendered.keyboard } : {}),
        });
      if (reply.image?.standalone) {
        // The text is the picture's words: one photo captioned with it when it fits a caption,
        // else the photo captioned with the start of them and the text in full after it.
        const whole = rendered.parts.length === 1 && captionLength(rendered.parts[0]!) <= TELEGRAM_CAPTION_LIMIT;
        const m = await photo(whole ? { caption: rendered.parts[0]!, parse_mode: 'HTML' } : { caption: cut(reply.image.alt, TELEGRAM_CAPTION_LIMIT) }, whole);
        if (whole) return { messageId: String(m.message_id) };
        replyTo = undefined;
      }
      for (let i = 0; i < rendered.parts.length; i++) {
        const isLast = i === rendered.parts.length - 1;
        const reply_parameters: ReplyParameters | undefined =
          i === 0 && replyTo !== undefined ? { message_id: replyTo, allow_sending_without_reply: true } : undefined;
        const m = await this.api.sendMessage(to.chatId, rendered.parts[i]!, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
          ...(reply_parameters ? { reply_parameters } : {}),
          ...(isLast && rendered.keyboard ? { reply_markup: rendered.keyboard } : {}),
        });
        last = m.message_id;
      }
      // A picture beside a text report follows it, captioned with its own words.
      if (reply.image && !reply.image.standalone) await photo({ caption: cut(reply.image.alt, TELEGRAM_CAPTION_LIMIT) }, false);
      if (reply.file) {
        await this.api.sendDocument(to.chatId, new InputFile(Buffer.from(reply.file.content, 'utf8'), reply.file.name), {
          ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
        });
      }
      // The last part carries the buttons, so it is the one later edits must target.
      return { messageId: String(last) };
    } catch (e) {
      throw toSendError(e);
    }
  }

  async edit(to: Destination, messageId: string, reply: Reply): Promise<void> {
    try {
      const keyboard = await renderKeyboard(reply, this.callbacks);
      await this.api.editMessageText(to.chatId, Number(messageId), renderTelegramSingle(reply), {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        // Without reply_markup Telegram keeps no keyboard, which is what a reply without buttons means.
        ...(keyboard ? { reply_markup: keyboard } : {}),
      });
    } catch (e) {
      if (isNotModified(e)) return;
      throw toSendError(e);
    }
  }
}

/** A Bot API client for sending only (workers, alert API): no polling, no webhook. */
export function createTelegramApi(token: string, apiRoot: string): Api {
  return new Api(token, { apiRoot: apiRoot.replace(/\/+$/, ''), timeoutSeconds: 30, fetch: botApiFetch });
}
