import { RESOLVING, SEVERITY } from "../gateway/domain/resolving.js";
import type { Alert, DeviceStatus, Disposition, Passage } from "../gateway/domain/types.js";
import type { LiveMessage } from "../gateway/live/protocol.js";
import { LIVE_GUARD_PATH } from "../gateway/live/protocol.js";
import { $, button, h, within } from "./dom.js";
import { reconcile } from "./keyed.js";
import { ALERT_TEXT, dispositionChoices } from "./labels.js";
import { parseMessage } from "./live-message.js";
import { chineseFirst, DEVICE_KIND_TEXT } from "./names.js";
import { REASON_TEXT } from "./screen.js";
import { api, bindLoginForm, currentAccount, errorOf, getJson, json, logout } from "./session.js";
import { Tone } from "./tone.js";

/**
 * The guard console (docs/contract.md#pages): log in, see open alerts most urgent first (a fever before a pass,
 * a pass before a device) with a sound until acknowledged, acknowledge and resolve each the way
 * its kind allows, today's counts, devices, live passages; after a lost connection it resumes
 * with `since=`. Alerts are updated in place by id, so a new one never wipes what a guard is
 * typing into another.
 */

const tone = new Tone();
const alerts = new Map<string, Alert>();
/** Checkpoint and device names, so the guard reads "北门 North gate", not "gate-1". */
const checkpointNames = new Map<string, string>();
const deviceKinds = new Map<string, string>();
let lastSeq: number | null = null;
let retryDelayMs = 500;
let socket: WebSocket | undefined;

async function start(): Promise<void> {
  const account = await currentAccount();
  if (account === null) {
    showLogin();
    return;
  }
  $("who").textContent = `${account.username} (${account.role === "admin" ? "管理员" : "值守"})`;
  $("login").hidden = true;
  $("console").hidden = false;
  await Promise.all([refreshCounts(), refreshDevices(), refreshUpstream()]);
  window.setInterval(() => void refreshUpstream(), 5000);
  connect();
}

function showLogin(): void {
  $("console").hidden = true;
  $("login").hidden = false;
}

bindLoginForm($("login-form", HTMLFormElement), $("login-error"), () => {
  tone.unlock();
  void start();
});

$("logout").addEventListener("click", () => {
  socket?.close();
  void logout();
});

// The button says whether sound is really on (the browser allows it only after a touch).
$("sound").addEventListener("click", () => tone.unlock());
tone.onChange((on) => {
  document.body.dataset.sound = on ? "on" : "off";
  $("sound").textContent = on ? "声音已开 Sound on" : "声音未开，点此开启 Sound off: tap";
});

function connect(): void {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = lastSeq === null ? "" : `?since=${lastSeq}`;
  const ws = new WebSocket(`${scheme}://${location.host}${LIVE_GUARD_PATH}${query}`);
  socket = ws;
  ws.onopen = () => {
    retryDelayMs = 500;
    setConnection("online");
  };
  ws.onmessage = (event) => onMessage(parseMessage<LiveMessage>(event.data));
  ws.onclose = () => {
    setConnection("offline");
    window.setTimeout(async () => {
      // A restart may have ended the session: ask before reconnecting.
      const me = await api("/api/auth/me").catch(() => undefined);
      if (me?.status === 401) showLogin();
      else connect();
    }, retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 5000);
  };
}

function setConnection(state: "online" | "offline"): void {
  document.body.dataset.connection = state;
  $("connection").textContent =
    state === "online" ? "已连接 Connected" : "连接中断，正在重连… Connection lost, reconnecting…";
}

function onMessage(message: LiveMessage): void {
  if (message.type === "hello") {
    const hello = message.data;
    for (const alert of hello.open_alerts) alerts.set(alert.alert_id, alert);
    if (lastSeq === null || hello.seq < lastSeq) lastSeq = hello.seq;
    renderAlerts();
    return;
  }
  if (lastSeq === null || message.seq > lastSeq) lastSeq = message.seq;
  document.body.dataset.lastSeq = String(lastSeq);
  switch (message.type) {
    case "alert":
    case "alert_update": {
      const alert = message.data;
      if (alert.state === "resolved") alerts.delete(alert.alert_id);
      else alerts.set(alert.alert_id, alert);
      renderAlerts();
      void refreshCounts();
      return;
    }
    case "passage":
      addPassage(message.data);
      void refreshCounts();
      return;
    case "device_status":
      updateDevice(message.data);
      return;
  }
}

