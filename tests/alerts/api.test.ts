import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useAlertHarness } from './fixture.ts';
import { HttpServer } from '../../src/http/server.ts';
import { authorised, parseTokenDigests, registerAlertApi, tokenDigest } from '../../src/http/alert-api.ts';
import { createLogger } from '../../src/log.ts';
import { msg } from '../../src/i18n/index.ts';

const TOKEN = 'duty-desk-7f3a9c';
const h = useAlertHarness();
let http: HttpServer;
let base: string;
const logged: string[] = [];

beforeEach(async () => {
  const log = createLogger('debug');
  const capture = { ...log, info: (m: string, c?: Record<string, unknown>) => logged.push(m + JSON.stringify(c)), warn: (m: string, c?: Record<string, unknown>) => logged.push(m + JSON.stringify(c)), debug: () => {}, error: (m: string, c?: Record<string, unknown>) => logged.push(m + JSON.stringify(c)), child: () => capture };
  http = new HttpServer(capture);
  registerAlertApi(http, { service: h.service, audit: h.audit, tokens: `${tokenDigest('other-token')},${tokenDigest(TOKEN)}`, log: capture });
  base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
});
afterEach(async () => {
  await http.close();
});

const post = (body: unknown, token: string | null = TOKEN) =>
  fetch(`${base}/api/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const good = { region: '文山', type: '地震', level: 'II', text: '州府震感强烈，已有房屋倒塌', source: '省地震局监测' };

describe('POST /api/alerts', () => {
  it('401 without a token or with a wrong one; nothing sent, token never logged', async () => {
    expect((await post(good, null)).status).toBe(401);
    const wrong = await post(good, 'guess');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'unauthorized' });
    expect(h.outbox.sent).toHaveLength(0);
    expect(logged.join('\n')).not.toContain('guess');
  });

  it('400 listing the fields at fault', async () => {
    const r = await post({ region: '', level: 'V', text: 3, drill: 'yes' });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { fields: { field: string }[] };
    expect(body.fields.map((f) => f.field).sort()).toEqual(['drill', 'level', 'region', 'text', 'type']);
    expect((await post('not json')).status).toBe(400);
    expect(h.outbox.sent).toHaveLength(0);
  });

  it('400 answers speak Chinese: one message per field at fault, and for a body that is not JSON', async () => {
    const r = await post({ region: 5, type: '', level: 'V', text: 'x'.repeat(2001), drill: 'yes', new: 1, source: [] });
    const body = (await r.json()) as { message: string; fields: { field: string; message: string }[] };
    expect(body.message).toBe(msg.alerts.apiBadBody);
    const byField = Object.fromEntries(body.fields.map((f) => [f.field, f.message]));
    for (const field of ['region', 'type', 'level', 'text', 'drill', 'new', 'source'] as const)
      expect(byField[field]).toBe(msg.alerts.apiFields[field]);
    for (const f of body.fields) expect(f.message).toMatch(/[\u4e00-\u9fff]/);
    expect(JSON.stringify(body)).not.toMatch(/Invalid|expected/);
    const list = await post([1, 2]);
    expect(((await list.json()) as { fields: { message: string }[] }).fields[0]?.message).toBe(msg.alerts.apiFields.body);
    const notJson = await post('{"region": ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'invalid_json', message: msg.http.errors.invalid_json });
  });

  it('writes an audit entry for every alert it starts or joins, as api:<source>', async () => {
    await post(good);
    await post({ ...good, text: '续报', source: undefined });
    const entries = await h.audit.latest(5);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ user: 'api:省地震局监测', chat: 'api', action: 'alert.trigger' });
    expect(entries[1]!.detail).toMatch(/^A-20261122-01 sent 文山 地震 II$/);
    expect(entries[0]).toMatchObject({ user: 'api:api', action: 'alert.trigger' });
    expect(entries[0]!.detail).toContain('joined');
  });

  it('201 with id, status and recipients; GET returns state and timeline', async () => {
    const r = await post(good);
    expect(r.status).toBe(201);
    const body = (await r.json()) as { id: string; status: string; recipients: { group: string }[] };
    expect(body.id).toBe('A-20261122-01');
    expect(body.status).toBe('open');
    expect(body.recipients.map((x) => x.group)).toEqual(['文山应急', '上海应急', '应急领导小组']);
    expect(h.outbox.sent).toHaveLength(3);

    const g = await fetch(`${base}/api/alerts/${body.id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(g.status).toBe(200);
    const state = (await g.json()) as { status: string; levelName: string; timeline: { kind: string; by?: string }[]; triggeredBy: { key: string } };
    expect(state.status).toBe('open');
    expect(state.levelName).toBe('重大');
    expect(state.triggeredBy.key).toBe('api:省地震局监测');
    expect(state.timeline.map((e) => e.kind)).toEqual(['created', 'sent']);
    expect((await fetch(`${base}/api/alerts/${body.id}`)).status).toBe(401);
    expect((await fetch(`${base}/api/alerts/A-20990101-01`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('III–IV from the API are sent at once (no one can press confirm); numbers and drills accepted; repeats join', async () => {
    const r = await post({ ...good, level: 4, drill: true });
    expect(r.status).toBe(201);
    expect(((await r.json()) as { id: string }).id).toMatch(/^Y-/);
    expect(h.outbox.sent.length).toBeGreaterThan(0);
    const again = await post({ ...good, level: 4, drill: true });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ joined: true });
  });

  it('a graver repeat raises the open alert and says so', async () => {
    await post({ ...good, level: 'IV' });
    const r = await post({ ...good, level: 'I', text: '伤亡扩大' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: 'A-20261122-01', joined: true, raisedFrom: 'IV', level: 'I' });
  });

  it('422 with candidates for an unknown region', async () => {
    const r = await post({ ...good, region: '文山州地震' });
    expect(r.status).toBe(422);
    expect(await r.json()).toMatchObject({ error: 'unknown_region', candidates: expect.arrayContaining(['文山壮族苗族自治州']) });
  });
});

describe('tokens', () => {
  it('hash as sha256:<hex> and compare only exact tokens', () => {
    const d = parseTokenDigests(`${tokenDigest('a')}, ${tokenDigest('b')}`);
    expect(tokenDigest('a')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(authorised('Bearer a', d)).toBe(true);
    expect(authorised('bearer b', d)).toBe(true);
    expect(authorised('Bearer c', d)).toBe(false);
    expect(authorised('a', d)).toBe(false);
    expect(authorised('Bearer a', [])).toBe(false);
  });
});

describe('POST /api/alerts: body form (issue 11)', () => {
  const raw = (body: string, contentType: string | undefined) =>
    fetch(`${base}/api/alerts`, {
      method: 'POST',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), authorization: `Bearer ${TOKEN}` },
      body,
    });

  it('415 unless the body is declared application/json; nothing sent', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', undefined, 'application/jsonp']) {
      const r = await raw(JSON.stringify(good), ct);
      expect(r.status, String(ct)).toBe(415);
      expect(await r.json()).toEqual({ error: 'unsupported_media_type', message: '请求体须为 JSON，Content-Type 应为 application/json' });
    }
    expect(h.outbox.sent).toHaveLength(0);
    expect((await raw(JSON.stringify(good), 'application/json; charset=utf-8')).status).toBe(201);
  });

  it('400 naming each unknown field; nothing sent', async () => {
    const r = await post({ ...good, levle: 'I', drll: true });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { fields: { field: string; message: string }[] };
    expect(body.fields.map((x) => x.field).sort()).toEqual(['drll', 'levle']);
    expect(body.fields[0]!.message).toContain('不认识的字段');
    expect(h.outbox.sent).toHaveLength(0);
  });
});
