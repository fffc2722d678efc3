/** The one HTTP server: routes with params, body limits, JSON errors, /healthz. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { msg } from '../../src/i18n/index.ts';

describe('HttpServer', () => {
  const http = new HttpServer(createLogger('silent'));
  let base: string;
  const healthy = true;

  beforeAll(async () => {
    http.route('POST', '/api/alerts', (req) => ({ status: 201, body: { got: req.json() } }));
    http.route('GET', '/api/alerts/:id', (req) => ({ status: 200, body: { id: req.params.id, q: req.query.get('q') } }));
    http.route('POST', '/small', (req) => ({ status: 200, body: req.text() }), { bodyLimit: 10 });
    http.route('GET', '/teapot', () => {
      throw new HttpError(418, 'teapot', { why: 'tea' });
    });
    http.route('GET', '/boom', () => {
      throw new Error('secret internals');
    });
    http.addHealthCheck('thing', () => ({ ok: healthy, state: healthy ? 'ok' : 'down' }));
    http.addHealthCheck('slow', () => new Promise(() => {}));
    const port = await http.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => http.close());

  it('routes by method and path, with params and JSON bodies', async () => {
    const r = await fetch(`${base}/api/alerts`, { method: 'POST', body: JSON.stringify({ a: 1 }) });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ got: { a: 1 } });
    const g = await fetch(`${base}/api/alerts/A-20261122-03?q=x`);
    expect(await g.json()).toEqual({ id: 'A-20261122-03', q: 'x' });
  });

  it('answers JSON errors: 400 bad JSON, 404, 405, 413, thrown HttpError, 500 without internals', async () => {
    const bad = await fetch(`${base}/api/alerts`, { method: 'POST', body: '{' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_json', message: msg.http.errors.invalid_json });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const m = await fetch(`${base}/api/alerts`);
    expect(m.status).toBe(405);
    const big = await fetch(`${base}/small`, { method: 'POST', body: 'x'.repeat(11) });
    expect(big.status).toBe(413);
    const ok = await fetch(`${base}/small`, { method: 'POST', body: 'x'.repeat(10) });
    expect(await ok.text()).toBe('xxxxxxxxxx');
    const tea = await fetch(`${base}/teapot`);
    expect(tea.status).toBe(418);
    expect(await tea.json()).toEqual({ error: 'teapot', detail: { why: 'tea' } });
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    const body = await boom.text();
    expect(body).not.toContain('secret internals');
    expect(JSON.parse(body).errorId).toMatch(/^E/);
  });

  it('a malformed percent-escape in the path is a 400 with a Chinese message, and the server lives on', async () => {
    const r = await fetch(`${base}/api/alerts/%E0%A4%A`);
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'bad_path', message: msg.http.errors.bad_path });
    const ok = await fetch(`${base}/api/alerts/A-20261122-03`);
    expect(ok.status).toBe(200);
  });

  it('reports components in /healthz and 503 when one is down or hangs', async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(503);
    const report = (await r.json()) as { components: Record<string, { ok: boolean; state: string }> };
    expect(report.components.thing).toEqual({ ok: true, state: 'ok' });
    expect(report.components.slow).toEqual({ ok: false, state: 'timeout' });
  });
});
