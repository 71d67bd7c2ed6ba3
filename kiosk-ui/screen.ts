import type { PassageReason, ReadingStatus } from "../gateway/domain/types.js";
import { REASON_WORDS } from "../gateway/domain/words.js";
import type { PassageData, ReadingData } from "../gateway/live/protocol.js";
import type { PromptKey } from "./prompts.js";

/**
 * What the entrant's screen shows for each event (docs/contract.md#screening-and-decisions table, docs/contract.md#pages): pure, so every state
 * is tested without a browser. Chinese first, English beneath; each state has its own colour,
 * so the colour alone says what happened (green go, red fever, amber wait, grey failed, violet
 * refused for the pass, blue card read, slate paused).
 */

export type Theme = "idle" | "normal" | "fever" | "low" | "invalid" | "refused" | "scan" | "paused";

export interface ScreenView {
  theme: Theme;
  /** The judged temperature as shown, one decimal, or null. */
  temperature: string | null;
  /** What the temperature itself was, so a refusal for the pass shows a normal one as normal. */
  temperatureStatus: ReadingStatus | null;
  zh: string;
  en: string;
  /** The fever pop-up with its tone. */
  alarm: boolean;
  /** How long the view stays before the screen returns to idle (0: until replaced). */
  holdMs: number;
  /** The prompt spoken when the view appears, or null for silence. */
  voice: PromptKey | null;
}

export const IDLE_VIEW: ScreenView = {
  theme: "idle",
  temperature: null,
  temperatureStatus: null,
  zh: "请靠近测温",
  en: "Please step up for a temperature check",
  alarm: false,
  holdMs: 0,
  voice: null,
};

/** The connection is lost: nothing measured now reaches this screen, so it must not look live. */
export const PAUSED_VIEW: ScreenView = {
  ...IDLE_VIEW,
  theme: "paused",
  zh: "暂停测温",
  en: "Screening paused",
};

export function formatTemperature(tempC: number): string {
  // temp_c is already rounded to 0.1 °C by the gateway, so toFixed only pads "37" to "37.0".
  return tempC.toFixed(1);
}

export function viewForReading(reading: Pick<ReadingData, "temp_c" | "status">): ScreenView {
  const temperature = formatTemperature(reading.temp_c);
  const shown = { temperature, temperatureStatus: reading.status };
  switch (reading.status) {
    case "normal":
      return {
        theme: "normal",
        ...shown,
        zh: "体温正常，请通行",
        en: "Temperature normal, please go ahead",
        alarm: false,
        holdMs: 4000,
        voice: "normal",
      };
    case "fever":
      return {
        theme: "fever",
        ...shown,
        zh: "体温异常，请联系工作人员",
        en: "High temperature: please see the guard",
        alarm: true,
        holdMs: 20000,
        voice: "fever",
      };
    case "low":
      return {
        theme: "low",
        ...shown,
        zh: "请稍候，再测一次",
        en: "Please wait a moment and measure again",
        alarm: false,
        holdMs: 6000,
        voice: "low",
      };
    case "invalid":
      // An invalid number is not a body temperature: it is not shown, so nobody reads it as one.
      return {
        theme: "invalid",
        temperature: null,
        temperatureStatus: "invalid",
        zh: "测量失败，请重新测量",
        en: "Measurement failed, please measure again",
        alarm: false,
        holdMs: 6000,
        voice: "invalid",
      };
  }
}

/** A card or code was read at a gate that also measures: say so at once, before the pairing. */
export function viewForScan(): ScreenView {
  return {
    ...IDLE_VIEW,
    theme: "scan",
    zh: "已刷卡，请测温",
    en: "Card read, please measure",
    holdMs: 6000,
    voice: "card_read",
  };
}

/** A replayed reading older than this is history, not something to show the person in front. */
export function isStillCurrent(readingTs: string, nowMs: number, view: ScreenView): boolean {
  return nowMs - Date.parse(readingTs) < view.holdMs;
}

/** What each reason tells the person at the gate, Chinese first. */
export const REASON_TEXT = REASON_WORDS;

const TEMPERATURE_REASONS: readonly PassageReason[] = ["fever", "low", "invalid"];

/**
 * The passage result (docs/contract.md#pages): allowed, or refused with the reasons. A passage that only
 * repeats what the reading already showed (no pass involved) returns null: the reading's view
 * stays. A fever is the fever pop-up whatever else is wrong; a refusal for the pass alone has
 * its own colour and shows the temperature as what it was (a normal one in green).
 */
export function viewForPassage(
  passage: Pick<PassageData, "decision" | "reasons" | "pass_id" | "holder_name" | "temp_c">,
): ScreenView | null {
  const aboutPass =
    passage.pass_id !== null || passage.reasons.some((r) => !TEMPERATURE_REASONS.includes(r));
  if (!aboutPass) return null;
  const who = passage.holder_name ?? passage.pass_id ?? "";
  const temperature = passage.temp_c === null ? null : formatTemperature(passage.temp_c);
  // The reading's status is among the reasons when it was not normal (docs/contract.md#screening-and-decisions).
  const temperatureStatus: ReadingStatus | null =
    passage.temp_c === null
      ? null
      : ((TEMPERATURE_REASONS.find((r) => passage.reasons.includes(r)) as ReadingStatus) ??
        "normal");
  // An invalid number is not a body temperature: never shown (as for the reading).
  const shown = {
    temperature: temperatureStatus === "invalid" ? null : temperature,
    temperatureStatus,
  };
  if (passage.decision === "allow" && passage.reasons.length === 0) {
    return {
      theme: "normal",
      ...shown,
      zh: `${who} 请通行`.trim(),
      en: "Please go ahead",
      alarm: false,
      holdMs: 4000,
      voice: "allowed",
    };
  }
  const zh = passage.reasons.map((r) => REASON_TEXT[r].zh).join("；");
  const en = passage.reasons.map((r) => REASON_TEXT[r].en).join("; ");
  if (passage.decision === "allow") {
    // Soft enforcement: let through, but say why the guard was told.
    return {
      theme: "low",
      ...shown,
      zh: `${who} 请通行（${zh}）`.trim(),
      en: `Please go ahead (${en})`,
      alarm: false,
      holdMs: 6000,
      voice: "allowed",
    };
  }
  const fever = passage.reasons.includes("fever");
  const passReason = passage.reasons.find((r) => !TEMPERATURE_REASONS.includes(r));
  // Refused for the temperature alone (low, invalid): that reading's own colour and prompt.
  const temperatureOnly = temperatureStatus === "invalid" ? "invalid" : "low";
  if (fever) {
    // The fever pop-up says what the fever reading said, then anything else that is wrong.
    const others = passage.reasons.filter((r) => r !== "fever");
    const feverView = viewForReading({ status: "fever", temp_c: passage.temp_c ?? 0 });
    return {
      ...feverView,
      ...shown,
      zh: [feverView.zh, ...others.map((r) => REASON_TEXT[r].zh)].join("；"),
      en: [feverView.en, ...others.map((r) => REASON_TEXT[r].en)].join("; "),
      holdMs: 12000,
    };
  }
  return {
    theme: passReason ? "refused" : temperatureOnly,
    ...shown,
    zh: `禁止通行：${zh}`,
    en: `Entry refused: ${en}`,
    alarm: false,
    holdMs: 12000,
    voice: (passReason as PromptKey | undefined) ?? temperatureOnly,
  };
}
