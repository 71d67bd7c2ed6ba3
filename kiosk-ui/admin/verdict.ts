import type { Reading } from "../../gateway/domain/types.js";

/**
 * A network terminal's own verdict beside the gateway's (docs/contract.md#network-terminals-over-http): said, and marked when the two
 * disagree about a fever (the gateway's screening decides; a disagreement is worth a look at the
 * terminal's calibration).
 */
export function verdictText(reading: Pick<Reading, "status" | "terminal_verdict">): string {
  const verdict = reading.terminal_verdict;
  if (!verdict) return "";
  const over =
    verdict.over_temperature === null ? "" : verdict.over_temperature ? "超温 over" : "正常 normal";
  const mask =
    verdict.mask === "yes" ? "戴口罩 mask" : verdict.mask === "no" ? "未戴口罩 no mask" : "";
  const differs =
    verdict.over_temperature !== null && verdict.over_temperature !== (reading.status === "fever");
  return [over, mask, differs ? "⚠ 与网关判断不同 differs" : ""].filter(Boolean).join(" · ");
}