/** Most urgent first: by kind (SEVERITY), then not yet acknowledged, then newest. */
function byUrgency(a: Alert, b: Alert): number {
  return (
    SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind) ||
    Number(b.state === "open") - Number(a.state === "open") ||
    b.seq - a.seq
  );
}

function renderAlerts(): void {
  const sorted = [...alerts.values()].sort(byUrgency);
  reconcile($("alert-list"), sorted, {
    key: (alert) => alert.alert_id,
    create: alertCard,
    update: updateAlertCard,
  });
  $("alert-count").textContent = String(sorted.length);
  $("no-alerts").hidden = sorted.length > 0;
  // The sound goes on until every alert has been seen by someone.
  const unseen = sorted.some((a) => a.state === "open");
  document.body.dataset.alarm = unseen ? "on" : "off";
  if (unseen && document.body.dataset.tone !== "fever") tone.fever();
  if (!unseen) tone.stop();
}

const place = (checkpointId: string | null) =>
  checkpointId === null ? null : (checkpointNames.get(checkpointId) ?? checkpointId);

function deviceName(deviceId: string | null): string | null {
  if (deviceId === null) return null;
  const kind = deviceKinds.get(deviceId);
  return kind ? `${DEVICE_KIND_TEXT[kind] ?? kind} (${deviceId})` : deviceId;
}

