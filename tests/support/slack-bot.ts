/**
 * Real Bolt in HTTP mode, as `xiezuo start` runs it: a SlackAdapter on its own HttpServer on a
 * free loopback port, talking to the local Web API stand-in. Tests post signed requests to `url`.
 */
import type { Clock } from '../../src/clock.ts';
import { HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { SLACK_EVENTS_PATH, SlackAdapter } from '../../src/platforms/slack/adapter.ts';
import type { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';
import type { FakeSlack } from './fake-slack.ts';

export interface SlackBot {
  adapter: SlackAdapter;
  http: HttpServer;
  /** Where Slack would POST events, slash commands and interactivity. */
  url: string;
  close(): Promise<void>;
}

export async function startSlackBot(opts: { slack: FakeSlack; router: Router; services: Services; signingSecret: string; clock?: Clock }): Promise<SlackBot> {
  const http = new HttpServer(createLogger('silent'));
  const port = await http.listen(0, '127.0.0.1');
  const adapter = new SlackAdapter({
    botToken: 'xoxb-test',
    signingSecret: opts.signingSecret,
    apiUrl: opts.slack.apiUrl,
    router: opts.router,
    services: opts.services,
    log: createLogger('silent'),
    http,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await adapter.start();
  return {
    adapter,
    http,
    url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`,
    close: async () => {
      await adapter.stop();
      await http.close();
    },
  };
}
