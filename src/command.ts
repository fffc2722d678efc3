/**
 * The contract every chat command in commands/ follows: a name, aliases, the role it needs, one
 * zod schema over its parsed arguments, and `run → Reply`. Commands never touch Redis or a
 * platform SDK: they call services and return the reply shape.
 */
import type { z } from 'zod';
import { type FlagSpec, type ParsedArgs, flagProblem } from './args.ts';
import { UserError } from './errors.ts';
import { msg } from './i18n/index.ts';
import type { Inbound, Reply } from './messages.ts';
import type { Role } from './roles.ts';
import type { Services } from './services.ts';

export interface CommandContext {
  inbound: Inbound;
  services: Services;
  /** Every registered command, for /help. */
  commands: readonly Command<any>[];
}

/** What a button press produces: a toast on the button, an edit of its message, a new reply. */
export interface ActionResult {
  toast?: string;
  edit?: Reply;
  reply?: Reply;
}

export interface Command<A = unknown> {
  name: string;
  aliases?: readonly string[];
  /** Role needed to run it at all; null = anyone. Subcommands may check finer roles themselves. */
  role: Role | null;
  /** One line for /help. */
  summary: string;
  /** The usage line shown with every argument error. */
  usage: string;
  /** Flags that take no value. */
  booleans?: readonly string[];
  args: z.ZodType<A, ParsedArgs>;
  run(ctx: CommandContext, args: A): Promise<Reply>;
  /**
   * Button handlers, keyed by action name. A button's `action` is `<command>.<key>`; presses are
   * routed here with the button's value.
   */
  actions?: Record<string, (ctx: CommandContext, value: string) => Promise<ActionResult>>;
}

/** Identity helper that keeps the argument type inferred from the schema. */
export function defineCommand<A>(c: Command<A>): Command<A> {
  return c;
}

/**
 * Refuse, with `usage`, a flag the (sub)command does not take or a value-taking flag given no
 * value — before anything is stored. Subcommands call it with their own flags and usage line.
 */
export function checkFlags(a: Pick<ParsedArgs, 'flags'>, spec: FlagSpec, usage: string): void {
  const p = flagProblem(a, spec);
  if (!p) return;
  if (p.kind === 'noValue') throw new UserError(msg.common.flagNeedsValue(p.flag), usage);
  throw new UserError(msg.common.unknownFlag(p.flag, p.known, p.suggestion), usage);
}