function alertFacts(alert: Alert): string {
  return [
    new Date(alert.opened_at).toLocaleTimeString("zh-CN", { hour12: false }),
    place(alert.checkpoint_id),
    alert.temp_c === null ? null : `${alert.temp_c.toFixed(1)} °C`,
    alert.pass_id,
    deviceName(alert.device_id),
    alert.state === "acknowledged" ? `已确认 ${alert.acknowledged_by}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** An alert's card, made once: its resolve form offers what the kind allows, nothing chosen. */
function alertCard(alert: Alert): HTMLElement {
  const text = ALERT_TEXT[alert.kind];
  const rule = RESOLVING[alert.kind];
  const id = alert.alert_id;
  const error = h("p", { class: "error", role: "alert" });
  const disposition = h("select", { name: "disposition", "aria-label": "处理结果 Outcome" });
  const prompt = new Option("请选择处理结果 Choose the outcome", "", true, true);
  prompt.disabled = true;
  disposition.append(prompt);
  for (const choice of dispositionChoices(alert.kind))
    disposition.append(new Option(choice.label, choice.value));
  const temp = rule.confirmingTemperature
    ? h("input", {
        name: "confirm_temp_c",
        class: "temp",
        type: "number",
        inputmode: "decimal",
        step: "0.1",
        min: "34",
        max: "43",
        placeholder: "复测 °C",
        "aria-label": "复测体温 Confirming temperature °C",
      })
    : null;
  const note = h("input", { name: "note", placeholder: "备注 Note", "aria-label": "备注 Note" });
  const resolve = button("处理完毕 Resolve", "resolve", async () => {
    error.textContent = "";
    if (disposition.value === "") {
      error.textContent = "请选择处理结果 Choose the outcome";
      disposition.focus();
      return;
    }
    if (temp && temp.value === "") {
      error.textContent = "请填写复测体温 Enter the confirming temperature";
      temp.focus();
      return;
    }
    error.textContent = await act(`/api/alerts/${encodeURIComponent(id)}/resolve`, {
      disposition: disposition.value as Disposition,
      confirm_temp_c: temp ? Number(temp.value) : null,
      note: note.value === "" ? null : note.value,
    });
  });
  const ack = button("确认 Acknowledge", "ack", async () => {
    error.textContent = await act(`/api/alerts/${encodeURIComponent(id)}/ack`, {});
  });
  ack.classList.add("primary");
  const card = h(
    "li",
    { class: "alert", "data-kind": alert.kind, "data-id": id },
    h("div", { class: "title" }, text.zh, h("span", { class: "en" }, text.en)),
    h("div", { class: "facts" }),
    h("div", { class: "actions" }, ack),
    h("form", { class: "resolve" }, disposition, temp, note, resolve),
    error,
  );
  card.querySelector("form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    resolve.click();
  });
  updateAlertCard(card, alert);
  return card;
}

/** What changes on a card as the alert moves on: never the guard's own inputs. */
function updateAlertCard(card: HTMLElement, alert: Alert): void {
  card.dataset.state = alert.state;
  within(card, ".facts", HTMLElement).textContent = alertFacts(alert);
  const ack = card.querySelector<HTMLElement>("button[data-action=ack]");
  if (ack) ack.hidden = alert.state !== "open";
}

/** Sends a guard's action; the error to show under the card ("" when done). */
async function act(path: string, body: unknown): Promise<string> {
  const response = await api(path, { method: "POST", body: JSON.stringify(body) }).catch(
    () => null,
  );
  if (response === null) return "网络中断，未能提交 Not sent: the network is down";
  // The change itself arrives over the live channel, for every console at once.
  return response.ok ? "" : await errorOf(response);
}

function addPassage(passage: Passage): void {
  const list = $("passages");
  const reasons = passage.reasons.map((r) => REASON_TEXT[r].zh).join("；");
  const item = h(
    "li",
    { "data-decision": passage.decision },
    [
      new Date(passage.ts).toLocaleTimeString("zh-CN", { hour12: false }),
      place(passage.checkpoint_id),
      passage.decision === "allow" ? "放行 allow" : "拒绝 deny",
      passage.holder_name ?? passage.pass_id,
      passage.temp_c === null ? null : `${passage.temp_c.toFixed(1)} °C`,
      reasons || null,
    ]
      .filter(Boolean)
      .join(" · "),
  );
  list.prepend(item);
  while (list.children.length > 50) list.lastElementChild?.remove();
}

let countsTimer: number | undefined;
async function refreshCounts(): Promise<void> {
  window.clearTimeout(countsTimer);
  const load = async () => {
    const response = await api("/api/counts/today");
    if (!response.ok) return;
    const { checkpoints } = await json<{
      checkpoints: {
        checkpoint_id: string;
        name: string;
        passages: number;
        allowed: number;
        denied: number;
        fevers: number;
      }[];
    }>(response);
    for (const c of checkpoints) checkpointNames.set(c.checkpoint_id, chineseFirst(c.name));
    const body = within($("counts"), "tbody", HTMLElement);
    body.replaceChildren(
      ...checkpoints.map((c) =>
        h(
          "tr",
          { "data-checkpoint": c.checkpoint_id },
          ...[chineseFirst(c.name), c.passages, c.allowed, c.denied, c.fevers].map((value) =>
            h("td", {}, value),
          ),
        ),
      ),
    );
  };
  // The first load is awaited (names before the first alert); later ones are coalesced.
  if (checkpointNames.size === 0) await load();
  else countsTimer = window.setTimeout(() => void load(), 300);
}

/** The link to the district: connected, or down with how much is waiting. */
async function refreshUpstream(): Promise<void> {
  const response = await api("/api/health").catch(() => undefined);
  if (!response?.ok) return;
  const { upstream } = await json<{
    upstream: { enabled: boolean; connected: boolean; queue_depth: number };
  }>(response);
  const element = $("upstream");
  if (!upstream.enabled) {
    element.dataset.state = "off";
    element.textContent = "上级平台未配置 District: not configured";
  } else if (upstream.connected) {
    element.dataset.state = "up";
    element.textContent = `上级平台已连接 District: connected${upstream.queue_depth > 0 ? ` · ${upstream.queue_depth}` : ""}`;
  } else {
    element.dataset.state = "down";
    element.textContent = `上级平台断开，待发 ${upstream.queue_depth} District: down, ${upstream.queue_depth} waiting`;
  }
}

async function refreshDevices(): Promise<void> {
  const health = await getJson<{
    devices: {
      id: string;
      kind: string;
      online: boolean;
      last_seen: string | null;
      checkpoint_id: string;
    }[];
  }>("/api/health");
  for (const device of health.devices) {
    deviceKinds.set(device.id, device.kind);
    updateDevice({
      device_id: device.id,
      online: device.online,
      ts: device.last_seen ?? "",
      checkpoint_id: device.checkpoint_id,
    } as DeviceStatus);
  }
}

function updateDevice(
  status: Pick<DeviceStatus, "device_id" | "online" | "ts" | "checkpoint_id">,
): void {
  const list = $("devices");
  let item = list.querySelector<HTMLElement>(`li[data-device="${CSS.escape(status.device_id)}"]`);
  if (!item) {
    item = h("li", { "data-device": status.device_id });
    list.append(item);
  }
  item.dataset.online = String(status.online);
  const seen = status.ts ? new Date(status.ts).toLocaleTimeString("zh-CN", { hour12: false }) : "—";
  item.replaceChildren(
    h("span", {}, `${place(status.checkpoint_id)} · ${deviceName(status.device_id)}`),
    h("span", {}, `${status.online ? "在线 online" : "离线 offline"} · ${seen}`),
  );
}

void start();
