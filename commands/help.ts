/** /help — every registered command with its summary and usage. */
import { z } from 'zod';
import { defineCommand } from '../src/command.ts';
import { msg } from '../src/i18n/index.ts';

const T = msg.knowledge;

export const help = defineCommand({
  name: 'help',
  aliases: ['start', '帮助'],
  role: null,
  summary: T.helpSummary,
  usage: T.helpUsage,
  args: z.object({ text: z.string(), words: z.array(z.string()), flags: z.record(z.string(), z.union([z.string(), z.literal(true)])) }),
  async run(ctx) {
    return {
      title: T.helpTitle,
      blocks: ctx.commands.map((c) => ({ text: `${T.helpLine(c.name, (c.aliases ?? []).map((a) => `/${a}`).join(' '), c.summary)}\n  ${c.usage}` })),
      footer: T.helpFooter,
      tone: 'answer',
    };
  },
});
