/**
 * An adapter as `xiezuo start` runs it in HTTP mode (Slack's Events API, Telegram's webhook): on
 * its own HttpServer on a free loopback port, started. Tests post what the platform would to `url`.
 */
import { HttpServer } from '../../src/http/server.ts';
import { type Logger, createLogger } from '../../src/log.ts';
import type { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';

export interface HttpBot<A> {
  adapter: A;
  http: HttpServer;
  /** Where the platform would POST (events, updates, interactivity). */
  url: string;
  close(): Promise<void>;
}

/** What every adapter takes from the process it runs in. */
interface AdapterParts {
  router: Router;
  services: Services;
  log: Logger;
  http: HttpServer;
}

export async function startHttpBot<A extends { start(): Promise<void>; stop(): Promise<void> }>(
  path: string,
  app: { router: Router; services: Services },
  make: (parts: AdapterParts) => A,
): Promise<HttpBot<A>> {
  const http = new HttpServer(createLogger('silent'));
  const port = await http.listen(0, '127.0.0.1');
  const adapter = make({ router: app.router, services: app.services, log: createLogger('silent'), http });
  await adapter.start();
  return {
    adapter,
    http,
    url: `http://127.0.0.1:${port}${path}`,
    close: async () => {
      await adapter.stop();
      await http.close();
    },
  };
}
