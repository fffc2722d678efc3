/**
 * `/xiezuo meeting ics ID` through real Bolt against the Slack stand-in: the calendar arrives as
 * an uploaded file (files.getUploadURLExternal → bytes to the upload URL → completeUploadExternal),
 * not as text; when the upload fails, or the answer must go through a response_url, the text goes
 * out instead with a short note.
 */
import ICAL from 'ical.js';
import { occurrences } from '../../src/time.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../../src/i18n/index.ts';
import { postSigned, slashCommandBody } from '../support/fake-slack.ts';
import { SLACK_SECRET, makeGroup, useSlackHarness } from './harness.ts';

const { h, slack, bot } = useSlackHarness({ workers: false });
let id: string;

beforeAll(async () => {
  await makeGroup(h, '沪连', [{ platform: 'slack', chatId: 'C100' }]);
  // The 31st at 07:30 Shanghai time: 23:30 UTC on the 30th, the case a UTC-anchored rule gets wrong.
  const added = await h.say('/meeting add "沪连对口合作联席会议" 2031-01-31 07:30 沪连 --remind 1d --where 大连 --every monthly');
  id = /M\d+/.exec([added.title ?? '', ...added.blocks.map((b) => b.text)].join(' '))![0];
});

/** The .ics the command makes, without its DTSTAMP (the time of making). */
async function expectedIcs(): Promise<string> {
  const r = await h.say(`/meeting ics ${id}`);
  return r.file!.content.replace(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/, '\r\n');
}

const ask = (channel: string, responseUrl = slack.responseUrl()) =>
  postSigned(bot.url, slashCommandBody({ text: `meeting ics ${id}`, channel, responseUrl }), SLACK_SECRET);

describe('/xiezuo meeting ics on Slack', () => {
  it('uploads the .ics as a file into the channel', async () => {
    expect((await ask('C100')).status).toBe(200);
    const done = await slack.waitForCall('files.completeUploadExternal', (c) => c.body.channel_id === 'C100' && c.status === 200);
    const [entry] = done.body.files as Array<{ id: string; title: string }>;
    const file = slack.files().find((f) => f.id === entry!.id)!;
    expect(file).toMatchObject({ filename: `${id}.ics`, completed: true, channel: 'C100', title: `${id}.ics` });
    const bytes = file.bytes!.toString('utf8');
    expect(file.bytes!.length).toBe(file.length);
    expect(bytes.replace(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/, '\r\n')).toBe(await expectedIcs());
    expect(bytes).toContain('\r\nDTSTART;TZID=Asia/Shanghai:20310131T073000\r\n');
    // The uploaded bytes read by an iCalendar parser expand to the dates the bot schedules.
    ICAL.TimezoneService.reset();
    const cal = new ICAL.Component(ICAL.parse(bytes));
    for (const z of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(z));
    const it = new ICAL.Event(cal.getFirstSubcomponent('vevent')!).iterator();
    const m = (await h.app.services.meetings.get(id))!;
    const expected = occurrences(m.start, m.every, m.zone, 12);
    const got: number[] = [];
    for (let n = it.next(); n && got.length < 12; n = it.next()) got.push(n.toUnixTime() * 1000);
    expect(got).toEqual(expected);
    // The message before it names the file but no longer carries its text.
    const post = slack.delivered('chat.postMessage').filter((c) => c.body.channel === 'C100').at(-1)!;
    expect(JSON.stringify(post.body.blocks)).toContain(msg.platforms.attachment(`${id}.ics`));
    expect(JSON.stringify(post.body.blocks)).not.toContain('BEGIN:VCALENDAR');
    expect(post.at).toBeLessThanOrEqual(done.at);
  });

  it('posts the text with a note when the upload fails', async () => {
    slack.fail({ method: 'files.getUploadURLExternal', status: 'error', error: 'missing_scope', times: 1 });
    expect((await ask('C200')).status).toBe(200);
    const note = await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C200' && c.body.text === msg.platforms.fileInline(`${id}.ics`));
    const text = (note.body.blocks as Array<{ text?: { text: string } }>).map((b) => b.text?.text ?? '').join('\n');
    const inlined = [...text.matchAll(/```([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
    expect(`${inlined.split('\n').join('\r\n')}\r\n`).toContain('BEGIN:VCALENDAR\r\n');
    expect(inlined).toContain('DTSTART;TZID=Asia/Shanghai:20310131T073000');
    expect(inlined.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    expect(slack.callsTo('files.completeUploadExternal').filter((c) => c.body.channel_id === 'C200')).toHaveLength(0);
  });

  it('answers through response_url with the text where the bot may not post', async () => {
    slack.fail({ method: 'chat.postMessage', channel: 'C300', status: 'error', error: 'not_in_channel' });
    const responseUrl = slack.responseUrl();
    expect((await ask('C300', responseUrl)).status).toBe(200);
    const r = await slack.waitForCall('response_url', (c) => c.body.text === msg.platforms.fileInline(`${id}.ics`));
    expect(JSON.stringify(r.body.blocks)).toContain('BEGIN:VCALENDAR');
  });
});
