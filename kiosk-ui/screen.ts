import type { PassageReason } from "../gateway/domain/types.js";
import type { PassageData, ReadingData } from "../gateway/live/protocol.js";

/**
 * What the entrant's screen shows for a reading (SPEC 2 table, SPEC 8): pure, so every status
 * is tested without a browser. Chinese first, English beneath.
 */

export type Theme = "idle" | "normal" | "fever" | "low" | "invalid";

export interface ScreenView {
  theme: Theme;
  /** The judged temperature as shown, one decimal, or null. */
  temperature: string | null;
  zh: string;
  en: string;
  /** The fever pop-up with its tone. */
  alarm: boolean;
  /** How long the view stays before the screen returns to idle. */
  holdMs: number;
}

export const IDLE_VIEW: ScreenView = {
  theme: "idle",
  temperature: null,
  zh: "请靠近测温",
  en: "Please step up for a temperature check",
  alarm: false,
  holdMs: 0,
};

export function formatTemperature(tempC: number): string {
  // temp_c is already rounded to 0.1 °C by the gateway, so toFixed only pads "37" to "37.0".
  return tempC.toFixed(1);
}

export function viewForReading(reading: Pick<ReadingData, "temp_c" | "status">): ScreenView {
  const temperature = formatTemperature(reading.temp_c);
  switch (reading.status) {
    case "normal":
      return {
        theme: "normal",
        temperature,
        zh: "体温正常，请通行",
        en: "Temperature normal, please go ahead",
        alarm: false,
        holdMs: 4000,
      };
    case "fever":
      return {
        theme: "fever",
        temperature,
        zh: "体温异常，请联系工作人员",
        en: "High temperature: please see the guard",
        alarm: true,
        holdMs: 20000,
      };
    case "low":
      return {
        theme: "low",
        temperature,
        zh: "请稍候，再测一次",
        en: "Please wait a moment and measure again",
        alarm: false,
        holdMs: 6000,
      };
    case "invalid":
      // An invalid number is not a body temperature: it is not shown, so nobody reads it as one.
      return {
        theme: "invalid",
        temperature: null,
        zh: "测量失败，请重新测量",
        en: "Measurement failed, please measure again",
        alarm: false,
        holdMs: 6000,
      };
  }
}

/** A replayed reading older than this is history, not something to show the person in front. */
export function isStillCurrent(readingTs: string, nowMs: number, view: ScreenView): boolean {
  return nowMs - Date.parse(readingTs) < view.holdMs;
}

/** What each reason tells the person at the gate, Chinese first. */
export const REASON_TEXT: Record<PassageReason, { zh: string; en: string }> = {
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

const TEMPERATURE_REASONS: readonly PassageReason[] = ["fever", "low", "invalid"];

/**
 * The passage result (SPEC 8): allowed, or refused with the reasons. A passage that only
 * repeats what the reading already showed (no pass involved) returns null: the reading's view
 * stays.
 */
export function viewForPassage(
  passage: Pick<PassageData, "decision" | "reasons" | "pass_id" | "holder_name" | "temp_c">,
): ScreenView | null {
  const aboutPass =
    passage.pass_id !== null || passage.reasons.some((r) => !TEMPERATURE_REASONS.includes(r));
  if (!aboutPass) return null;
  const who = passage.holder_name ?? passage.pass_id ?? "";
  const temperature = passage.temp_c === null ? null : formatTemperature(passage.temp_c);
  if (passage.decision === "allow" && passage.reasons.length === 0) {
    return {
      theme: "normal",
      temperature,
      zh: `${who} 请通行`.trim(),
      en: "Please go ahead",
      alarm: false,
      holdMs: 4000,
    };
  }
  const zh = passage.reasons.map((r) => REASON_TEXT[r].zh).join("；");
  const en = passage.reasons.map((r) => REASON_TEXT[r].en).join("; ");
  if (passage.decision === "allow") {
    // Soft enforcement: let through, but say why the guard was told.
    return {
      theme: "low",
      temperature,
      zh: `${who} 请通行（${zh}）`.trim(),
      en: `Please go ahead (${en})`,
      alarm: false,
      holdMs: 6000,
    };
  }
  return {
    theme: "fever",
    temperature,
    zh: `禁止通行：${zh}`,
    en: `Entry refused: ${en}`,
    alarm: passage.reasons.includes("fever"),
    holdMs: 12000,
  };
}
