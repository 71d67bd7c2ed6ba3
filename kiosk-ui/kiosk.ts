import type { HelloData, LiveMessage, PassageData, ReadingData } from "../gateway/live/protocol.js";
import { LIVE_KIOSK_PATH } from "../gateway/live/protocol.js";
import {
  IDLE_VIEW,
  isStillCurrent,
  type ScreenView,
  viewForPassage,
  viewForReading,
} from "./screen.js";
import { Tone } from "./tone.js";

/**
 * The entrant's screen (SPEC 8): connects to the checkpoint's live channel, shows each reading
 * at once, and after a lost connection resumes from the last seq it saw.
 */

const params = new URLSearchParams(location.search);
const checkpointId = params.get("checkpoint");
const $ = (id: string) => document.getElementById(id) as HTMLElement;
const tone = new Tone();

let lastSeq: number | null = null;
let idleTimer: number | undefined;
let retryDelayMs = 500;

function show(view: ScreenView): void {
  document.body.dataset.theme = view.theme;
  $("temperature").textContent = view.temperature === null ? "" : `${view.temperature}°C`;
  $("message-zh").textContent = view.zh;
  $("message-en").textContent = view.en;
  const popup = $("fever-popup");
  popup.hidden = !view.alarm;
  $("popup-temperature").textContent = view.temperature === null ? "" : `${view.temperature}°C`;
  if (view.alarm) tone.fever();
  else tone.stop();
  window.clearTimeout(idleTimer);
  if (view.holdMs > 0) idleTimer = window.setTimeout(() => show(IDLE_VIEW), view.holdMs);
}

function setConnection(state: "connecting" | "online" | "offline"): void {
  document.body.dataset.connection = state;
  $("offline").hidden = state !== "offline";
}

function onHello(hello: LiveMessage<HelloData>): void {
  const checkpoint = hello.data.checkpoint;
  if (checkpoint) {
    const [zh, en] = splitName(checkpoint.name);
    $("checkpoint-zh").textContent = zh;
    $("checkpoint-en").textContent = en;
    document.title = `${zh} 体温检测 · Temperature check`;
    if (checkpoint.fever_above_c !== undefined) {
      const bound = checkpoint.fever_above_c.toFixed(1);
      const atOrAbove = checkpoint.comparator === ">=";
      $("hint").innerHTML = "";
      const zhHint = document.createElement("span");
      zhHint.className = "zh";
      zhHint.textContent = atOrAbove
        ? `体温 ${bound} °C 及以上请联系工作人员`
        : `体温高于 ${bound} °C 请联系工作人员`;
      const enHint = document.createElement("span");
      enHint.className = "en";
      enHint.textContent = atOrAbove
        ? `${bound} °C or above: please see the guard`
        : `Above ${bound} °C: please see the guard`;
      $("hint").append(zhHint, enHint);
    }
  }
  // A gateway whose journal is behind what we saw was reset: start over from its seq.
  if (lastSeq === null || hello.data.seq < lastSeq) lastSeq = hello.data.seq;
}

function onReading(message: LiveMessage<ReadingData>, replayed: boolean): void {
  const view = viewForReading(message.data);
  if (replayed && !isStillCurrent(message.data.ts, Date.now(), view)) return;
  show(view);
}

function onPassage(message: LiveMessage<PassageData>, replayed: boolean): void {
  const view = viewForPassage(message.data);
  if (!view) return;
  if (replayed && !isStillCurrent(message.data.ts, Date.now(), view)) return;
  // A refused passage is a pop-up, like a fever: the person must see it and go to the guard.
  show(view);
  document.body.dataset.passage = message.data.decision;
}

/** The guard resolved the fever this screen is showing: the entrant may go on, the screen clears. */
function onAlertUpdate(message: LiveMessage<{ kind: string; state: string }>): void {
  if (
    message.data.kind === "fever" &&
    message.data.state === "resolved" &&
    document.body.dataset.theme === "fever"
  ) {
    show(IDLE_VIEW);
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
    const message = JSON.parse(String(event.data)) as LiveMessage;
    if (message.type === "hello") {
      const hello = message as LiveMessage<HelloData>;
      replayLeft = hello.data.replay?.count ?? 0;
      onHello(hello);
      return;
    }
    const replayed = replayLeft > 0;
    if (replayed) replayLeft -= 1;
    if (lastSeq === null || message.seq > lastSeq) lastSeq = message.seq;
    document.body.dataset.lastSeq = String(lastSeq);
    if (message.type === "reading") onReading(message as LiveMessage<ReadingData>, replayed);
    if (message.type === "passage") onPassage(message as LiveMessage<PassageData>, replayed);
    if (message.type === "alert_update")
      onAlertUpdate(message as LiveMessage<{ kind: string; state: string }>);
  };
  ws.onclose = () => {
    setConnection("offline");
    window.setTimeout(connect, retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 5000);
  };
}

/** "North gate / 北门" -> Chinese first, English beneath, whichever order it was written in. */
function splitName(name: string): [string, string] {
  const parts = name.split("/").map((part) => part.trim());
  if (parts.length < 2) return [name, ""];
  const hasHan = (s: string) => /\p{Script=Han}/u.test(s);
  const zh = parts.find(hasHan) ?? parts[0] ?? name;
  const en = parts.find((part) => part !== zh) ?? "";
  return [zh, en];
}

function tick(): void {
  $("clock").textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
}

// Browsers start audio only after a gesture unless the kiosk is launched with
// --autoplay-policy=no-user-gesture-required (see README); a tap anywhere also unlocks it.
document.addEventListener("pointerdown", () => tone.unlock());
tick();
window.setInterval(tick, 1000);
show(IDLE_VIEW);
connect();
