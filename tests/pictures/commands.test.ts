/**
 * The pictures beside the status reports: `/broadcast status ID` carries the delivery chart and
 * `/alert status ID` the acknowledgement timeline, each with its text report unchanged — against
 * a real redis-server, the real services and commands.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ack } from '../../commands/ack.ts';
import { alert } from '../../commands/alert.ts';
import { defineCommand } from '../../src/command.ts';
import { loadConfig } from '../../src/config.ts';
import { msg } from '../../src/i18n/index.ts';
import { createLogger } from '../../src/log.ts';
import type { Inbound } from '../../src/messages.ts';
import { Pictures } from '../../src/pictures/pictures.ts';
import { renderText } from '../../src/render/text.ts';
import { RoleStore } from '../../src/roles/store.ts';
import { Router } from '../../src/router.ts';
import type { Services } from '../../src/services.ts';
import { harness, telegramInbound } from '../alerts/fixture.ts';
import { RecordingSender, buildApp } from '../delivery/harness.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import { decodePng } from './png.ts';

const T = msg.pictures;
let redis: RedisServer;
let pictures: Pictures;
beforeAll(async () => {
  redis = await startRedis();
  pictures = new Pictures();
});
afterAll(async () => {
  await pictures.close();
  await redis?.dispose();
});

function inbound(text: string, user: string, chatId = user, press?: { action: string; value: string; messageId?: string }): Inbound {
  return telegramInbound(text, user, chatId, press ? { press } : {});
}

describe('/broadcast status', () => {
  it('shows the delivery chart beside the text report', async () => {
    const app = await buildApp(redis.url, { telegram: new RecordingSender('telegram'), slack: new RecordingSender('slack') });
    try {
      const { services, router } = app;
      await services.roles.grant('telegram:2', 'coordinator');
      const b = await services.broadcasts.draft({
        group: '沪滇',
        text: '请报送进度',
        by: { platform: 'telegram', id: '2', name: '协调员' },
        chat: { platform: 'telegram', chatId: '2' },
        destinations: [
          { platform: 'telegram', chatId: '-1001' },
          { platform: 'slack', chatId: 'C1' },
          { platform: 'slack', chatId: 'C2' },
        ],
      });
      const r = await router.handle(inbound(`/broadcast status ${b.id}`, '2'), services);
      expect(renderText(r)).toContain(b.id);
      expect(r.image?.name).toBe(`broadcast-${b.id}.png`);
      expect(r.image!.alt).toContain(T.chartAltLine(T.chartPlatformRow('Slack'), 0, 2, 0, 2));
      expect(decodePng(r.image!.png)).toMatchObject({ width: 1000, height: r.image!.height });
    } finally {
      await app.close();
    }
  });
});

describe('/alert status ID', () => {
  it('shows the acknowledgement timeline beside the text timeline', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const h = await harness(redis.url, prefix);
    try {
      const roles = new RoleStore({ redis: h.redis, prefix, admins: new Set(), openAsk: true });
      await roles.grant('telegram:100', 'emergency');
      const services = {
        config: loadConfig({}),
        clock: h.clock,
        log: createLogger('silent'),
        access: roles,
        roles,
        audit: { record: async () => 'x' },
        alerts: h.service,
        pictures,
      } as unknown as Services;
      const ask = defineCommand({ name: 'ask', role: null, summary: '', usage: '', args: z.any(), run: async () => ({ blocks: [] }) });
      const router = new Router([ask, alert, ack], { defaultCommand: 'ask' });
      const sent = await router.handle(inbound('/alert 文山 地震 II 州府震感强烈', '100'), services);
      const id = sent.title!.split(' ')[1]!;
      h.clock.advance(3 * 60_000);
      const chat = h.chats['上海应急']!.split(':')[1]!;
      await router.press(inbound('', '777', chat, { action: 'alert.ack', value: id, messageId: '1' }), services);
      const r = await router.handle(inbound(`/alert status ${id}`, '100'), services);
      expect(renderText(r)).toContain('时间线');
      expect(r.image?.name).toBe(`alert-${id}.png`);
      expect(r.image!.alt).toMatch(/上海应急：发出 \d\d:\d\d(:\d\d)?，收到确认 \d\d:\d\d(:\d\d)?/);
      expect(r.image!.alt).toMatch(/文山应急：发出 \d\d:\d\d(:\d\d)?，尚未确认/);
      expect(decodePng(r.image!.png).width).toBe(1100);
    } finally {
      await h.close();
    }
  });
});
