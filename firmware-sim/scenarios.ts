import { Random } from "./random.js";

/**
 * Named, seeded scenarios (docs/contract.md#the-simulator) as pure generators of timed device actions; the runner
 * turns them into real messages. Temperatures are what the sensor reports (raw_c), with two
 * decimals like the infrared modules.
 */

export interface TemperatureAction {
  kind: "temperature";
  /** Milliseconds after the scenario starts. */
  atMs: number;
  deviceId: string;
  tempC: number;
  /** Why this value: shown in the simulator's output. */
  note: string;
}

/** A pass presented at the reader: a card held for `holdMs`, or a code scanned. */
export interface ScanAction {
  kind: "scan";
  atMs: number;
  passId: string;
  holdMs: number;
  note: string;
}

/** Line trouble on a serial device (docs/contract.md#the-simulator `noise`). */
export interface NoiseAction {
  kind: "noise";
  atMs: number;
  noise: "garbage" | "corrupt" | "split";
  note: string;
}

/** The serial devices' cable pulled for `downMs`, then plugged back in. */
export interface UnplugAction {
  kind: "unplug";
  atMs: number;
  downMs: number;
  note: string;
}

export type ScenarioAction = TemperatureAction | ScanAction | NoiseAction | UnplugAction;

/** Cards of residents the simulator knows (10-digit EM4100 numbers, as the RDM6300 reads them). */
export const RESIDENT_CARDS = [
  "0012345678",
  "0087654321",
  "0169552957",
  "4000000000",
  "0000070001",
  "0000070002",
];

export interface ScenarioOptions {
  seed: number;
  thermometers: string[];
  /** People per minute. */
  ratePerMin: number;
  /** Share of people with a fever, 0..1. */
  feverShare: number;
  /** How many people; Infinity runs until stopped. */
  people: number;
}

export const SCENARIOS = [
  "steady",
  "fever",
  "rush",
  "winter",
  "cards",
  "noise",
  "unplug",
  "gate",
] as const;

/**
 * The passes the `gate` scenario expects in the registry (`--register-passes` puts them there):
 * residents, one revoked card, one resident under home observation.
 */
export const GATE_PASSES = [
  {
    pass_id: "0012345678",
    holder_name: "王小明",
    unit: "3-2-401",
    status: "active",
    observation_days: 0,
  },
  {
    pass_id: "0087654321",
    holder_name: "李华",
    unit: "5-1-101",
    status: "active",
    observation_days: 0,
  },
  {
    pass_id: "0169552957",
    holder_name: "张伟",
    unit: "1-1-302",
    status: "active",
    observation_days: 0,
  },
  {
    pass_id: "0000070001",
    holder_name: "刘洋",
    unit: "2-3-502",
    status: "revoked",
    observation_days: 0,
  },
  {
    pass_id: "0000070002",
    holder_name: "陈静",
    unit: "4-2-201",
    status: "active",
    observation_days: 14,
  },
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const round2 = (value: number) => Math.round(value * 100) / 100;

function healthy(random: Random): number {
  return round2(Math.min(37.2, Math.max(35.6, random.normal(36.5, 0.3))));
}

function feverish(random: Random): number {
  return round2(Math.min(40.5, Math.max(37.5, random.normal(38.3, 0.4))));
}

/** A steady flow: arrivals at `ratePerMin` on average, a `feverShare` of them with a fever. */
export function* steady(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const meanGapMs = 60_000 / options.ratePerMin;
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += random.exponential(meanGapMs);
    const deviceId = options.thermometers[person % options.thermometers.length] as string;
    const fever = random.chance(options.feverShare);
    yield {
      kind: "temperature",
      atMs: Math.round(atMs),
      deviceId,
      tempC: fever ? feverish(random) : healthy(random),
      note: fever ? "fever" : "healthy",
    };
  }
}

/**
 * A fever case at the gate: a few healthy people, then one with a fever who is measured
 * again a few seconds later (still feverish), then the queue moves on. Repeats while
 * `people` allows.
 */
export function* fever(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const gapMs = 60_000 / options.ratePerMin;
  let atMs = 0;
  let person = 0;
  const deviceId = options.thermometers[0] as string;
  while (person < options.people) {
    for (let i = 0; i < 3 && person < options.people; i++, person++) {
      atMs += gapMs;
      yield {
        kind: "temperature",
        atMs: Math.round(atMs),
        deviceId,
        tempC: healthy(random),
        note: "healthy",
      };
    }
    if (person >= options.people) return;
    const first = feverish(random);
    atMs += gapMs;
    yield { kind: "temperature", atMs: Math.round(atMs), deviceId, tempC: first, note: "fever" };
    atMs += 5000;
    yield {
      kind: "temperature",
      atMs: Math.round(atMs),
      deviceId,
      tempC: round2(first + random.normal(0, 0.1)),
      note: "fever, measured again",
    };
    person++;
  }
}

/** A morning crowd: each person shows a card, then walks past the thermometer. */
export function* rush(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const meanGapMs = 60_000 / options.ratePerMin;
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += random.exponential(meanGapMs);
    const hasCard = random.chance(0.9);
    if (hasCard) {
      const card = RESIDENT_CARDS[Math.floor(random.next() * RESIDENT_CARDS.length)] as string;
      yield {
        kind: "scan",
        atMs: Math.round(atMs),
        passId: card,
        holdMs: 300,
        note: "resident card",
      };
    }
    const fever = random.chance(options.feverShare);
    yield {
      kind: "temperature",
      atMs: Math.round(atMs) + 1000,
      deviceId: options.thermometers[person % options.thermometers.length] as string,
      tempC: fever ? feverish(random) : healthy(random),
      note: fever ? "fever" : hasCard ? "healthy" : "healthy, no card",
    };
  }
}

