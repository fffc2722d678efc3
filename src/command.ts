/**
 * The contract every chat command in commands/ follows: a name, aliases, the role it needs, the
 * flags it takes, optional subcommands (each with its own role, flags and usage line), button
 * actions (each with the role it needs) and `run → Reply`. The router resolves subcommands and
 * actions through Maps, enforces roles and flags, and audits every refusal, so a command only
 * does its work. Commands never touch Redis or a platform SDK: they call services.
 */
import type { z } from 'zod';
import { type FlagSpec, type ParsedArgs, flagProblem } from './args.ts';
import { UserError } from './errors.ts';
import { msg } from './i18n/index.ts';
import type { Inbound, Reply } from './messages.ts';
import type { Role } from './roles/roles.ts';
import type { CommandServices, KnowledgeServices } from './services.ts';

export interface CommandContext<S extends KnowledgeServices = CommandServices> {
  inbound: Inbound;
  services: S;
  /** Every registered command, for /help. */
  commands: readonly AnyCommand[];
}

/** What a button press produces: a toast on the button, an edit of its message, a new reply. */
export interface ActionResult {
  toast?: string;
  edit?: Reply;
  reply?: Reply;
}

/** A button handler; `role` is enforced (and a refusal audited) by the router before it runs. */
export interface Action<S extends KnowledgeServices = CommandServices> {
  /** null = anyone who can see the button (the handler may still refuse on the data, with Refusal). */
  role: Role | null;
  run(ctx: CommandContext<S>, value: string): Promise<ActionResult>;
}

/** One subcommand: `/meeting add …`. Its first name is canonical and names its audit action. */
export interface Subcommand<S extends KnowledgeServices = CommandServices> {
  names: readonly string[];
  /** Role needed beyond the command's own; omitted = the command's role suffices. */
  role?: Role;
  /** The usage line shown with every argument error of this subcommand. */
  usage: string;
  /** Flags it takes; anything else is refused before it runs. */
  flags?: FlagSpec;
  /** Runs with the subcommand's own word taken off `words` and `rawAfter`. */
  run(ctx: CommandContext<S>, args: ParsedArgs): Promise<Reply>;
}

export interface Command<A = ParsedArgs, S extends KnowledgeServices = CommandServices> {
  name: string;
  aliases?: readonly string[];
  /** Role needed to run it at all; null = anyone. Subcommands may need more. */
  role: Role | null;
  /** One line for /help. */
  summary: string;
  /** The usage line shown with every argument error. */
  usage: string;
  /**
   * Subcommands by their first word. When the first word names none, `run` handles the text (a
   * query, a group name…); without `run`, the word is refused as an unknown subcommand.
   */
  subcommands?: readonly Subcommand<S>[];
  /** The subcommand run when no word is given (`/group` = `/group list`). */
  defaultSubcommand?: string;
  /** Flags `run` takes; anything else is refused before it runs. */
  flags?: FlagSpec;
  /** Refines the parsed arguments for `run` (built on `parsedArgs` from src/args.ts). */
  args?: z.ZodType<A, ParsedArgs>;
  run?(ctx: CommandContext<S>, args: A): Promise<Reply>;
  /** Button handlers, keyed by action name: a button's `action` is `<command>.<key>`. */
  actions?: Readonly<Record<string, Action<S>>>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds commands of every argument type.
export type AnyCommand = Command<any, any>;

/** Identity helper that keeps the argument and service types inferred. */
export function defineCommand<A = ParsedArgs, S extends KnowledgeServices = CommandServices>(c: Command<A, S>): Command<A, S> {
  return c;
}

/**
 * Refuse, with `usage`, a flag the (sub)command does not take or a value-taking flag given no
 * value — before anything is stored or sent.
 */
export function checkFlags(a: Pick<ParsedArgs, 'flags'>, spec: FlagSpec, usage: string): void {
  const p = flagProblem(a, spec);
  if (!p) return;
  if (p.kind === 'noValue') throw new UserError(msg.common.flagNeedsValue(p.flag), usage);
  if (p.kind === 'takesNoValue') throw new UserError(msg.common.flagTakesNoValue(p.flag), usage);
  throw new UserError(msg.common.unknownFlag(p.flag, p.known, p.suggestion), usage);
}

/** Write a privileged action of the caller to the audit log. */
export async function audit(ctx: CommandContext<KnowledgeServices>, action: string, detail: string): Promise<void> {
  await ctx.services.audit.record({ user: ctx.inbound.user, chat: ctx.inbound.chat, action, detail });
}

/** Every boolean flag a command or any of its subcommands declares (the parser needs them first). */
export function booleanFlags(c: AnyCommand): string[] {
  const specs: FlagSpec[] = [c.flags ?? {}, ...((c.subcommands ?? []) as Subcommand[]).map((s) => s.flags ?? {})];
  return [...new Set(specs.flatMap((s) => s.booleans ?? []))];
}
