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

export const DEVICE_KIND_TEXT: Record<string, string> = {
  thermometer: "测温仪 Thermometer",
  pass_reader: "读卡器 Reader",
  door: "门禁 Door",
};
