/**
 * Starts a private redis-server on a free loopback port for one test file, so tests are isolated
 * from the machine's shared Redis and can kill or restart theirs. Never point tests at a server
 * they did not start. One copy lives in src/store/ because the bench uses it too.
 */
export * from '../../src/store/redis-server.ts';
