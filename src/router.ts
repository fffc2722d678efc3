/**
 * Turns one Inbound into one Reply: finds the command (or routes plain text to the knowledge
 * answerer), parses its arguments, resolves the subcommand, checks roles and flags, runs it, and
 * turns every failure into a Chinese answer — a UserError with its usage line, anything else an
 * apology with an error id that matches the log line. Every Refusal, of a command or a button,
 * is written to the audit log here. Words users type select code only through Maps.
 */
import { dropFirstWord, parseArgs } from './args.ts';
import {
  type Action,
  type ActionResult,
  type AnyCommand,
  type CommandContext,
  type Subcommand,
  booleanFlags,
  checkFlags,
} from './command.ts';
import { Refusal, UserError, newErrorId } from './errors.ts';
import { msg } from './i18n/index.ts';
import type { Inbound, Reply } from './messages.ts';
import { requireRole } from './roles/store.ts';
import type { KnowledgeServices } from './services.ts';
import { isRedisUnavailable } from './store/redis.ts';
import { metrics } from './metrics/metrics.ts';

/** Longer messages are refused before any parsing; no question or command needs more. */
const MAX_INBOUND_CHARS = 2000;
/** Our buttons carry short ids; a longer value is forged (Slack would take up to 2,000 characters). */
const MAX_PRESS_VALUE = 256;
/** Telegram shows at most 200 characters of a button's toast; Slack's ephemeral note stays short too. */
const TOAST_MAX = 200;

export interface RouterOptions {
  /** The command that answers text without a leading slash. */
  defaultCommand: string;
}

/** A registered command with its lookup tables built once. */
interface Entry {
  command: AnyCommand;
  subcommands: Map<string, Subcommand<KnowledgeServices>>;
  actions: Map<string, Action<KnowledgeServices>>;
  booleans: string[];
}

/** How a typed word is looked up: full-width folded, case-insensitive. */
function wordKey(word: string): string {
  return word.normalize('NFKC').trim().toLowerCase();
}

/**
 * Characters that show as nothing (zero-width space and joiners, word joiner, BOM, soft hyphen):
 * pasted from web pages and documents, they would split 大连 into two unknown words, or make an
 * empty-looking message a question about nothing.
 */
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;

export class Router<S extends KnowledgeServices = KnowledgeServices> {
  private readonly byName = new Map<string, Entry>();

  constructor(
    readonly commands: readonly AnyCommand[],
    private readonly opts: RouterOptions,
  ) {
    for (const command of commands) {
      const subcommands = new Map<string, Subcommand<KnowledgeServices>>();
      for (const sub of (command.subcommands ?? []) as Subcommand<KnowledgeServices>[]) {
        for (const n of sub.names) subcommands.set(wordKey(n), sub);
      }
      // Object.entries reads own properties only: `constructor` or `__proto__` never become actions.
      const actions = new Map(Object.entries((command.actions ?? {}) as Record<string, Action<KnowledgeServices>>));
      const entry: Entry = { command, subcommands, actions, booleans: booleanFlags(command) };
      for (const n of [command.name, ...(command.aliases ?? [])]) this.byName.set(wordKey(n), entry);
    }
    if (!this.byName.has(opts.defaultCommand)) throw new Error(`default command ${opts.defaultCommand} not registered`);
  }

  find(name: string): AnyCommand | undefined {
    return this.byName.get(wordKey(name))?.command;
  }

