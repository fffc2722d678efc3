/**
 * Real Bolt in HTTP mode, as `xiezuo start` runs it: a SlackAdapter on its own HttpServer on a
 * free loopback port, talking to the local Web API stand-in. Tests post signed requests to `url`.
 */
import type { Clock } from '../../src/clock.ts';
import type { ReplayGuard } from '../../src/platforms/replay.ts';
import { SLACK_EVENTS_PATH, SlackAdapter } from '../../src/platforms/slack/adapter.ts';
import type { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';
import type { FakeSlack } from './fake-slack.ts';
import { type HttpBot, startHttpBot } from './http-bot.ts';

export type SlackBot = HttpBot<SlackAdapter>;

export async function startSlackBot(opts: {
  slack: FakeSlack;
  router: Router;
  services: Services;
  signingSecret: string;
  clock?: Clock;
  /** In place of the adapter's default guard on the services' Redis (e.g. one that records its answers). */
  replay?: ReplayGuard;
}): Promise<SlackBot> {
  return startHttpBot(SLACK_EVENTS_PATH, opts, (parts) =>
    new SlackAdapter({
      ...parts,
      botToken: 'xoxb-test',
      signingSecret: opts.signingSecret,
      apiUrl: opts.slack.apiUrl,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.replay ? { replay: opts.replay } : {}),
    }),
  );
}
