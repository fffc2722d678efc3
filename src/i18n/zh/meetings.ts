/** Wording for joint meetings, their reminders and RSVPs, and the offices' own deadlines. */
import type { WallTime } from '../../time.ts';

const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const pad = (n: number) => String(n).padStart(2, '0');
const UNIT: Record<string, string> = { s: '秒', m: '分钟', h: '小时', d: '天' };

export const meetings = {
  usage: {
    meeting:
      '/meeting add "会议名称" 2026-12-10 09:30 频道组 [--remind 7d,1d,1h] [--where 地点] [--every yearly|monthly|weekly|"cron"] [--tz Europe/Berlin]｜list｜show ID｜move ID 新时间｜cancel ID｜ics ID｜rsvp ID 参加|不参加|委派 [姓名]｜templates｜add --template 模板ID 时间 [频道组]',
    add: '/meeting add "会议名称" 2026-12-10 09:30 频道组 [--remind 7d,1d,1h] [--where 地点] [--every yearly|monthly|weekly|"0 9 * * 1"] [--tz Europe/Berlin 或 +08:00]',
    addTemplate: '/meeting add --template 模板ID 2026-12-10 09:30 [频道组] [--remind …] [--where …]',
    show: '/meeting show 会议ID（如 M3）',
    move: '/meeting move 会议ID 2026-12-12 14:00（或只写 14:00 保留原日期）[--tz 时区]',
    cancel: '/meeting cancel 会议ID',
    ics: '/meeting ics 会议ID',
    rsvp: '/meeting rsvp 会议ID 参加|不参加|委派 [受托人姓名]',
    deadlineAdd: '/deadline add "事项" 2026-12-31 [频道组] [--owner 部门] [--remind 7d,1d]',
    deadlineDone: '/deadline done 期限ID（如 D2）',
  },
  summary: '联席会议：安排、提醒、回执、日历文件',

  // Time display
  weekday: (w: number) => WEEKDAY[w] ?? '',
  wallTime: (w: WallTime) =>
    `${w.year}年${w.month}月${w.day}日（${WEEKDAY[w.weekday] ?? ''}）${pad(w.hour)}:${pad(w.minute)}${w.second ? `:${pad(w.second)}` : ''}`,
  wallDate: (w: WallTime) => `${w.year}年${w.month}月${w.day}日（${WEEKDAY[w.weekday] ?? ''}）`,
  zoneLabel: (zone: string) => (zone === 'Asia/Shanghai' || zone === '+08:00' ? '北京时间' : zone),
  offset: (label: string) => {
    const m = /^(\d+)([smhd])$/.exec(label);
    return m ? `${m[1]}${UNIT[m[2]!] ?? ''}` : label;
  },
  recurrence: (kind: string, pattern?: string) =>
    ({ yearly: '每年', monthly: '每月', weekly: '每周' })[kind] ?? `按计划（${pattern ?? kind}）`,

  recurrenceUnspecified: '定期（周期由协调员确定）',

  // Errors (each is followed by the usage line)
  missingSub: '请指明要做什么：add、list、show、move、cancel、ics、rsvp 或 templates。',
  missingAddArgs: '请给出会议名称、时间和频道组。',
  missingWhen: '请给出会议时间，例如 2026-12-10 09:30。',
  missingGroup: '请在时间后写上频道组名称，例如 沪连。',
  badWhen: (text: string, why: string) => `时间“${text}”无法识别：${why}。请写成 2026-12-10 09:30 这样的格式。`,
  whenErrors: {
    malformed: '格式不对',
    badDate: '没有这一天',
    badTime: '时刻超出范围（时 0–23，分 0–59）',
    badZone: '时区无效（可用 Asia/Shanghai、Europe/Berlin 或 +08:00 这样的写法）',
  } as Record<string, string>,
  badZone: (z: string) => `时区“${z}”无效。可用 IANA 时区名（如 Europe/Berlin）或偏移（如 +08:00）。`,
  inPast: (shown: string) => `时间 ${shown} 已经过去，请给出将来的时间。`,
  unknownGroup: (g: string) => `没有名为“${g}”的频道组。用 /group list 查看已有的频道组。`,
  emptyGroup: (g: string) => `频道组“${g}”里还没有任何聊天，提醒无处可发。请先用 /group add ${g} 添加。`,
  badRemind: (bad: string) => `提醒时间“${bad}”无法识别。请写成 7d,1d,1h,30m（天、小时、分钟）。`,
  tooManyReminders: (max: number) => `提醒最多 ${max} 个。`,
  badEvery: (e: string) => `重复规则“${e}”无法识别。可用 yearly、monthly、weekly 或 cron 表达式（如 "0 9 * * 1"）。`,
  everyTooOften: (minutes: number) => `重复间隔太短：会议至少相隔 ${minutes >= 60 ? `${Math.round(minutes / 60)} 小时` : `${minutes} 分钟`}。`,
  titleTooLong: (max: number) => `会议名称太长（最多 ${max} 字）。`,
  missingId: '请给出会议编号，例如 M3。',
  unknownMeeting: (id: string) => `没有编号为“${id}”的会议。用 /meeting list 查看。`,
  alreadyCancelled: (id: string) => `会议 ${id} 已经取消。`,
  unknownTemplate: (id: string) => `没有编号为“${id}”的会议模板。用 /meeting templates 查看。`,
  templateNoGroup: (id: string) => `模板“${id}”没有默认频道组，请在时间后写上频道组。`,
  badRsvp: (s: string) => `回执“${s}”无法识别：请写 参加、不参加 或 委派 [姓名]。`,
  needCoordinator: '安排、改期、取消会议需要“协调员”角色。',

  // Replies
  added: (id: string) => `已安排会议 ${id}。`,
  addedTitle: '会议已安排',
  listTitle: '联席会议',
  listEmpty: '目前没有已安排的会议。用 /meeting add 安排一个，或用 /meeting templates 查看常设会议模板。',
  listLine: (id: string, title: string, when: string, group: string, status: string) =>
    `${id}｜${title}｜${when}｜${group}${status ? `｜${status}` : ''}`,
  listMore: (n: number) => `另有 ${n} 个会议未列出；用 /meeting show 会议ID 查看单个会议。`,
  statusCancelled: '已取消',
  statusEnded: '已结束',
  fieldWhen: '时间',
  fieldWhere: '地点',
  fieldGroup: '频道组',
  fieldEvery: '重复',
  fieldRemind: '提醒',
  fieldNext: '此后',
  fieldTally: '回执',
  fieldSource: '依据',
  remindNone: '不提醒',
  remindList: (labels: string[]) => labels.map((l) => `提前${meetings.offset(l)}`).join('、'),
  skippedReminders: (labels: string[]) =>
    `以下提醒的时间已过，不再发送：${labels.map((l) => `提前${meetings.offset(l)}`).join('、')}。`,
  tally: (yes: number, no: number, delegate: number) => `参加 ${yes}｜不参加 ${no}｜委派他人 ${delegate}`,
  tallyNone: '还没有人回复。',
  tallyHeading: '回执',
  tallyLine: (choice: string, name: string, delegate?: string) =>
    `${choice}：${name}${delegate ? ` → ${delegate}` : ''}`,
  choice: { yes: '参加', no: '不参加', delegate: '委派他人' } as Record<string, string>,
  moved: (id: string) => `会议 ${id} 已改期，提醒已按新时间重排，并已通知频道组。`,
  cancelled: (id: string) => `会议 ${id} 已取消，未发的提醒已撤销，并已通知频道组。`,
  templatesTitle: '常设会议模板',
  templatesEmpty: '没有会议模板。',
  templateLine: (id: string, title: string, every: string, group: string) =>
    `${id}｜${title}｜${every}${group ? `｜默认频道组 ${group}` : ''}`,
  templatesFooter: '用 /meeting add --template 模板ID 2026-12-10 09:30 [频道组] 按模板安排会议。',
  icsSent: (id: string) => `会议 ${id} 的日历文件（可导入 Outlook、Google 日历、苹果日历等）。`,

  // What the group receives
  reminderTitle: (title: string) => `会议提醒：${title}`,
  reminderLead: (label: string) => `距会议开始还有${meetings.offset(label)}。`,
  reminderLeadApprox: (label: string) => `距会议开始还有约${meetings.offset(label)}。`,
  reminderAsk: '请点击下方按钮回复是否参加。',
  movedNoticeTitle: (title: string) => `会议改期：${title}`,
  movedNotice: (from: string, to: string) => `原定 ${from}，改为 ${to}。请重新确认是否参加。`,
  cancelledNoticeTitle: (title: string) => `会议取消：${title}`,
  cancelledNotice: (when: string) => `原定 ${when} 的会议已取消。`,
  buttonYes: '参加',
  buttonNo: '不参加',
  buttonDelegate: '委派他人',
  rsvpRecorded: (choice: string, title: string) => `已记录：${choice}（${title}）`,
  rsvpDelegateHint: (id: string) => `已记录：委派他人。可发送 /meeting rsvp ${id} 委派 姓名 注明受托人。`,
  rsvpCancelled: '这个会议已经取消。',

  // Office deadlines
  deadlineSummary: '期限：文件规定的期限与本单位事项',
  deadlineAdded: (id: string) => `已登记期限 ${id}。`,
  deadlineDone: (id: string) => `期限 ${id} 已标记完成，未发的提醒已撤销。`,
  deadlineAlreadyDone: (id: string) => `期限 ${id} 早已标记完成。`,
  unknownDeadline: (id: string) => `没有编号为“${id}”的本单位期限。`,
  missingDeadlineArgs: '请给出事项和截止日期。',
  missingDeadlineDate: '请给出截止日期，例如 2026-12-31。',
  missingDeadlineId: '请给出期限编号，例如 D3。',
  deadlineInPast: (shown: string) => `截止日期 ${shown} 已经过去。`,
  needCoordinatorDeadline: '登记或完成期限需要“协调员”角色。',
  deadlineReminderTitle: (text: string) => `期限提醒：${text}`,
  deadlineReminderLead: (label: string, due: string) => `还有${meetings.offset(label)}到期（${due}）。`,
  deadlineOwner: '责任单位',
  deadlineDue: '截止',
  deadlineOffice: '本单位事项',
  deadlineLine: (id: string, text: string, due: string, owner: string, group: string, state: string) =>
    `${id}｜${text}｜${due}${owner ? `｜${owner}` : ''}${group ? `｜${group}` : ''}${state ? `｜${state}` : ''}`,
  deadlineOverdue: '已逾期',
  deadlineDoneState: '已完成',
};
