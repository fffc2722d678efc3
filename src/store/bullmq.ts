/**
 * BullMQ at run time, loaded with require(). BullMQ, ioredis and prom-client are CommonJS
 * packages (an `import` of them resolves to the same CommonJS build); imported from an ES
 * module, Node 20 first runs its export-name lexer over every file their index re-exports.
 * require() returns the very same module object without that work — measured here about 150 ms
 * less for BullMQ and 120 ms for ioredis, at every start of the bot. It is also required only
 * when a queue or worker is first built: even required, BullMQ takes ~15% of the way to the
 * console chat's first answer, which needs no queue. Types still come from `import type`.
 */
import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';

let loaded: typeof BullMQ | undefined;

/** BullMQ, required on the first call. */
export function bullmq(): typeof BullMQ {
  loaded ??= createRequire(import.meta.url)('bullmq') as typeof BullMQ;
  return loaded;
}