  /** Split `/cmd@bot args` into name and argument text; undefined when not a command. */
  static splitCommand(text: string): { name: string; rest: string } | undefined {
    const m = /^[/／]([^\s@/]+)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!m) return undefined;
    return { name: m[1]!, rest: (m[2] ?? '').trim() };
  }

  async handle(inbound: Inbound, services: S): Promise<Reply> {
    const ctx: CommandContext<S> = { inbound, services, commands: this.commands };
    // The audit action a refusal is written under; set as the command and subcommand resolve.
    let action = 'command';
    const timer = metrics.replyLatency.startTimer();
    try {
      const text = inbound.text.replace(INVISIBLE, '').trim();
      if (text.length > MAX_INBOUND_CHARS) throw new UserError(msg.common.tooLong(MAX_INBOUND_CHARS));
      if (!text) throw new UserError(msg.common.emptyMessage);
      const split = Router.splitCommand(text);
      const entry = this.byName.get(wordKey(split ? split.name : this.opts.defaultCommand));
      if (!entry) throw new UserError(msg.common.unknownCommand(split!.name));
      action = entry.command.name;
      return await this.run(entry, split ? split.rest : text, ctx, (a) => {
        action = a;
      });
    } catch (e) {
      return this.failure(e, ctx, action);
    } finally {
      timer({ command: action.split('.')[0] });
    }
  }

  /** Route a button press to `<command>.<action>`, enforcing the action's role. */
  async press(inbound: Inbound, services: S): Promise<ActionResult> {
    const ctx: CommandContext<S> = { inbound, services, commands: this.commands };
    const press = inbound.press;
    const [cmdName = '', key = ''] = (press?.action ?? '').split('.', 2);
    const action = `${cmdName}.${key}`;
    try {
      const handler = this.byName.get(wordKey(cmdName))?.actions.get(key);
      if (!press || !handler || press.value.length > MAX_PRESS_VALUE) return { toast: msg.common.staleButton };
      if (handler.role) await requireRole(services.access, inbound.user, handler.role);
      return await handler.run(ctx, press.value);
    } catch (e) {
      const reply = await this.failure(e, ctx, action);
      // A refusal's text may quote the value pressed: cut it to what a toast can show.
      return { toast: clip(reply.blocks[0]?.text ?? msg.common.staleButton, TOAST_MAX) };
    }
  }

  private async run(entry: Entry, argText: string, ctx: CommandContext<S>, setAction: (a: string) => void): Promise<Reply> {
    const { command } = entry;
    if (command.role) await this.withUsage(() => requireRole(ctx.services.access, ctx.inbound.user, command.role!), command.usage);
    // parseArgs builds a ParsedArgs itself: no schema check here, on every message.
    const parsed = parseArgs(argText, entry.booleans);
    const first = parsed.words[0];
    const sub = first !== undefined ? entry.subcommands.get(wordKey(first)) : command.defaultSubcommand ? entry.subcommands.get(command.defaultSubcommand) : undefined;
    if (sub) {
      setAction(`${command.name}.${sub.names[0]}`);
      // A refusal shows the usage of the subcommand that was used, as an argument error does.
      if (sub.role) await this.withUsage(() => requireRole(ctx.services.access, ctx.inbound.user, sub.role!), sub.usage);
      checkFlags(parsed, sub.flags ?? {}, sub.usage);
      return this.withUsage(() => sub.run(ctx, first !== undefined ? dropFirstWord(parsed) : parsed), sub.usage);
    }
    if (!command.run) {
      throw new UserError(first === undefined ? msg.common.missingSubcommand : msg.common.unknownSubcommand(first), command.usage);
    }
    checkFlags(parsed, command.flags ?? {}, command.usage);
    let args: unknown = parsed;
    if (command.args) {
      const r = command.args.safeParse(parsed);
      if (!r.success) throw new UserError(msg.common.badArgs(r.error.issues.map((i) => i.message).join('；')), command.usage);
      args = r.data;
    }
    const run = command.run;
    return this.withUsage(() => run(ctx, args), command.usage);
  }

  /**
   * Services raise UserErrors (unknown region, unknown alert id …) without knowing which command
   * was typed; the user still gets the usage line of the (sub)command with the reason.
   */
  private async withUsage<T>(run: () => Promise<T>, usage: string): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof Refusal && e.usage === undefined) throw new Refusal(e.message, e.detail, usage);
      if (e instanceof UserError && !(e instanceof Refusal) && e.usage === undefined) throw new UserError(e.message, usage);
      throw e;
    }
  }

  private async failure(e: unknown, ctx: CommandContext<S>, action: string): Promise<Reply> {
    if (e instanceof Refusal) await this.auditRefusal(e, ctx, action);
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

  /** The refusal still stands when the audit log cannot be written; the log keeps the trace. */
  private async auditRefusal(e: Refusal, ctx: CommandContext<S>, action: string): Promise<void> {
    try {
      await ctx.services.audit.record({ user: ctx.inbound.user, chat: ctx.inbound.chat, action: `${action}.denied`, detail: e.detail });
    } catch (err) {
      ctx.services.log.warn('refusal not audited', { err, action, user: ctx.inbound.user.id });
    }
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
