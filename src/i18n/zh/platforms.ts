/** Wording of the platform edges: Telegram, Slack and the console chat. */
export const platforms = {
  /** A private message that carries no text (sticker, photo without caption, …). */
  textOnly: '我只能读文字消息。请直接提问，或发送 /help 查看全部命令。',
  /** Marks a reply cut because one message cannot hold it. */
  truncated: '……（内容过长，已截断）',
  /** Names the file sent with a message (the file itself follows as an upload or document). */
  attachment: (name: string) => `附件：${name}`,
  /** Slack: the file could not be uploaded, so its text follows in the chat instead. */
  fileInline: (name: string) => `文件 ${name} 未能上传，内容如下；可复制保存为 ${name} 后导入。`,
  consoleWelcome: '协作 · 控制台对话（未配置 Telegram / Slack 时使用）。输入问题或命令，例如 /pair 大连；/help 查看全部命令；Ctrl+D 退出。',
  consolePrompt: '协作> ',
  consoleBye: '再见。',
  consoleNoRedis:
    '（未连接 Redis：查询文件、结对关系和期限可以正常使用；群发、会议与提醒、警报、频道组、权限和办公室期限需要 Redis，请设置 REDIS_URL 后重启。）',
  /** Console stand-in for a button press: how to press one by number. */
  consoleButtons: (labels: string[]) => `按钮：${labels.map((l, i) => `[${i + 1}] ${l}`).join('  ')}（输入 !数字 按下）`,
  consoleNoSuchButton: '没有这个按钮编号。',
  /** Why a message was not delivered, as delivery reports show it (the platform's own text is logged). */
  sendFailure: {
    kicked: '机器人已被移出该群',
    blocked: '对方已屏蔽机器人',
    deactivated: '该用户账号已停用',
    chatNotFound: '找不到该聊天（ID 有误，或机器人从未加入）',
    upgraded: '该群已升级为超级群，聊天ID 已变更，请重新添加',
    notMember: '机器人不在该频道或群中，请先邀请机器人加入',
    noRights: '机器人在该聊天没有发言权限',
    topicGone: '该话题已关闭或删除',
    archived: '该频道已归档',
    badToken: '机器人令牌无效或已撤销，请检查部署配置',
    forbidden: '平台拒绝机器人向该聊天发消息',
    badRequest: '平台拒绝了这条消息（格式或内容不被接受）',
    tooLong: '消息过长，平台拒收',
    rateLimited: '平台限流，多次重试后仍未送出',
    platformDown: '平台服务暂时故障，多次重试后仍未送出',
    network: '网络故障，多次重试后仍未送出',
  } as Record<string, string>,
  /** A failure the sender could not classify: the details are in the log. */
  sendFailedUnknown: '发送失败（详细原因已记入日志）',
} as const;
