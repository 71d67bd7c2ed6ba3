import { classifyTenths, type ScreeningRules, toTenths } from "./screening.js";
import type { AlertKind, Disposition } from "./types.js";

/**
 * How each kind of alert may be resolved (pure; the server enforces it, the guard console offers
 * exactly this). A fever or repeated low reading is about a person's temperature: the guard
 * measures again, and releases only on a normal reading. A pass alert is about who the person
 * is: no temperature. A device or district-link alert is about equipment: fixed, or a false alarm.
 */
export interface ResolvingRule {
  dispositions: readonly Disposition[];
  /** Whether the guard must enter the temperature measured again. */
  confirmingTemperature: boolean;
  /** Dispositions allowed only with a normal confirming temperature. */
  needNormal: readonly Disposition[];
}

const PERSON: ResolvingRule = {
  dispositions: ["released", "referred", "refused", "false_alarm"],
  confirmingTemperature: true,
  needNormal: ["released", "false_alarm"],
};
const PASS: ResolvingRule = {
  dispositions: ["released", "refused", "false_alarm"],
  confirmingTemperature: false,
  needNormal: [],
};
const EQUIPMENT: ResolvingRule = {
  dispositions: ["fixed", "false_alarm"],
  confirmingTemperature: false,
  needNormal: [],
};

export const RESOLVING: Record<AlertKind, ResolvingRule> = {
  fever: PERSON,
  low_retest: PERSON,
  unknown_pass: PASS,
  revoked_pass: PASS,
  expired_pass: PASS,
  observation: PASS,
  device_offline: EQUIPMENT,
  reader_fault: EQUIPMENT,
  upstream_backlog: EQUIPMENT,
  terminal_gap: EQUIPMENT,
};

/**
 * Severity, most urgent first: a person with a fever before anything about passes, passes
 * before equipment (docs/contract.md#pages guard console order).
 */
export const SEVERITY: readonly AlertKind[] = [
  "fever",
  "low_retest",
  "observation",
  "revoked_pass",
  "expired_pass",
  "unknown_pass",
  "reader_fault",
  "terminal_gap",
  "device_offline",
  "upstream_backlog",
];

export interface Resolution {
  disposition: Disposition;
  confirm_temp_c: number | null;
}

/** Why this resolution may not be made (English, as API errors are), or null when it may. */
export function resolutionProblem(
  kind: AlertKind,
  resolution: Resolution,
  rules: ScreeningRules,
): string | null {
  const rule = RESOLVING[kind];
  if (!rule.dispositions.includes(resolution.disposition))
    return `a ${kind} alert is resolved as ${rule.dispositions.join(", ")}, not ${resolution.disposition}`;
  const temperature = resolution.confirm_temp_c;
  if (!rule.confirmingTemperature)
    return temperature === null ? null : `a ${kind} alert takes no confirming temperature`;
  if (temperature === null) return `a ${kind} alert needs the confirming temperature`;
  if (
    rule.needNormal.includes(resolution.disposition) &&
    classifyTenths(toTenths(temperature), rules) !== "normal"
  )
    return `${resolution.disposition} needs a normal confirming temperature; ${temperature.toFixed(1)} °C is not`;
  return null;
}
