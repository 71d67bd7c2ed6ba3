import type { KioskMessage, LiveMessageOf } from "../gateway/live/protocol.js";
import { LIVE_KIOSK_PATH } from "../gateway/live/protocol.js";
import { $ } from "./dom.js";
import { parseMessage } from "./live-message.js";
import { splitName } from "./names.js";
import {
  IDLE_VIEW,
  isStillCurrent,
  PAUSED_VIEW,
  type ScreenView,
  viewForPassage,
  viewForReading,
  viewForScan,
} from "./screen.js";
import { Tone } from "./tone.js";
import { Voice } from "./voice.js";

/**
 * The entrant's screen (docs/contract.md#pages): connects to the checkpoint's live channel, shows and speaks
 * each result at once, and after a lost connection pauses (it must not look live) and resumes
 * from the last seq it saw.
 */

const params = new URLSearchParams(location.search);
const checkpointId = params.get("checkpoint");
const tone = new Tone();
const voice = new Voice((state) => {
  document.body.dataset.sound = state;
  $("sound-needed").hidden = state !== "blocked";
});

let lastSeq: number | null = null;
let idleTimer: number | undefined;
let retryDelayMs = 500;
let mode = "";
/** A fever stays up at least this long even when the next person is read (config `kiosk`). */
let feverHoldMs = 8000;
let feverHeldUntil = 0;
let feverTimer: number | undefined;
/** A prompt said again within this time is the same result told twice. */
const REPEAT_MS = 3000;
let spoken: { key: ScreenView["voice"]; atMs: number } = { key: null, atMs: 0 };
/** The view that came during a fever's hold: shown when the hold ends, if still current. */
let waiting: { view: ScreenView } | undefined;

/** Shows a view now, or after the fever on screen has been up for its hold. */
function present(view: ScreenView): void {
  const now = Date.now();
  if (!view.alarm && view.theme !== "paused" && now < feverHeldUntil) {
    waiting = { view };
    return;
  }
  show(view);
}

function show(view: ScreenView): void {
  waiting = undefined;
  document.body.dataset.theme = view.theme;
  const temperature = $("temperature");
  temperature.textContent = view.temperature === null ? "" : `${view.temperature}°C`;
  temperature.dataset.status = view.temperatureStatus ?? "";
  setClauses($("message-zh"), view.zh);
  $("message-en").textContent = view.en;
  const popup = $("fever-popup");
  popup.hidden = !view.alarm;
  $("popup-temperature").textContent = view.temperature === null ? "" : `${view.temperature}°C`;
  setClauses($("popup-zh"), view.alarm ? view.zh : "");
  $("popup-en").textContent = view.alarm ? view.en : "";
  // The passage that follows a reading often says the same (a fever, then the refused passage
  // for it): the prompt is not said twice, nor the tone restarted.
  const repeat =
    view.voice !== null && view.voice === spoken.key && Date.now() - spoken.atMs < REPEAT_MS;
  if (!repeat) {
    tone.stop();
    spoken = { key: view.voice, atMs: Date.now() };
    if (view.voice) voice.say(view.voice, view.alarm ? () => tone.fever() : undefined);
    else voice.stop();
  }
  window.clearTimeout(idleTimer);
  window.clearTimeout(feverTimer);
  feverHeldUntil = view.alarm ? Date.now() + feverHoldMs : 0;
  if (view.alarm)
    feverTimer = window.setTimeout(() => {
      feverHeldUntil = 0;
      // The person who waited behind the fever sees their result for its whole hold.
      if (waiting) show(waiting.view);
    }, feverHoldMs);
  if (view.holdMs > 0) idleTimer = window.setTimeout(() => show(IDLE_VIEW), view.holdMs);
}

/**
 * Chinese text whose lines break only between its clauses (after ，；：) when it must wrap, so
 * a portrait screen shows "体温异常，" over "请联系工作人员", not a clause cut in two.
 */
function setClauses(element: HTMLElement, text: string): void {
  element.replaceChildren(
    ...(text.match(/[^，；：]+[，；：]?/g) ?? []).map((clause) => span("clause", clause)),
  );
}

function setConnection(state: "connecting" | "online" | "offline"): void {
  const was = document.body.dataset.connection;
  document.body.dataset.connection = state;
  $("offline").hidden = state !== "offline";
  if (state === "offline" && was !== "offline") show(PAUSED_VIEW);
  if (state === "online" && document.body.dataset.theme === "paused") show(IDLE_VIEW);
}

