/**
 * `xiezuo ask [--json] [--plans DIR]… ["问题"]`: answer from the knowledge base without any
 * platform or Redis. With no question, reads one question per line from stdin and answers each
 * in order (one JSON line each with --json). A line starting with "/" runs the knowledge
 * commands (/pair, /deadline, /toc, /help) as the console chat would.
 */
import { createInterface } from 'node:readline';
import { systemClock } from '../clock.ts';
import { UserError } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import type { Knowledge } from '../knowledge/knowledge.ts';
import { loadKnowledgeCached } from '../knowledge/snapshot.ts';
import { knowledgeSettingsFromEnv, knowledgeSources } from '../knowledge/sources.ts';
import type { Inbound, Reply } from '../messages.ts';
import { renderText } from '../render/text.ts';
import type { Router } from '../router.ts';
import type { KnowledgeServices } from '../services.ts';
import { type KnowledgeCliArgs, parseKnowledgeArgs } from './knowledge-args.ts';

const USAGE = msg.startup.cli.askUsage;

export interface AskOutput {
  question: string;
  intent: string;
  text: string;
  results: unknown[];
}

/**
 * The router and services for "/" lines, loaded on the first one: a plain question needs neither
 * the config schema (zod), the router nor the commands, and a fresh `xiezuo ask "…"` answers
 * faster without loading them.
 */
async function commandRouter(knowledge: Knowledge): Promise<{ router: Router<KnowledgeServices>; services: KnowledgeServices }> {
  const [{ EnvAccess }, { loadConfig }, { createLogger }, { Router }, { ask }, { deadline }, { help }, { pair }, { toc }] = await Promise.all([
    import('../roles/access.ts'),
    import('../config.ts'),
    import('../log.ts'),
    import('../router.ts'),
    import('../../commands/ask.ts'),
    import('../../commands/deadline.ts'),
    import('../../commands/help.ts'),
    import('../../commands/pair.ts'),
    import('../../commands/toc.ts'),
  ]);
  const config = loadConfig();
  // Only the knowledge commands: they need nothing but the knowledge base and a clock.
  const log = createLogger('silent');
  const services: KnowledgeServices = {
    config,
    clock: systemClock,
    log,
    knowledge,
    access: new EnvAccess(new Set(), true),
    // No Redis here: a refusal (none of these commands refuses today) goes to the log.
    audit: {
      async record(e) {
        log.warn('audit (offline)', { action: e.action, detail: e.detail });
        return '';
      },
    },
  };
  const router = new Router<KnowledgeServices>([ask, pair, deadline, toc, help], { defaultCommand: 'ask' });
  return { router, services };
}

/** Answers one line the way the console chat would, without touching Redis. */
export function makeAsker(knowledge: Knowledge): (question: string) => Promise<AskOutput> {
  let commands: ReturnType<typeof commandRouter> | undefined;
  return async (question: string) => {
    if (question.trim().startsWith('/') || question.trim().startsWith('／')) {
      commands ??= commandRouter(knowledge);
      const { router, services } = await commands;
      const inbound: Inbound = {
        platform: 'console',
        chat: { platform: 'console', chatId: 'cli' },
        chatType: 'private',
        user: { platform: 'console', id: 'cli' },
        text: question,
        receivedAt: new Date(systemClock.now()),
      };
      const reply: Reply = await router.handle(inbound, services);
      return { question, intent: 'command', text: renderText(reply), results: [] };
    }
    const a = knowledge.answer(question, { now: systemClock.now() });
    return { question, intent: a.intent, text: renderText(a.reply), results: a.results };
  };
}

export async function main(argv: string[]): Promise<number> {
  let args: KnowledgeCliArgs;
  try {
    args = parseKnowledgeArgs(argv, USAGE);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`${e.message}\n${msg.common.usagePrefix}${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${msg.common.usagePrefix}${USAGE}\n`);
    return 0;
  }
  // A reader that stops early (| head -1) closes the pipe: the answers left have nowhere to go.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  const { knowledge } = await loadKnowledgeCached(knowledgeSources(knowledgeSettingsFromEnv(), args.planDirs));
  const answer = makeAsker(knowledge);
  const print = (o: AskOutput) => process.stdout.write(args.json ? `${JSON.stringify(o)}\n` : `${o.text}\n\n`);
  if (args.positional.length) {
    print(await answer(args.positional.join(' ')));
    return 0;
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    print(await answer(line.trim()));
  }
  return 0;
}
