/** The console chat and console Sender, driven through streams. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { msg } from '../../src/i18n/index.ts';
import { ConsoleChat, ConsoleSender } from '../../src/platforms/console.ts';
import { fixtureApp } from './fixture.ts';

describe('console chat', () => {
  it('answers lines in order, presses buttons by number, and ends at end of input', async () => {
    const { router, services } = fixtureApp();
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => (out += d.toString()));
    const chat = new ConsoleChat({ router, services, input, output });
    const done = chat.start();
    input.write('/echo 大连\n');
    input.write('!1\n');
    input.write('!9\n');
    input.end('大连和谁结对？\n');
    await done;
    expect(out).toContain(msg.platforms.consoleWelcome);
    expect(out).toContain('你说：大连 <b>&</b>');
    expect(out).toContain('[1] 再来');
    expect(out).toContain('（已收到：大连）');
    expect(out).toContain('再说一遍：大连');
    expect(out).toContain(msg.platforms.consoleNoSuchButton);
    expect(out).toContain('问：大连和谁结对？');
    expect(out.indexOf('你说：大连')).toBeLessThan(out.indexOf('问：大连和谁结对？'));
    expect(out).toContain(msg.platforms.consoleBye);
  });

  it('prints deliveries with their destination', async () => {
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => (out += d.toString()));
    const sender = new ConsoleSender(output);
    const sent = await sender.send({ platform: 'console', chatId: '沪连协作' }, { blocks: [{ text: '通知' }] });
    await sender.edit({ platform: 'console', chatId: '沪连协作' }, sent.messageId, { blocks: [{ text: '已送达 1/1' }] });
    expect(out).toContain('[→ 沪连协作 #1]');
    expect(out).toContain('已送达 1/1');
  });
});
