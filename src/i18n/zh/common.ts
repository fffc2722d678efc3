/** Wording shared by every command: errors, refusals, the router's own answers. */
export const common = {
  beijingTime: '北京时间',
  /** After a time in another zone: the same instant in Beijing. */
  beijingAside: (t: string) => `（北京时间 ${t}）`,
  unknownCommand: (name: string) => `没有“/${name}”这个命令。发送 /help 查看全部命令。`,
  tooLong: (max: number) => `消息太长（超过 ${max} 字），请缩短后再发。`,
  emptyMessage: '请输入问题或命令，例如：/pair 大连。发送 /help 查看全部命令。',
  internalError: (errorId: string) => `抱歉，处理时出了错。请稍后再试；如需报告，请附上错误编号 ${errorId}。`,
  usagePrefix: '用法：',
  refused: (role: string) => `你没有执行此操作的权限（需要“${role}”角色）。请联系管理员授权。`,
  staleButton: '这个按钮已过期或无效，请重新发起操作。',
  storeUnavailable: '存储服务暂时不可用，此操作无法完成，请稍后再试。',
  missingSubcommand: '请指明要做的操作（见下面的用法）。',
  unknownSubcommand: (sub: string) => `不认识的子命令“${sub}”。`,
  badArgs: (detail: string) => `参数有误：${detail}`,
  unknownFlag: (flag: string, known: readonly string[], suggestion?: string) =>
    `不认识的选项 --${flag}${suggestion ? `，是不是 --${suggestion}？` : '。'}${known.length ? `可用的选项：${known.map((k) => `--${k}`).join('、')}。` : '这里不接受任何选项。'}未做任何更改。`,
  flagNeedsValue: (flag: string) => `选项 --${flag} 后面缺少取值。未做任何更改。`,
  flagTakesNoValue: (flag: string) => `选项 --${flag} 不带取值，单独写 --${flag} 即可。未做任何更改。`,
  /** A delivery's failure reason when this process has no sender for the destination's platform. */
  platformNotConfigured: (platform: string) => `未配置 ${platform} 平台，无法发送`,
  roleNames: {
    official: '官员',
    coordinator: '协调员',
    emergency: '应急',
    admin: '管理员',
  } as Record<string, string>,
} as const;
