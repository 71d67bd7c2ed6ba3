export { chineseFirst, splitName } from "../gateway/domain/words.js";

export const DEVICE_KIND_TEXT: Record<string, string> = {
  thermometer: "测温仪 Thermometer",
  pass_reader: "读卡器 Reader",
  door: "门禁 Door",
  terminal: "测温终端 Terminal",
};
