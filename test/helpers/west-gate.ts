import type { Store } from "../../gateway/store/store.js";
import { DEVICE_PASSWORD } from "./gateway.js";

/**
 * A pass-and-temperature gate for the kiosk's browser tests: "West gate / 西门" (gate-3) with
 * thermo-3 and reader-3, a resident with a valid pass (2000000001, 张伟) and a revoked one
 * (2000000002, 刘洋).
 */
export const WEST_GATE = {
  checkpoints: [
    {
      id: "gate-3",
      name: "West gate / 西门",
      direction: "both",
      mode: "pass_and_temperature",
      enforcement: "hard",
    },
  ],
  devices: [
    { id: "thermo-3", kind: "thermometer", checkpoint: "gate-3", password: DEVICE_PASSWORD },
    { id: "reader-3", kind: "pass_reader", checkpoint: "gate-3", password: DEVICE_PASSWORD },
  ],
};

export function registerWestGatePasses(store: Store): void {
  const year = Date.now() + 365 * 86_400_000;
  for (const [pass_id, holder_name, status] of [
    ["2000000001", "张伟", "active"],
    ["2000000002", "刘洋", "revoked"],
  ] as const)
    store.passes.create(
      {
        pass_id,
        holder_name,
        unit: "2-1-302",
        status,
        valid_until_ms: year,
        observation_until_ms: null,
      },
      Date.now(),
    );
}
