/**
 * The project's layering, checked by `npm run lint` (and so by `npm test`). Each rule's name and
 * comment are what a violation prints. Wings and their places are described in README "Layout".
 */
const SERVICE_WINGS = '^src/(alerts|broadcasts|groups|roles|scheduling|delivery)/';
const PLATFORM_SDKS = '^node_modules/(grammy|@grammyjs|@slack)/';
/** Process-level code: entry points and the bench may wire anything together. */
const PROCESS_LEVEL = '^src/(cli|bench|bin)/|^src/cli\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles (type-only ones too) make the load order fragile and the layers meaningless: move the shared contract into a file both sides import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'commands-know-no-platform',
      severity: 'error',
      comment: 'commands/ speak the one Inbound/Reply shape: they never import a platform SDK or src/platforms/ (adapters translate at the edge).',
      from: { path: '^commands/' },
      to: { path: [PLATFORM_SDKS, '^src/platforms/'] },
    },
    {
      name: 'commands-touch-no-store',
      severity: 'error',
      comment: 'commands/ call services; they never reach Redis, BullMQ or src/store/ themselves.',
      from: { path: '^commands/' },
      to: { path: ['^node_modules/(ioredis|bullmq)/', '^src/store/', '^jobs/'] },
    },
    {
      name: 'knowledge-is-read-only',
      severity: 'error',
      comment: 'src/knowledge/ is the read-only corpus: it never imports a service, a store, a platform or a queue.',
      from: { path: '^src/knowledge/' },
      to: {
        path: [SERVICE_WINGS, '^src/(platforms|store|http|render|pictures)/', '^src/(app|router|services)\\.ts$', '^commands/', '^jobs/', PLATFORM_SDKS, '^node_modules/(ioredis|bullmq)/'],
      },
    },
    {
      name: 'services-never-import-commands',
      severity: 'error',
      comment: 'Services own state and behaviour; commands call them, never the reverse. Only the composition root (src/app.ts) and process-level code list the commands.',
      from: { path: '^src/', pathNot: [PROCESS_LEVEL, '^src/app\\.ts$'] },
      to: { path: '^commands/' },
    },
    {
      name: 'services-reach-chats-through-delivery',
      severity: 'error',
      comment: 'Services reach chats only through src/delivery/ (the outbox) and the Sender port (src/delivery/sender.ts), never through a platform adapter or SDK.',
      from: { path: [SERVICE_WINGS, '^src/knowledge/'] },
      to: { path: ['^src/platforms/', PLATFORM_SDKS] },
    },
    {
      name: 'no-entry-point-imports',
      severity: 'error',
      comment: 'Nothing under src/ (but process-level code) and nothing in jobs/ imports an entry point in src/cli/. Shared process contracts live in src/process.ts, queue names and options in jobs/queues.ts.',
      from: { path: '^src/|^jobs/', pathNot: PROCESS_LEVEL },
      to: { path: ['^src/cli/', '^src/cli\\.ts$'] },
    },
    {
      name: 'src-never-imports-jobs-processors',
      severity: 'error',
      comment: 'src/ reaches jobs/ only for queue names and options (jobs/queues.ts); processors and worker starters are wired by process-level code.',
      from: { path: '^src/', pathNot: PROCESS_LEVEL },
      to: { path: '^jobs/(?!queues\\.ts$)' },
    },
    {
      name: 'no-test-imports',
      severity: 'error',
      comment: 'Production code never imports from tests/.',
      from: { path: '^(src|commands|jobs)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API; swc parses the sources, type-only imports included.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|commands|jobs|tests|node_modules)/',
    reporterOptions: { text: { highlightFocused: true } },
  },
};
