/** /help — every registered command with its summary and usage. */
import type { ParsedArgs } from '../src/args.ts';
import { defineCommand } from '../src/command.ts';
import type { KnowledgeServices } from '../src/services.ts';
import { msg } from '../src/i18n/index.ts';

const T = msg.knowledge;

export const help = defineCommand<ParsedArgs, KnowledgeServices>({
  name: 'help',
  aliases: ['start', '帮助'],
  role: null,
  summary: T.helpSummary,
  usage: T.helpUsage,
  async run(ctx) {
    return {
      title: T.helpTitle,
      blocks: ctx.commands.map((c) => ({ text: `${T.helpLine(c.name, (c.aliases ?? []).map((a) => `/${a}`).join(' '), c.summary)}\n  ${c.usage}` })),
      footer: T.helpFooter,
      tone: 'answer',
    };
  },
});