function onHello(hello: Extract<KioskMessage, { type: "hello" }>): void {
  const checkpoint = hello.data.checkpoint;
  if (hello.data.screen) {
    voice.configure(hello.data.screen.voice);
    feverHoldMs = hello.data.screen.fever_hold_s * 1000;
  }
  if (checkpoint) {
    mode = checkpoint.mode;
    const [zh, en] = splitName(checkpoint.name);
    $("checkpoint-zh").textContent = zh;
    $("checkpoint-en").textContent = en;
    document.title = `${zh} 体温检测 · Temperature check`;
    if (checkpoint.fever_above_c !== undefined) {
      const bound = checkpoint.fever_above_c.toFixed(1);
      const atOrAbove = checkpoint.comparator === ">=";
      $("hint").replaceChildren(
        span(
          "zh",
          atOrAbove
            ? `体温 ${bound} °C 及以上请联系工作人员`
            : `体温高于 ${bound} °C 请联系工作人员`,
        ),
        span(
          "en",
          atOrAbove
            ? `${bound} °C or above: please see the guard`
            : `Above ${bound} °C: please see the guard`,
        ),
      );
    }
  }
  // A gateway whose journal is behind what we saw was reset: start over from its seq.
  if (lastSeq === null || hello.data.seq < lastSeq) lastSeq = hello.data.seq;
}

function span(className: string, text: string): HTMLSpanElement {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function onReading(message: LiveMessageOf<"reading">, replayed: boolean): void {
  const view = viewForReading(message.data);
  if (replayed && !isStillCurrent(message.data.ts, Date.now(), view)) return;
  present(view);
}

/** A card at a gate that also measures: the person is told at once to measure. */
function onScan(message: LiveMessageOf<"scan">, replayed: boolean): void {
  if (mode !== "pass_and_temperature") return;
  const view = viewForScan();
  if (replayed && !isStillCurrent(message.data.ts, Date.now(), view)) return;
  present(view);
}

function onPassage(message: LiveMessageOf<"passage">, replayed: boolean): void {
  const view = viewForPassage(message.data);
  if (!view) return;
  if (replayed && !isStillCurrent(message.data.ts, Date.now(), view)) return;
  present(view);
  document.body.dataset.passage = message.data.decision;
}

/** The guard resolved the fever this screen is showing: the entrant may go on, the screen clears. */
function onAlertUpdate(message: LiveMessageOf<"alert_update">): void {
  if (
    message.data.kind === "fever" &&
    message.data.state === "resolved" &&
    document.body.dataset.theme === "fever"
  ) {
    show(waiting?.view ?? IDLE_VIEW);
  }
}

function connect(): void {
  if (!checkpointId) {
    show({
      ...IDLE_VIEW,
      theme: "invalid",
      zh: "缺少检查点参数",
      en: "Missing ?checkpoint=<id> in the address",
    });
    return;
  }
  setConnection(document.body.dataset.connection === "offline" ? "offline" : "connecting");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ checkpoint: checkpointId });
  if (lastSeq !== null) query.set("since", String(lastSeq));
  const ws = new WebSocket(`${scheme}://${location.host}${LIVE_KIOSK_PATH}?${query}`);
  let replayLeft = 0;
  ws.onopen = () => {
    retryDelayMs = 500;
    setConnection("online");
  };
  ws.onmessage = (event) => {
    const message = parseMessage<KioskMessage>(event.data);
    if (message.type === "hello") {
      replayLeft = message.data.replay?.count ?? 0;
      onHello(message);
      return;
    }
    const replayed = replayLeft > 0;
    if (replayed) replayLeft -= 1;
    if (lastSeq === null || message.seq > lastSeq) lastSeq = message.seq;
    document.body.dataset.lastSeq = String(lastSeq);
    if (message.type === "reading") onReading(message, replayed);
    if (message.type === "scan") onScan(message, replayed);
    if (message.type === "passage") onPassage(message, replayed);
    if (message.type === "alert_update") onAlertUpdate(message);
  };
  ws.onclose = () => {
    setConnection("offline");
    window.setTimeout(connect, retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 5000);
  };
}

function tick(): void {
  $("clock").textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
}

// Browsers start sound only after a touch unless the kiosk is launched with
// --autoplay-policy=no-user-gesture-required (README); the screen finds out which at once and
// asks for a tap while sound is blocked.
document.addEventListener("pointerdown", () => {
  tone.unlock();
  voice.probe();
});
tick();
window.setInterval(tick, 1000);
show(IDLE_VIEW);
voice.probe();
connect();
