/**
 * /deadline — the plans' deadlines, targets and recurring obligations, filtered by region,
 * department, year or a free question, with --overdue / --upcoming against the service clock.
 * add/done manage an office's own deadlines (commands/deadline-office.ts); anything else is a query.
 */
import type { ParsedArgs } from '../src/args.ts';
import type { CommandContext } from '../src/command.ts';
import { UserError } from '../src/errors.ts';
import { msg } from '../src/i18n/index.ts';
import { deadlineQuery } from '../src/knowledge/answer.ts';
import type { Reply } from '../src/messages.ts';
import { knowledgeCommand } from './knowledge-command.ts';
import { type DeadlineServices, officeDeadlineBlock, officeDeadlineSubcommands } from './deadline-office.ts';

const T = msg.knowledge;

async function query(ctx: CommandContext<DeadlineServices>, args: ParsedArgs): Promise<Reply> {
  if (args.flags.overdue && args.flags.upcoming) throw new UserError(T.deadlineBothStates, T.deadlineUsage);
  const state = args.flags.overdue ? 'overdue' : args.flags.upcoming ? 'upcoming' : undefined;
  // ２０２５ is 2025: a phone's full-width digits filter like ASCII ones.
  const words = args.words.map((w) => w.normalize('NFKC'));
  for (const w of words) if (/^\d+$/.test(w) && !/^\d{4}$/.test(w)) throw new UserError(T.deadlineBadYear(w), T.deadlineUsage);
  const reply = deadlineQuery(ctx.services.knowledge, words, { now: ctx.services.clock.now(), state }).reply;
  // The offices' own deadlines (/deadline add), filtered the same way, follow the documents'.
  // `xiezuo ask` runs the knowledge commands without Redis: there are no office deadlines then.
  const office = await officeDeadlineBlock(ctx, words, state);
  return office ? { ...reply, blocks: [...reply.blocks, office] } : reply;
}

export const deadline = knowledgeCommand<DeadlineServices>('deadline', ['deadlines', '期限'], {
  subcommands: officeDeadlineSubcommands,
  flags: { booleans: ['overdue', 'upcoming'] },
  run: query,
});
