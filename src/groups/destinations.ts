/**
 * What a chat address must look like on each platform, so `/group add` stores only addresses a
 * platform could deliver to: Telegram chat ids are integers (or a public @channel), topics are
 * integers; Slack conversation ids are C…/G…/D… in upper case, threads a message ts; console
 * names are free. A platform this deployment has no sender for is refused too: its messages
 * would wait for ever.
 */
import { msg } from '../i18n/index.ts';
import type { Destination, Platform } from '../messages.ts';

const FORMS: Record<Platform, { chat: RegExp; thread?: RegExp }> = {
  telegram: { chat: /^(-?[1-9]\d{0,15}|@[A-Za-z][A-Za-z0-9_]{3,31})$/, thread: /^[1-9]\d{0,9}$/ },
  slack: { chat: /^[CGD][A-Z0-9]{8,12}$/, thread: /^\d{9,10}\.\d{6}$/ },
  console: { chat: /^[^\s:]{1,64}$/ },
};

/** Why `d` cannot be a group member here, in Chinese; undefined when it can. */
export function destinationProblem(d: Destination, configured: ReadonlySet<Platform>, typed: string): string | undefined {
  const form = FORMS[d.platform];
  if (!form.chat.test(d.chatId) || (d.threadId !== undefined && !form.thread?.test(d.threadId))) return msg.groups.badChatId(typed, d.platform);
  if (!configured.has(d.platform)) return msg.groups.platformNotConfigured(d.platform, [...configured]);
  return undefined;
}

/**
 * The destinations on platforms this deployment sends to (console placeholders of the seed are
 * not, on Telegram): a message for any other would wait in its platform's queue for ever.
 * Without a platform set (tests with recording outboxes) every destination counts.
 */
export function reachable(destinations: readonly Destination[], configured: ReadonlySet<Platform> | undefined): Destination[] {
  return configured ? destinations.filter((d) => configured.has(d.platform)) : [...destinations];
}
