import { describe, expect, it } from "vitest";
import {
  forDistrict,
  maskHolderName,
  maskPassId,
  maskPersonalFields,
} from "../../../gateway/domain/masking.js";

describe("masking of personal data for the kiosk", () => {
  it.each([
    ["王小明", "王*"],
    ["李", "李*"],
    ["Zhang Wei", "Z*"],
    ["", ""],
    ["𠮷野家", "𠮷*"],
  ])("the name %s is shown as %s", (name, masked) => {
    expect(maskHolderName(name)).toBe(masked);
  });

  it.each([
    ["0012345678", "00****5678"],
    ["12345678", "12****5678"],
    ["RES-7F3A-2291", "RE****2291"],
    ["1234567", "****67"],
    ["2201", "****01"],
    ["7", "****7"],
  ])("the pass id %s is shown as %s", (passId, masked) => {
    expect(maskPassId(passId)).toBe(masked);
  });

  it("masks the personal fields of an event and leaves the rest and the original alone", () => {
    const scan = {
      pass_id: "0012345678",
      holder_name: "王小明",
      temp_c: 36.6,
      device_id: "reader-1",
    };
    expect(maskPersonalFields(scan)).toEqual({
      pass_id: "00****5678",
      holder_name: "王*",
      temp_c: 36.6,
      device_id: "reader-1",
    });
    expect(scan.pass_id).toBe("0012345678");
  });

  it("leaves null personal fields as they are", () => {
    expect(maskPersonalFields({ pass_id: null, temp_c: 37 })).toEqual({
      pass_id: null,
      temp_c: 37,
    });
  });
});

describe("what the district is sent of people", () => {
  const resolved = {
    id: "gw-1:9",
    alert_id: "gw-1:5",
    pass_id: "0012345678",
    holder_name: "王小明",
    acknowledged_by: "guard-li",
    resolved_by: "guard-li",
    note: "王小明 went home, his phone 139...",
    temp_c: 38.4,
  };
  it.each([
    [
      "masked (the default): the name masked, no guard or note",
      "masked",
      {
        ...resolved,
        holder_name: "王*",
        acknowledged_by: null,
        resolved_by: null,
        note: null,
      },
    ],
    ["full: as stored", "full", resolved],
  ] as const)("%s", (_name, personal, expected) => {
    expect(forDistrict(resolved, personal)).toEqual(expected);
    expect(resolved.holder_name).toBe("王小明");
  });
});
