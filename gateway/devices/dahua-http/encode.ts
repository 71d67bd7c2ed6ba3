import { celsiusToFahrenheit } from "../terminal-event.js";
import { DAHUA } from "./constants.js";

/** Dahua uploads as a terminal builds them (simulator and tests), from the parser's field names. */
export interface DahuaEventInput {
  sn: number;
  utcSeconds: number;
  tempC?: number;
  fahrenheit?: boolean;
  overTemperature?: boolean;
  cardNo?: string;
  userId?: string;
  offline?: boolean;
}

export function dahuaUpload(events: readonly DahuaEventInput[]): string {
  const f = DAHUA.fields;
  return JSON.stringify({
    Events: events.map((e) => ({
      Code: DAHUA.accessCode,
      Action: "Pulse",
      Index: 0,
      Data: {
        [f.serial]: e.sn,
        [f.time]: e.utcSeconds,
        ...(e.tempC !== undefined
          ? {
              [f.temperature]: e.fahrenheit ? celsiusToFahrenheit(e.tempC) : e.tempC,
              [f.unit]: e.fahrenheit ? 1 : 0,
              [f.overTemperature]: e.overTemperature ?? e.tempC > 37.3,
            }
          : {}),
        ...(e.cardNo !== undefined ? { [f.card]: e.cardNo } : {}),
        ...(e.userId !== undefined ? { [f.person]: e.userId } : {}),
      },
      ...(e.offline ? { DataSource: "Offline" } : {}),
    })),
  });
}
