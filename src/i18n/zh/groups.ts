/** Channel-group wording. */
export const groups = {
  summary: '管理频道组（跨 Telegram / Slack 的聊天集合）',
  usage:
    '/group list；/group show 组名；/group create 组名 [标题]；/group add 组名 [平台:聊天ID …]；/group remove 组名 [平台:聊天ID]；/group delete 组名',
  missingName: '请写明频道组名称。',
  badName: (name: string) => `频道组名称“${name}”无效：不能含空格或冒号，长度 1–40 个字。`,
  badDestination: (text: string) => `“${text}”不是有效的聊天地址，应写成 平台:聊天ID，例如 telegram:-100123 或 slack:C0123。`,
  badChatId: (text: string, platform: string) =>
    `“${text}”不是有效的${platform === 'telegram' ? ' Telegram 聊天地址：聊天ID 应为整数（如 telegram:-1001234567890），话题ID 也应为整数' : platform === 'slack' ? ' Slack 频道地址：频道ID 以 C、G 或 D 开头，9–13 位大写字母和数字（如 slack:C0123ABCD）' : '控制台地址'}。`,
  platformNotConfigured: (platform: string, configured: string[]) =>
    `本部署没有配置 ${platform} 平台，发往那里的消息无法送达，因此不能加入。${configured.length ? `已配置的平台：${configured.join('、')}。` : ''}`,
  unknownGroup: (name: string) => `没有名为“${name}”的频道组。发送 /group list 查看全部频道组。`,
  exists: (name: string) => `频道组“${name}”已存在。`,
  created: (name: string) => `已创建频道组“${name}”。在要加入的聊天中发送 /group add ${name}，或用 /group add ${name} 平台:聊天ID 添加。`,
  added: (name: string, added: number, total: number) => `已向“${name}”加入 ${added} 个聊天（现共 ${total} 个）。`,
  alreadyIn: (name: string) => `这些聊天已在“${name}”中，没有变化。`,
  removed: (name: string, dest: string) => `已从“${name}”移除 ${dest}。`,
  notIn: (name: string, dest: string) => `${dest} 不在“${name}”中。`,
  deleted: (name: string) => `已删除频道组“${name}”。`,
  inUse: (name: string, ids: string[]) =>
    `频道组“${name}”仍被 ${ids.join('、')} 使用，不能删除。请先取消这些会议、完成这些期限事项，或把它们改到别的频道组。`,
  listTitle: '频道组',
  listEmpty: '还没有任何频道组。用 /group create 组名 创建，或由管理员运行 xiezuo seed 载入示例。',
  listLine: (name: string, size: number, title?: string) => `${name}${title ? `（${title}）` : ''}：${size} 个聊天`,
  showTitle: (name: string) => `频道组 ${name}`,
  showEmpty: '（还没有聊天）',
  showCount: (n: number) => `共 ${n} 个聊天：`,
  // seeds/groups.json and `xiezuo seed` (read by the operator who loads the examples)
  seedBadDestination: '应为 平台:聊天ID，例如 console:沪滇-1',
  seedBadName: '组名不能含空格或冒号，长度 1–40',
  seedUnreadable: (file: string, why: string) => `${file}: 无法读取或不是 JSON（${why}）`,
  seedInvalid: (file: string, lines: string[]) => `${file} 有误：\n${lines.join('\n')}`,
  seedDuplicate: (name: string) => `  ${name}: 组名重复`,
  seedUnknownRegion: (name: string, id: string) => `  ${name}: 未知地区 ${id}（不在 regions.json 中）`,
  seeded: (created: number, kept: number) => `频道组：新建 ${created} 个，已存在保持不变 ${kept} 个`,
} as const;
