/**
 * Dahua access/temperature terminals' HTTP event upload (docs/contract.md#network-terminals-over-http; Dahua HTTP API, "Access
 * Control Event" / `AccessControl` event code): the terminal posts `{"Events": [...]}`, each
 * with a `Code` and its `Data`; events it stored while it could not reach the gateway come with
 * `DataSource: "Offline"` and are taken in the same way.
 */
export const DAHUA = {
  accessCode: "AccessControl",
  fields: {
    serial: "SN",
    temperature: "CurrentTemperature",
    overTemperature: "IsOverTemperature",
    unit: "TemperatureUnit",
    time: "UTC",
    card: "CardNo",
    person: "UserID",
    mask: "Mask",
  },
  /** `TemperatureUnit`: 0 is Celsius, 1 Fahrenheit (the firmware also writes the words). */
  fahrenheit: [1, "1", "Fahrenheit", "F"] as readonly unknown[],
} as const;
