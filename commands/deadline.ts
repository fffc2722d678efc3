/**
 * /deadline — the plans' deadlines, targets and recurring obligations, filtered by region,
 * department, year or a free question, with --overdue / --upcoming against the service clock.
 * Subcommands (e.g. add/done for an office's own deadlines) register in `deadlineSubcommands`;
 * anything else is a query.
 */
import { z } from 'zod';
import type { ParsedArgs } from '../src/args.ts';
import { type CommandContext, defineCommand } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { deadlineQuery } from '../src/knowledge/answer.ts';
import type { Reply } from '../src/messages.ts';
import { officeDeadlineBlock, officeDeadlineSubcommands } from './deadline-office.ts';

const T = msg.knowledge;

export type DeadlineSubcommand = (ctx: CommandContext, args: ParsedArgs) => Promise<Reply>;

/** Subcommands by first word; the query form handles everything else. */
export const deadlineSubcommands: Record<string, DeadlineSubcommand> = { ...officeDeadlineSubcommands };

async function query(ctx: CommandContext, args: ParsedArgs): Promise<Reply> {
  const state = args.flags.overdue ? 'overdue' : args.flags.upcoming ? 'upcoming' : undefined;
  for (const w of args.words) if (/^\d+$/.test(w) && !/^\d{4}$/.test(w)) throw new UserError(T.deadlineBadYear(w), T.deadlineUsage);
  const reply = deadlineQuery(ctx.services.knowledge, args.words, { now: ctx.services.clock.now(), state }).reply;
  // The offices' own deadlines (/deadline add), filtered the same way, follow the documents'.
  // `xiezuo ask` runs the knowledge commands without Redis: there are no office deadlines then.
  const hasOffice = (ctx.services as Partial<typeof ctx.services>).officeDeadlines !== undefined;
  const office = hasOffice ? await officeDeadlineBlock(ctx, args.words, state) : undefined;
  return office ? { ...reply, blocks: [...reply.blocks, office] } : reply;
}

export const deadline = defineCommand({
  name: 'deadline',
  aliases: ['deadlines', '期限'],
  role: 'official',
  summary: T.deadlineSummary,
  usage: T.deadlineUsage,
  booleans: ['overdue', 'upcoming'],
  args: z.object({ text: z.string(), words: z.array(z.string()), flags: z.record(z.string(), z.union([z.string(), z.literal(true)])) }),
  async run(ctx, args) {
    const first = args.words[0]?.toLowerCase();
    const sub = first ? deadlineSubcommands[first] : undefined;
    if (sub) return sub(ctx, { ...args, words: args.words.slice(1) });
    return query(ctx, args);
  },
});
