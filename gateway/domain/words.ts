import type {
  AlertKind,
  AlertState,
  Disposition,
  PassageReason,
  PassStatus,
  ReadingStatus,
} from "./types.js";

/**
 * The words for every code the gateway stores, Chinese first: one table for the pages, the
 * exports and the import, so a reason reads the same on the kiosk, in the guard console and in
 * Excel.
 */
export interface Words {
  zh: string;
  en: string;
}

export const REASON_WORDS: Record<PassageReason, Words> = {
  fever: { zh: "体温异常", en: "High temperature" },
  low: { zh: "体温偏低，请稍候再测", en: "Reading too low: wait and measure again" },
  invalid: { zh: "测量失败，请重新测量", en: "Measurement failed: measure again" },
  unknown_pass: { zh: "出入证未登记", en: "Pass not registered" },
  revoked_pass: { zh: "出入证已注销", en: "Pass revoked" },
  expired_pass: { zh: "出入证已过期", en: "Pass expired" },
  observation: { zh: "居家观察期间，请勿外出", en: "Under home observation: please stay home" },
  no_pass: { zh: "请刷卡或出示出入证", en: "Please show your pass" },
  no_temperature: { zh: "请先测量体温", en: "Please take your temperature first" },
};

export const ALERT_WORDS: Record<AlertKind, Words> = {
  fever: { zh: "发热", en: "Fever" },
  low_retest: { zh: "体温多次偏低，请复测", en: "Repeatedly low: re-measure" },
  unknown_pass: REASON_WORDS.unknown_pass,
  revoked_pass: REASON_WORDS.revoked_pass,
  expired_pass: REASON_WORDS.expired_pass,
  observation: { zh: "居家观察人员外出", en: "Resident under home observation leaving" },
  device_offline: { zh: "设备离线", en: "Device offline" },
  upstream_backlog: { zh: "上级平台积压过多", en: "District server far behind" },
  reader_fault: {
    zh: "读卡器连续读到未知卡号，请检查",
    en: "Reader sends many unknown codes: check it",
  },
  terminal_gap: {
    zh: "终端有未收到的记录，请在终端上核对",
    en: "Events missing from a terminal: check them on the terminal",
  },
};

export const STATUS_WORDS: Record<ReadingStatus, Words> = {
  normal: { zh: "正常", en: "normal" },
  fever: { zh: "发热", en: "fever" },
  low: { zh: "偏低", en: "low" },
  invalid: { zh: "无效", en: "invalid" },
};

export const DECISION_WORDS: Record<"allow" | "deny", Words> = {
  allow: { zh: "放行", en: "allowed" },
  deny: { zh: "拒绝", en: "denied" },
};

export const ALERT_STATE_WORDS: Record<AlertState, Words> = {
  open: { zh: "待处理", en: "open" },
  acknowledged: { zh: "已确认", en: "acknowledged" },
  resolved: { zh: "已处理", en: "resolved" },
};

export const DISPOSITION_WORDS: Record<Disposition, Words> = {
  released: { zh: "复测正常放行", en: "Released (normal on re-measuring)" },
  referred: { zh: "转送发热门诊", en: "Referred to fever clinic" },
  refused: { zh: "拒绝进入", en: "Refused entry" },
  false_alarm: { zh: "误报", en: "False alarm" },
  fixed: { zh: "已修复", en: "Fixed" },
};

export const PASS_STATUS_WORDS: Record<PassStatus, Words> = {
  active: { zh: "有效", en: "active" },
  revoked: { zh: "已注销", en: "revoked" },
};

/** "North gate / 北门" -> ["北门", "North gate"]: Chinese first, whichever order it was written in. */
export function splitName(name: string): [string, string] {
  const parts = name.split("/").map((part) => part.trim());
  if (parts.length < 2) return [name, ""];
  const hasHan = (s: string) => /\p{Script=Han}/u.test(s);
  const zh = parts.find(hasHan) ?? parts[0] ?? name;
  const en = parts.find((part) => part !== zh) ?? "";
  return [zh, en];
}

/** A name on one line, Chinese first: "北门 North gate". */
export function chineseFirst(name: string): string {
  return splitName(name).filter(Boolean).join(" ");
}
