import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PASSAGE_REASONS } from "../../../gateway/domain/types.js";
import { PROMPT_KEYS, PROMPTS } from "../../../kiosk-ui/prompts.js";
import {
  formatTemperature,
  IDLE_VIEW,
  isStillCurrent,
  PAUSED_VIEW,
  REASON_TEXT,
  viewForPassage,
  viewForReading,
  viewForScan,
} from "../../../kiosk-ui/screen.js";
import { PROJECT_ROOT } from "../../helpers/process.js";

const VOICE_DIR = join(PROJECT_ROOT, "kiosk-ui/public/voice");

describe("what the entrant's screen shows", () => {
  it.each([
    ["normal", 36.5, "normal", "36.5", false, "体温正常，请通行"],
    ["fever", 38.2, "fever", "38.2", true, "体温异常，请联系工作人员"],
    ["low", 34.1, "low", "34.1", false, "请稍候，再测一次"],
    ["invalid", 28, "invalid", null, false, "测量失败，请重新测量"],
  ] as const)("a %s reading of %f", (status, temp_c, theme, temperature, alarm, zh) => {
    const view = viewForReading({ status, temp_c });
    expect(view).toMatchObject({ theme, temperature, alarm, zh });
    expect(view.en.length).toBeGreaterThan(0);
    expect(view.holdMs).toBeGreaterThan(0);
  });

  it("always shows one decimal", () => {
    expect(formatTemperature(37)).toBe("37.0");
    expect(formatTemperature(37.3)).toBe("37.3");
  });

  it("idles with an invitation and no number", () => {
    expect(IDLE_VIEW).toMatchObject({ theme: "idle", temperature: null, alarm: false });
  });

  it("treats a replayed reading as current only while its view would still be up", () => {
    const view = viewForReading({ status: "normal", temp_c: 36.5 });
    const now = Date.parse("2026-11-22T08:00:10Z");
    expect(isStillCurrent("2026-11-22T08:00:08Z", now, view)).toBe(true);
    expect(isStillCurrent("2026-11-22T08:00:00Z", now, view)).toBe(false);
  });
});

describe("what the screen says as a card is read, and while the connection is lost", () => {
  it("asks for the forehead at once when a card is read", () => {
    expect(viewForScan()).toMatchObject({
      theme: "scan",
      zh: "已刷卡，请测温",
      voice: "card_read",
    });
  });

  it("pauses in silence, with no number", () => {
    expect(PAUSED_VIEW).toMatchObject({
      theme: "paused",
      zh: "暂停测温",
      temperature: null,
      voice: null,
    });
  });
});

describe("the spoken prompts", () => {
  it("ship a Chinese and an English recording for every prompt, as Ogg files", () => {
    for (const key of PROMPT_KEYS)
      for (const language of ["zh", "en"]) {
        const file = join(VOICE_DIR, `${key}.${language}.ogg`);
        expect(existsSync(file), file).toBe(true);
        expect(readFileSync(file).subarray(0, 4).toString("latin1")).toBe("OggS");
      }
    expect(readFileSync(join(VOICE_DIR, "silence.ogg")).subarray(0, 4).toString("latin1")).toBe(
      "OggS",
    );
  });

  it("cover every refusal the screen can speak", () => {
    for (const reason of PASSAGE_REASONS) {
      const view = viewForPassage({
        decision: "deny",
        reasons: [reason],
        pass_id: "10****0001",
        holder_name: null,
        temp_c: reason === "no_temperature" ? null : 36.6,
      });
      expect(view?.voice && PROMPT_KEYS.includes(view.voice), reason).toBe(true);
      expect(PROMPTS[view?.voice ?? ""]?.zh.length ?? 0, reason).toBeGreaterThan(0);
    }
  });
});

describe("what the screen shows for a passage", () => {
  const base = { pass_id: "10****0001", holder_name: "张*", temp_c: 36.6 } as const;
  it("leaves a temperature-only passage to the reading's view", () => {
    expect(
      viewForPassage({
        decision: "deny",
        reasons: ["fever"],
        pass_id: null,
        holder_name: null,
        temp_c: 38.2,
      }),
    ).toBeNull();
    expect(
      viewForPassage({
        decision: "allow",
        reasons: [],
        pass_id: null,
        holder_name: null,
        temp_c: 36.6,
      }),
    ).toBeNull();
  });

  it("greets an allowed holder by the masked name", () => {
    expect(viewForPassage({ ...base, decision: "allow", reasons: [] })).toMatchObject({
      theme: "normal",
      zh: "张* 请通行",
      en: "Please go ahead",
      temperature: "36.6",
    });
  });

  it("refuses with every reason, Chinese first, and sounds the alarm for a fever", () => {
    expect(viewForPassage({ ...base, decision: "deny", reasons: ["revoked_pass"] })).toMatchObject({
      theme: "refused",
      zh: "禁止通行：出入证已注销",
      en: "Entry refused: Pass revoked",
      alarm: false,
      voice: "revoked_pass",
      // The temperature is shown as what it was: normal.
      temperature: "36.6",
      temperatureStatus: "normal",
    });
    expect(
      viewForPassage({
        ...base,
        temp_c: 38.4,
        decision: "deny",
        reasons: ["fever", "observation"],
      }),
    ).toMatchObject({
      theme: "fever",
      zh: "体温异常，请联系工作人员；居家观察期间，请勿外出",
      alarm: true,
      voice: "fever",
      temperatureStatus: "fever",
    });
    expect(
      viewForPassage({
        ...base,
        pass_id: null,
        holder_name: null,
        decision: "deny",
        reasons: ["no_pass"],
      }),
    ).toMatchObject({ zh: "禁止通行：请刷卡或出示出入证" });
  });

  it("refuses for the temperature alone in that reading's own colour, an invalid one without its number", () => {
    expect(
      viewForPassage({ ...base, temp_c: 34.1, decision: "deny", reasons: ["low"] }),
    ).toMatchObject({
      theme: "low",
      voice: "low",
      temperature: "34.1",
    });
    expect(
      viewForPassage({ ...base, temp_c: 28, decision: "deny", reasons: ["invalid"] }),
    ).toMatchObject({
      theme: "invalid",
      voice: "invalid",
      temperature: null,
    });
  });

  it("lets a flagged person through under soft enforcement, saying why", () => {
    expect(viewForPassage({ ...base, decision: "allow", reasons: ["observation"] })).toMatchObject({
      theme: "low",
      zh: "张* 请通行（居家观察期间，请勿外出）",
    });
  });

  it("has text for every reason", () => {
    for (const reason of PASSAGE_REASONS) {
      expect(REASON_TEXT[reason].zh.length).toBeGreaterThan(0);
      expect(REASON_TEXT[reason].en.length).toBeGreaterThan(0);
    }
  });
});
