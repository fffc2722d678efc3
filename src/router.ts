/**
 * Turns one Inbound into one Reply: finds the command (or routes plain text to the knowledge
 * answerer), parses its arguments with its zod schema, checks the role, runs it, and turns every
 * failure into a Chinese answer — a UserError with its usage line, anything else an apology with
 * an error id that matches the log line.
 */
import { parseArgs } from './args.ts';
import type { ActionResult, Command, CommandContext } from './command.ts';
import { UserError, newErrorId } from './errors.ts';
import { msg } from './i18n/index.ts';
import { requireRole } from './roles-store.ts';
import type { Inbound, Reply } from './messages.ts';
import { isRedisUnavailable } from './store/redis.ts';
import type { Services } from './services.ts';
import type { z } from 'zod';

/** Longer messages are refused before any parsing; no question or command needs more. */
export const MAX_INBOUND_CHARS = 2000;

export interface RouterOptions {
  /** The command that answers text without a leading slash. */
  defaultCommand: string;
}

export class Router {
  private readonly byName = new Map<string, Command<any>>();

  constructor(
    readonly commands: readonly Command<any>[],
    private readonly opts: RouterOptions,
  ) {
    for (const c of commands) {
      for (const n of [c.name, ...(c.aliases ?? [])]) this.byName.set(n.toLowerCase(), c);
    }
    if (!this.byName.has(opts.defaultCommand)) throw new Error(`default command ${opts.defaultCommand} not registered`);
  }

  find(name: string): Command<any> | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Split `/cmd@bot args` into name and argument text; undefined when not a command. */
  static splitCommand(text: string): { name: string; rest: string } | undefined {
    const m = /^[/／]([^\s@/]+)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!m) return undefined;
    return { name: m[1]!, rest: (m[2] ?? '').trim() };
  }

  async handle(inbound: Inbound, services: Services): Promise<Reply> {
    const ctx: CommandContext = { inbound, services, commands: this.commands };
    try {
      const text = inbound.text.trim();
      if (text.length > MAX_INBOUND_CHARS) throw new UserError(msg.common.tooLong(MAX_INBOUND_CHARS));
      if (!text) throw new UserError(msg.common.emptyMessage);
      const split = Router.splitCommand(text);
      const command = split ? this.find(split.name) : this.find(this.opts.defaultCommand);
      if (!command) throw new UserError(msg.common.unknownCommand(split!.name));
      return await this.run(command, split ? split.rest : text, ctx);
    } catch (e) {
      return this.failure(e, ctx);
    }
  }

  /** Route a button press to `<command>.<action>`. */
  async press(inbound: Inbound, services: Services): Promise<ActionResult> {
    const ctx: CommandContext = { inbound, services, commands: this.commands };
    const press = inbound.press;
    try {
      const [cmdName, key] = (press?.action ?? '').split('.', 2);
      const handler = cmdName && key ? this.find(cmdName)?.actions?.[key] : undefined;
      if (!press || !handler) return { toast: msg.common.staleButton };
      return await handler(ctx, press.value);
    } catch (e) {
      const reply = this.failure(e, ctx);
      return { toast: reply.blocks[0]?.text ?? msg.common.staleButton };
    }
  }

  private async run(command: Command<any>, argText: string, ctx: CommandContext): Promise<Reply> {
    // requireRole writes the refusal to the audit log (`<command>.denied`) before refusing.
    if (command.role) await requireRole(ctx.services, ctx.inbound, command.role, command.name);
    const parsed = parseArgs(argText, command.booleans);
    const r = (command.args as z.ZodType<unknown>).safeParse(parsed);
    if (!r.success) {
      const detail = r.error.issues.map((i) => i.message).join('；');
      throw new UserError(msg.common.badArgs(detail), command.usage);
    }
    try {
      return await command.run(ctx, r.data);
    } catch (e) {
      // Services raise UserErrors (unknown region, unknown alert id …) without knowing which
      // command was typed; the user still gets that command's usage line with the reason.
      if (e instanceof UserError && e.usage === undefined) throw new UserError(e.message, command.usage);
      throw e;
    }
  }

  private failure(e: unknown, ctx: CommandContext): Reply {
    if (e instanceof UserError) {
      const reply: Reply = { blocks: [{ text: e.message }], tone: 'error' };
      if (e.usage) reply.footer = `${msg.common.usagePrefix}${e.usage}`;
      return reply;
    }
    if (isRedisUnavailable(e)) {
      ctx.services.log.warn('command failed: redis unavailable', { platform: ctx.inbound.platform, text: ctx.inbound.text.slice(0, 200) });
      return { blocks: [{ text: msg.common.storeUnavailable }], tone: 'error' };
    }
    const errorId = newErrorId();
    ctx.services.log.error('command failed', {
      errorId,
      err: e,
      platform: ctx.inbound.platform,
      chat: ctx.inbound.chat.chatId,
      user: ctx.inbound.user.id,
      text: ctx.inbound.text.slice(0, 200),
    });
    return { blocks: [{ text: msg.common.internalError(errorId) }], tone: 'internal' };
  }
}
