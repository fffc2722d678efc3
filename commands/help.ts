/** /help — every registered command with its summary and usage. */
import type { ParsedArgs } from '../src/args.ts';
import { defineCommand } from '../src/command.ts';
import type { KnowledgeServices } from '../src/services.ts';
import { msg } from '../src/i18n/index.ts';
import type { Role } from '../src/roles/roles.ts';

const T = msg.knowledge;

export const help = defineCommand<ParsedArgs, KnowledgeServices>({
  name: 'help',
  aliases: ['start', '帮助'],
  role: null,
  summary: T.helpSummary,
  usage: T.helpUsage,
  async run(ctx) {
    const blocks = [];
    // A handful of roles over a dozen subcommands: each role is asked of the store once.
    const held = new Map<Role, Promise<boolean>>();
    const has = (role: Role) => {
      let p = held.get(role);
      if (!p) {
        p = ctx.services.access.hasRole(ctx.inbound.user, role);
        held.set(role, p);
      }
      return p;
    };
    for (const c of ctx.commands) {
      // Every subcommand the caller may run gets its own usage line (/deadline add, /deadline done …).
      const subs: string[] = [];
      for (const s of c.subcommands ?? []) {
        if (!s.role || (await has(s.role))) subs.push(s.usage);
      }
      const usages = [c.usage, ...subs.filter((u) => u !== c.usage)];
      blocks.push({ text: `${T.helpLine(c.name, (c.aliases ?? []).map((a) => `/${a}`).join(' '), c.summary)}\n${usages.map((u) => `  ${u}`).join('\n')}` });
    }
    return { title: T.helpTitle, blocks, footer: T.helpFooter, tone: 'answer' };
  },
});
