import type { NewPassage } from "../../gateway/store/passages.js";

/** A passage as tests store it: an allowed resident at gate-1 unless told otherwise. */
export function newPassage(overrides: Partial<NewPassage> = {}): NewPassage {
  return {
    ts_ms: Date.now(),
    checkpoint_id: "gate-1",
    pass_id: "0012345678",
    holder_name: "王小明",
    reading_id: null,
    scan_id: null,
    temp_c: 36.5,
    decision: "allow",
    reasons: [],
    ...overrides,
  };
}
