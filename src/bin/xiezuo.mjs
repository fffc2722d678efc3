#!/usr/bin/env node
// The published entry point stays plain JavaScript so `npx xiezuo` works straight after
// `npm ci`, with no build step: tsx compiles the TypeScript sources on the fly (and caches).
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
