import type { ReadingData } from "../gateway/live/protocol.js";

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
