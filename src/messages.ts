/**
 * The two shapes everything past the platform adapters speaks: one inbound message and one
 * reply. Adapters in src/platforms/ translate at the edge; commands and services only ever see
 * these, and know the platform only through the Destination they answer to.
 */

export type Platform = 'telegram' | 'slack' | 'console';
export const PLATFORMS: readonly Platform[] = ['telegram', 'slack', 'console'];

/** Where a message goes: one chat (and optionally one thread in it) on one platform. */
export interface Destination {
  platform: Platform;
  chatId: string;
  threadId?: string;
}

/** Who sent a message; `id` is the platform's own user id. */
export interface UserRef {
  platform: Platform;
  id: string;
  name?: string;
}

/** A button press coming back: the action id and the value the button carried. */
interface ActionPress {
  action: string;
  value: string;
  /** The message that carried the button, when the platform tells us (for edits). */
  messageId?: string;
}

export interface Inbound {
  platform: Platform;
  chat: Destination;
  chatType: 'private' | 'group';
  user: UserRef;
  /** Message text with any bot mention or `@botname` suffix already stripped. */
  text: string;
  /** Present when the inbound is a button press rather than a typed message. */
  press?: ActionPress;
  messageId?: string;
  receivedAt: Date;
}

/** One paragraph of a reply, optionally with the source it quotes. */
export interface ReplyBlock {
  heading?: string;
  text: string;
  /** Human citation, e.g. 《上海市服务全国和对口帮扶“十一五”规划》三（二）1（2）. */
  citation?: string;
}

export interface Button {
  label: string;
  action: string;
  value: string;
}

export interface ReplyFile {
  name: string;
  mime: string;
  content: string;
}

/** A picture sent with a reply (a PNG rendered on the server, src/pictures/). */
export interface ReplyImage {
  png: Uint8Array;
  /** The picture in words: its text equivalent, used as caption / alt text. */
  alt: string;
  /** File name, e.g. pair-map-shanghai.png. */
  name: string;
  width: number;
  height: number;
  /** Content hash of the PNG's source (names the console's saved file). */
  hash: string;
  /**
   * The reply's text is this picture's text equivalent (the pairing map): a platform that can
   * caption the picture with it sends the picture alone. Otherwise the picture follows the text.
   */
  standalone?: boolean;
}

export interface Reply {
  title?: string;
  blocks: ReplyBlock[];
  /** Rows of buttons. */
  buttons?: Button[][];
  /** A footer line (hints, usage, error ids). */
  footer?: string;
  file?: ReplyFile;
  /** A picture beside the text; the text stays a full equivalent of it. */
  image?: ReplyImage;
  /** error: a user mistake or refusal; internal: our fault, carries an error id in the footer. */
  tone?: 'answer' | 'notice' | 'error' | 'internal';
}

/** Stable string form of a destination, used in Redis keys, job ids and sent-markers. */
export function destinationKey(d: Destination): string {
  return d.threadId ? `${d.platform}:${d.chatId}:${d.threadId}` : `${d.platform}:${d.chatId}`;
}

/** Inverse of destinationKey; undefined when the text is not a destination. */
export function parseDestination(key: string): Destination | undefined {
  const m = /^(telegram|slack|console):([^:\s]+)(?::([^:\s]+))?$/.exec(key.trim());
  if (!m) return undefined;
  const d: Destination = { platform: m[1] as Platform, chatId: m[2]! };
  if (m[3]) d.threadId = m[3];
  return d;
}

/** Stable string form of a user, e.g. `telegram:12345`. */
export function userKey(u: Pick<UserRef, 'platform' | 'id'>): string {
  return `${u.platform}:${u.id}`;
}

