import { RESOLVING } from "../gateway/domain/resolving.js";
import type { AlertKind, Disposition } from "../gateway/domain/types.js";
import { ALERT_WORDS, DISPOSITION_WORDS } from "../gateway/domain/words.js";

/** Names shown to guards and admins, Chinese first. */

export const ALERT_TEXT = ALERT_WORDS;

export const DISPOSITION_TEXT = Object.fromEntries(
  Object.entries(DISPOSITION_WORDS).map(([key, words]) => [key, `${words.zh} ${words.en}`]),
) as Record<Disposition, string>;

/** A pass alert is about who the person is: releasing means the guard checked them. */
const PASS_DISPOSITION_TEXT: Partial<Record<Disposition, string>> = {
  released: "核实身份后放行 Identity checked, let in",
};

/** The choices a guard has for an alert of this kind, in the order offered. */
export function dispositionChoices(kind: AlertKind): { value: Disposition; label: string }[] {
  const rule = RESOLVING[kind];
  return rule.dispositions.map((value) => ({
    value,
    label: (!rule.confirmingTemperature && PASS_DISPOSITION_TEXT[value]) || DISPOSITION_TEXT[value],
  }));
}

/** The gateway's error messages (English, docs/contract.md#http-api `{"error": …}`) said in Chinese first. */
const ERROR_TEXT: [RegExp, (match: RegExpExecArray) => string][] = [
  [
    /^too many failed logins: try again in (\d+) s$/,
    (m) => `登录失败次数过多，请 ${m[1]} 秒后再试`,
  ],
  [/^wrong username or password$/, () => "用户名或密码错误"],
  [/^login required$/, () => "请先登录"],
  [/^needs role /, () => "没有权限"],
  [/^the last admin cannot be deleted$/, () => "不能删除最后一位管理员"],
  [/^the last admin cannot be made a guard$/, () => "不能把最后一位管理员改为值守"],
  [/^pass (.+) already exists$/, (m) => `出入证 ${m[1]} 已存在`],
  [/^user (.+) already exists$/, (m) => `用户 ${m[1]} 已存在`],
  [/^no pass (.+)$/, (m) => `没有出入证 ${m[1]}`],
  [/^no user (.+)$/, (m) => `没有用户 ${m[1]}`],
  [/^no passage (.+)$/, (m) => `没有通行记录 ${m[1]}`],
  [/^config refused: /, () => "配置文件有误，未加载，仍按原配置运行"],
  [/^line 1: the header needs /, () => "第1行表头不对，请使用模板"],
  [
    /not valid .+ text|neither UTF-8 nor GB18030|unknown charset/,
    () => "文件编码无法识别，请另存为 CSV UTF-8",
  ],
  [/^(body|query)\./, () => "填写有误"],
  [/needs the confirming temperature$/, () => "请填写复测体温"],
  [
    /needs a normal confirming temperature; (.+) is not$/,
    (m) => `复测体温 ${m[1]} 不正常，不能放行或判为误报`,
  ],
  [/ is resolved as (.+), not (.+)$/, () => "这类警报不能这样处理"],
  [/takes no confirming temperature$/, () => "这类警报不需要复测体温"],
];

const STATUS_TEXT: Record<number, string> = {
  400: "请求有误",
  401: "请先登录",
  403: "没有权限",
  404: "找不到",
  409: "与现有数据冲突",
  413: "文件太大",
  415: "文件类型不对",
  422: "无法处理",
  429: "请稍后再试",
  503: "暂时无法处理，请稍后重试",
};

/** `中文 English` for a failed call: the Chinese from the message, else from the status. */
export function errorText(status: number, message: string): string {
  // A message the gateway already says in Chinese first is shown as it is.
  if (/^\p{Script=Han}/u.test(message)) return message;
  for (const [pattern, say] of ERROR_TEXT) {
    const match = pattern.exec(message);
    if (match) return `${say(match)} ${message}`;
  }
  return `${STATUS_TEXT[status] ?? "服务器出错，未能完成"} ${message}`;
}
