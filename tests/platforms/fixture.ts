/**
 * A small router and service set for adapter tests: a few commands that exercise the edges
 * (buttons, long replies, errors) without depending on the knowledge base or Redis.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ask as askCommand } from '../../commands/ask.ts';
import { deadline } from '../../commands/deadline.ts';
import { help as help_ } from '../../commands/help.ts';
import { pair } from '../../commands/pair.ts';
import { toc } from '../../commands/toc.ts';
import { EnvAccess } from '../../src/roles/access.ts';
import type { ParsedArgs } from '../../src/args.ts';
import { type AnyCommand, defineCommand } from '../../src/command.ts';
import { loadConfig } from '../../src/config.ts';
import { type Clock, systemClock } from '../../src/clock.ts';
import { Knowledge } from '../../src/knowledge/knowledge.ts';
import { createLogger } from '../../src/log.ts';
import { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';

const anyArgs = z.custom<ParsedArgs>();

export const LONG_VALUE = '这是一个很长的按钮值，超过了 Telegram 的六十四字节限制，因此必须换成短令牌';

const echo = defineCommand({
  name: 'echo',
  role: null,
  summary: '回声',
  usage: '/echo 文字',
  args: anyArgs,
  async run(_ctx, args) {
    return {
      title: '回声',
      blocks: [{ text: `你说：${args.text} <b>&</b>`, citation: '《测试》一（一）' }],
      buttons: [[{ label: '再来', action: 'echo.again', value: args.text || '空' }], [{ label: '长', action: 'echo.again', value: LONG_VALUE }]],
    };
  },
  actions: {
    again: {
      role: null,
      async run(_ctx, value) {
        return { toast: `已收到：${value}`.slice(0, 50), edit: { blocks: [{ text: `再说一遍：${value}` }] } };
      },
    },
  },
});

/** A reply of many long blocks, to exercise splitting. */
const long = defineCommand({
  name: 'long',
  role: null,
  summary: '长回复',
  usage: '/long',
  args: anyArgs,
  async run() {
    const blocks = Array.from({ length: 12 }, (_, i) => ({
      heading: `第${i + 1}条`,
      text: `${`${'条款内容'.repeat(200)}。`.repeat(1)}<${i}>`,
    }));
    return { blocks, buttons: [[{ label: '更多', action: 'echo.again', value: 'more' }]] };
  },
});

const boom = defineCommand({
  name: 'boom',
  role: null,
  summary: '内部错误',
  usage: '/boom',
  args: anyArgs,
  async run() {
    throw new Error('kaboom');
  },
});

const ask = defineCommand({
  name: 'ask',
  role: null,
  summary: '提问',
  usage: '/ask 问题',
  args: anyArgs,
  async run(_ctx, args) {
    return { blocks: [{ text: `问：${args.text}` }] };
  },
});

const help = defineCommand({
  name: 'help',
  role: null,
  summary: '帮助',
  usage: '/help',
  args: anyArgs,
  async run() {
    return { blocks: [{ text: '帮助：/echo /long' }] };
  },
});

const fixtureCommands: AnyCommand[] = [ask, echo, long, boom, help];

export function fixtureApp(): { router: Router; services: Services } {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const services = {
    config,
    clock: systemClock,
    log: createLogger('silent'),
    access: { hasRole: async () => true },
  } as unknown as Services;
  return { router: new Router(fixtureCommands, { defaultCommand: 'ask' }), services };
}

/**
 * The real knowledge commands over the seed corpus, for end-to-end tests of knowledge replies
 * and their buttons through an adapter. The clock is injected so period and deadline marks are
 * fixed; access is open to everyone (as XIEZUO_OPEN_ASK would make it).
 */
export async function knowledgeApp(clock: Clock): Promise<{ router: Router; services: Services; knowledge: Knowledge }> {
  const knowledge = await Knowledge.load({ seedsDir: fileURLToPath(new URL('../../seeds', import.meta.url)) });
  const services = {
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    clock,
    log: createLogger('silent'),
    access: new EnvAccess(new Set(), true),
    knowledge,
  } as unknown as Services;
  return { router: new Router([askCommand, pair, deadline, toc, help_], { defaultCommand: 'ask' }), services, knowledge };
}
