/**
 * What a process hands the parts it runs. `xiezuo start` runs StartHooks after the platforms are
 * up (the alert API, the workers); worker families return RunningWorkers. These contracts live
 * here, apart from the entry points in src/cli/, so that parts and jobs never import an entry.
 */
import type { Worker } from 'bullmq';
import type { App } from './app.ts';
import type { Config } from './config.ts';
import type { Senders } from './delivery/sender.ts';
import type { HttpServer } from './http/server.ts';
import type { Logger } from './log.ts';

export interface StartContext {
  config: Config;
  app: App;
  http: HttpServer;
  /** The senders of this process, filled in before hooks run (the same object the services hold). */
  senders: Senders;
  log: Logger;
}

export interface StartHook {
  name: string;
  /** Start the part; return how to stop it (called on shutdown, in reverse order). */
  start(ctx: StartContext): Promise<(() => Promise<void>) | void>;
}

/** Workers one job family runs in this process, and how to close them. */
export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}
