/** Wording of the HTTP server's own error answers (the `message` beside each JSON error code). */
export const http = {
  errors: {
    invalid_json: '请求体不是有效的 JSON。',
    bad_path: '请求路径中的百分号编码有误，无法解析。',
    not_found: '没有这个接口。',
    method_not_allowed: '此接口不支持该请求方法。',
    payload_too_large: '请求体过大。',
    internal: '服务器内部错误；如需报告，请附上错误编号。',
    unauthorized: '缺少或错误的访问令牌（Authorization: Bearer …）。',
  } as Record<string, string>,
} as const;
