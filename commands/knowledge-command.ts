/**
 * The header the official knowledge commands (/ask, /pair, /toc, /deadline) share: they need the
 * `official` role, take the plain parsed arguments, and keep their /help line and usage in
 * msg.knowledge under `<name>Summary` / `<name>Usage`. One constructor keeps the four in step.
 */
import type { ParsedArgs } from '../src/args.ts';
import { type Command, defineCommand } from '../src/command.ts';
import { msg } from '../src/i18n/index.ts';
import type { KnowledgeServices } from '../src/services.ts';

type KnowledgeCommandName = 'ask' | 'pair' | 'toc' | 'deadline';
type Header = 'name' | 'aliases' | 'role' | 'summary' | 'usage';

export function knowledgeCommand<S extends KnowledgeServices = KnowledgeServices>(
  name: KnowledgeCommandName,
  aliases: readonly string[],
  body: Omit<Command<ParsedArgs, S>, Header>,
): Command<ParsedArgs, S> {
  return defineCommand<ParsedArgs, S>({
    name,
    aliases,
    role: 'official',
    summary: msg.knowledge[`${name}Summary`],
    usage: msg.knowledge[`${name}Usage`],
    ...body,
  });
}
