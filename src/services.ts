/**
 * The service container handed to every command. It is built once in src/app.ts; tests build
 * their own with the same factory and real parts.
 */
import type { Access } from './access.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Knowledge } from './knowledge/knowledge.ts';
import type { Logger } from './log.ts';

export interface Services {
  config: Config;
  clock: Clock;
  log: Logger;
  knowledge: Knowledge;
  access: Access;
}