/**
 * A cold winter morning: foreheads read low at first; each person waits and is measured
 * again a few seconds later, some of them twice.
 */
export function* winter(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const gapMs = 60_000 / options.ratePerMin;
  const deviceId = options.thermometers[0] as string;
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += gapMs;
    yield {
      kind: "temperature",
      atMs: Math.round(atMs),
      deviceId,
      tempC: round2(33 + random.next() * 1.8),
      note: "cold, low",
    };
    let again = atMs + 5000;
    if (random.chance(0.3)) {
      yield {
        kind: "temperature",
        atMs: Math.round(again),
        deviceId,
        tempC: round2(34 + random.next() * 0.8),
        note: "still low, measured again",
      };
      again += 5000;
    }
    yield {
      kind: "temperature",
      atMs: Math.round(again),
      deviceId,
      tempC: healthy(random),
      note: "warmed up, measured again",
    };
    atMs = again;
  }
}

/** Cards at the reader: a resident's tap, an unknown card, a card held for 4 s, a quick repeat. */
export function* cards(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const gapMs = 60_000 / options.ratePerMin;
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += gapMs;
    const card = RESIDENT_CARDS[person % RESIDENT_CARDS.length] as string;
    switch (person % 4) {
      case 0:
        yield {
          kind: "scan",
          atMs: Math.round(atMs),
          passId: card,
          holdMs: 300,
          note: "resident card, tapped",
        };
        break;
      case 1: {
        const unknown = String(Math.floor(random.next() * 4_000_000_000)).padStart(10, "0");
        yield {
          kind: "scan",
          atMs: Math.round(atMs),
          passId: unknown,
          holdMs: 300,
          note: "unknown card",
        };
        break;
      }
      case 2:
        yield {
          kind: "scan",
          atMs: Math.round(atMs),
          passId: card,
          holdMs: 4000,
          note: "card held 4 s (one scan)",
        };
        break;
      default:
        yield {
          kind: "scan",
          atMs: Math.round(atMs),
          passId: card,
          holdMs: 300,
          note: "resident card",
        };
        yield {
          kind: "scan",
          atMs: Math.round(atMs) + 1000,
          passId: card,
          holdMs: 300,
          note: "same card again at once (one scan)",
        };
    }
  }
}

/** Line trouble between good readings: garbage, a corrupt checksum, a frame split in two. */
export function* noise(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const gapMs = 60_000 / options.ratePerMin;
  const deviceId = options.thermometers[0] as string;
  const troubles = ["garbage", "corrupt", "split"] as const;
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += gapMs;
    const trouble = troubles[person % troubles.length] as NoiseAction["noise"];
    yield { kind: "noise", atMs: Math.round(atMs), noise: trouble, note: trouble };
    yield {
      kind: "temperature",
      atMs: Math.round(atMs + gapMs / 2),
      deviceId,
      tempC: healthy(random),
      note: "healthy",
    };
  }
}

/** Readings, the cable pulled for 5 s, plugged back, readings again. */
export function* unplug(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const gapMs = 60_000 / options.ratePerMin;
  const deviceId = options.thermometers[0] as string;
  const half = Math.max(1, Math.floor(options.people / 2));
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += gapMs;
    if (person === half) {
      yield { kind: "unplug", atMs: Math.round(atMs), downMs: 5000, note: "cable pulled for 5 s" };
      atMs += 7000;
    }
    yield {
      kind: "temperature",
      atMs: Math.round(atMs),
      deviceId,
      tempC: healthy(random),
      note: person < half ? "healthy" : "healthy, after replug",
    };
  }
}

/**
 * A community gate: residents show their card and walk past the thermometer; a visitor without
 * a pass is measured only; a revoked card; a resident under home observation trying to leave.
 */
export function* gate(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const gapMs = 60_000 / options.ratePerMin;
  const deviceId = options.thermometers[0] as string;
  const residents = GATE_PASSES.filter((p) => p.status === "active" && p.observation_days === 0);
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += gapMs;
    const at = Math.round(atMs);
    const who = person % 6;
    if (who === 3) {
      yield {
        kind: "temperature",
        atMs: at,
        deviceId,
        tempC: healthy(random),
        note: "visitor without a pass",
      };
      continue;
    }
    const pass =
      who === 4
        ? GATE_PASSES[3]
        : who === 5
          ? GATE_PASSES[4]
          : residents[person % residents.length];
    const note =
      who === 4 ? "revoked card" : who === 5 ? "resident under home observation" : "resident";
    yield { kind: "scan", atMs: at, passId: pass?.pass_id ?? "", holdMs: 300, note };
    const fever = random.chance(options.feverShare);
    yield {
      kind: "temperature",
      atMs: at + 1500,
      deviceId,
      tempC: fever ? feverish(random) : healthy(random),
      note: fever ? "fever" : note,
    };
  }
}

const GENERATORS: Record<ScenarioName, (options: ScenarioOptions) => Generator<ScenarioAction>> = {
  steady,
  fever,
  rush,
  winter,
  cards,
  noise,
  unplug,
  gate,
};

export function scenario(name: ScenarioName, options: ScenarioOptions): Generator<ScenarioAction> {
  return GENERATORS[name](options);
}
