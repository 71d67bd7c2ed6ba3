/**
 * The embedded default (docs/contract.md#configuration): what the gateway runs with when there is no config file, so
 * that a newcomer sees it work before writing one. Passwords here are for the demo only.
 */
export const DEMO_CONFIG = {
  gateway_id: "gw-demo",
  site: { id: "demo", name: "Demo community / 演示小区", timezone: "Asia/Shanghai" },
  checkpoints: [
    {
      id: "gate-1",
      name: "North gate / 北门",
      direction: "both",
      mode: "temperature_only",
      enforcement: "hard",
    },
  ],
  devices: [
    {
      id: "thermo-1",
      kind: "thermometer",
      checkpoint: "gate-1",
      transport: "mqtt",
      password: "change-me",
    },
    {
      id: "reader-1",
      kind: "pass_reader",
      checkpoint: "gate-1",
      transport: "mqtt",
      password: "change-me",
    },
  ],
} as const;
