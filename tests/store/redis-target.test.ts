import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { StartupError } from '../../src/errors.ts';
import { describeTarget, redisTarget } from '../../src/store/redis.ts';
import { keyspace } from '../../src/store/keys.ts';

describe('Redis connection modes in the configuration', () => {
  it('single mode by default, from REDIS_URL; the log line shows no password', () => {
    const t = redisTarget(loadConfig({ REDIS_URL: 'redis://:secret@10.0.0.5:6380/2' }));
    expect(t).toEqual({ mode: 'single', url: 'redis://:secret@10.0.0.5:6380/2' });
    expect(JSON.stringify(describeTarget(t))).not.toContain('secret');
  });

  it('Sentinel mode overrides REDIS_URL and says so', () => {
    const c = loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379', REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379', REDIS_SENTINEL_NAME: 'xz', REDIS_PASSWORD: 'pw' });
    const t = redisTarget(c);
    expect(t).toMatchObject({ mode: 'sentinel', name: 'xz', password: 'pw', sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }] });
    expect(describeTarget(t)).toMatchObject({ mode: 'sentinel', note: 'REDIS_URL ignored' });
    expect(JSON.stringify(describeTarget(t))).not.toContain('pw');
  });

  it('Cluster mode from REDIS_CLUSTER_NODES', () => {
    expect(redisTarget(loadConfig({ REDIS_CLUSTER_NODES: 'a.example:7000,[::1]:7001' }))).toMatchObject({
      mode: 'cluster',
      nodes: [{ host: 'a.example', port: 7000 }, { host: '::1', port: 7001 }],
    });
  });

  it('refuses a malformed list, and Sentinel and Cluster together, with a Chinese message naming the variable', () => {
    for (const env of [{ REDIS_SENTINELS: '10.0.0.1' }, { REDIS_CLUSTER_NODES: 'h:99999' }, { REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2' }]) {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(env)).toBeInstanceOf(StartupError);
      expect((err as Error).message).toMatch(/REDIS_(SENTINELS|CLUSTER_NODES)/);
      expect((err as Error).message).toMatch(/主机:端口|只能设置其一/);
    }
  });
});

describe('key layout', () => {
  it('every family key carries the family hash tag', () => {
    expect(keyspace('xiezuo', 'groups')('name', '沪滇')).toBe('{xiezuo:groups}:name:沪滇');
  });
});
