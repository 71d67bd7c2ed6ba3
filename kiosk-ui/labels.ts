import type { AlertKind } from "../gateway/domain/types.js";
import { REASON_TEXT } from "./screen.js";

/** Names shown to guards and admins, Chinese first. */

export const ALERT_TEXT: Record<AlertKind, { zh: string; en: string }> = {
  fever: { zh: "发热", en: "Fever" },
  low_retest: { zh: "体温多次偏低，请复测", en: "Repeatedly low: re-measure" },
  unknown_pass: REASON_TEXT.unknown_pass,
  revoked_pass: REASON_TEXT.revoked_pass,
  expired_pass: REASON_TEXT.expired_pass,
  observation: { zh: "居家观察人员外出", en: "Resident under home observation leaving" },
  device_offline: { zh: "设备离线", en: "Device offline" },
  upstream_backlog: { zh: "上级平台积压过多", en: "District server far behind" },
};

export const DISPOSITION_TEXT: Record<string, string> = {
  released: "复测正常放行 Released",
  referred: "转送发热门诊 Referred to fever clinic",
  refused: "拒绝进入 Refused entry",
  false_alarm: "误报 False alarm",
};
