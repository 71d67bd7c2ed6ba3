import type { Alert, DeviceStatus, Passage } from "../gateway/domain/types.js";
import type { HelloData, LiveMessage } from "../gateway/live/protocol.js";
import { LIVE_GUARD_PATH } from "../gateway/live/protocol.js";
import { $, button } from "./dom.js";
import { ALERT_TEXT, DISPOSITION_TEXT } from "./labels.js";
import { REASON_TEXT } from "./screen.js";
import { api, bindLoginForm, currentAccount, errorOf, logout } from "./session.js";
import { Tone } from "./tone.js";

/**
 * The guard console (SPEC 8): log in, see open alerts first (newest on top) with a sound until
 * acknowledged, acknowledge and resolve them with the confirming reading, today's counts,
 * devices, live passages; after a lost connection it resumes with `since=`.
 */

const tone = new Tone();
const alerts = new Map<string, Alert>();
let lastSeq: number | null = null;
let retryDelayMs = 500;
let socket: WebSocket | undefined;

async function start(): Promise<void> {
  const account = await currentAccount();
  if (account === null) {
    showLogin();
    return;
  }
  $("who").textContent = `${account.username} (${account.role})`;
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

bindLoginForm($("login-form") as HTMLFormElement, $("login-error"), () => {
  tone.unlock();
  void start();
});

$("logout").addEventListener("click", () => {
  socket?.close();
  void logout();
});

$("sound").addEventListener("click", () => tone.unlock());

function connect(): void {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = lastSeq === null ? "" : `?since=${lastSeq}`;
  const ws = new WebSocket(`${scheme}://${location.host}${LIVE_GUARD_PATH}${query}`);
  socket = ws;
  ws.onopen = () => {
    retryDelayMs = 500;
    setConnection("online");
  };
  ws.onmessage = (event) => onMessage(JSON.parse(String(event.data)) as LiveMessage);
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
    const hello = message.data as HelloData;
    for (const alert of hello.open_alerts as Alert[]) alerts.set(alert.alert_id, alert);
    if (lastSeq === null || hello.seq < lastSeq) lastSeq = hello.seq;
    renderAlerts();
    return;
  }
  if (lastSeq === null || message.seq > lastSeq) lastSeq = message.seq;
  document.body.dataset.lastSeq = String(lastSeq);
  switch (message.type) {
    case "alert":
    case "alert_update": {
      const alert = message.data as Alert;
      if (alert.state === "resolved") alerts.delete(alert.alert_id);
      else alerts.set(alert.alert_id, alert);
      renderAlerts();
      void refreshCounts();
      return;
    }
    case "passage":
      addPassage(message.data as Passage);
      void refreshCounts();
      return;
    case "device_status":
      updateDevice(message.data as DeviceStatus);
      return;
  }
}

function renderAlerts(): void {
  const list = $("alert-list");
  list.replaceChildren();
  const sorted = [...alerts.values()].sort((a, b) => b.seq - a.seq);
  for (const alert of sorted) list.append(alertItem(alert));
  $("alert-count").textContent = String(sorted.length);
  $("no-alerts").hidden = sorted.length > 0;
  // The sound goes on until every alert has been seen by someone.
  const unseen = sorted.some((a) => a.state === "open");
  document.body.dataset.alarm = unseen ? "on" : "off";
  if (unseen && document.body.dataset.tone !== "fever") tone.fever();
  if (!unseen) tone.stop();
}

function alertItem(alert: Alert): HTMLElement {
  const item = document.createElement("li");
  item.className = "alert";
  item.dataset.state = alert.state;
  item.dataset.kind = alert.kind;
  item.dataset.id = alert.alert_id;
  const text = ALERT_TEXT[alert.kind];
  const title = document.createElement("div");
  title.className = "title";
  title.append(text.zh);
  const en = document.createElement("span");
  en.className = "en";
  en.textContent = text.en;
  title.append(en);
  const facts = document.createElement("div");
  facts.className = "facts";
  facts.textContent = [
    new Date(alert.opened_at).toLocaleTimeString("zh-CN", { hour12: false }),
    alert.checkpoint_id,
    alert.temp_c === null ? null : `${alert.temp_c.toFixed(1)} °C`,
    alert.pass_id,
    alert.device_id,
    alert.state === "acknowledged" ? `已确认 acknowledged by ${alert.acknowledged_by}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const actions = document.createElement("div");
  actions.className = "actions";
  if (alert.state === "open") {
    const ack = button("确认 Acknowledge", "ack", () =>
      act(`/api/alerts/${encodeURIComponent(alert.alert_id)}/ack`, {}),
    );
    ack.classList.add("primary");
    actions.append(ack);
  }
  const disposition = document.createElement("select");
  disposition.name = "disposition";
  for (const [value, label] of Object.entries(DISPOSITION_TEXT))
    disposition.append(new Option(label, value));
  const temp = document.createElement("input");
  temp.name = "confirm_temp_c";
  temp.className = "temp";
  temp.type = "number";
  temp.step = "0.1";
  temp.min = "34";
  temp.max = "43";
  temp.placeholder = "复测 °C";
  const note = document.createElement("input");
  note.name = "note";
  note.placeholder = "备注 Note";
  actions.append(
    disposition,
    temp,
    note,
    button("处理完毕 Resolve", "resolve", () =>
      act(`/api/alerts/${encodeURIComponent(alert.alert_id)}/resolve`, {
        disposition: disposition.value,
        confirm_temp_c: temp.value === "" ? null : Number(temp.value),
        note: note.value === "" ? null : note.value,
      }),
    ),
  );
  item.append(title, facts, actions);
  return item;
}

async function act(path: string, body: unknown): Promise<void> {
  const response = await api(path, { method: "POST", body: JSON.stringify(body) });
  if (!response.ok) window.alert(await errorOf(response));
  // The change itself arrives over the live channel, for every console at once.
}

function addPassage(passage: Passage): void {
  const list = $("passages");
  const item = document.createElement("li");
  item.dataset.decision = passage.decision;
  const reasons = passage.reasons.map((r) => REASON_TEXT[r].zh).join("；");
  item.textContent = [
    new Date(passage.ts).toLocaleTimeString("zh-CN", { hour12: false }),
    passage.checkpoint_id,
    passage.decision === "allow" ? "放行 allow" : "拒绝 deny",
    passage.holder_name ?? passage.pass_id,
    passage.temp_c === null ? null : `${passage.temp_c.toFixed(1)} °C`,
    reasons || null,
  ]
    .filter(Boolean)
    .join(" · ");
  list.prepend(item);
  while (list.children.length > 50) list.lastElementChild?.remove();
}

let countsTimer: number | undefined;
async function refreshCounts(): Promise<void> {
  window.clearTimeout(countsTimer);
  countsTimer = window.setTimeout(async () => {
    const response = await api("/api/counts/today");
    if (!response.ok) return;
    const { checkpoints } = (await response.json()) as {
      checkpoints: {
        checkpoint_id: string;
        name: string;
        passages: number;
        allowed: number;
        denied: number;
        fevers: number;
      }[];
    };
    const body = $("counts").querySelector("tbody") as HTMLElement;
    body.replaceChildren(
      ...checkpoints.map((c) => {
        const row = document.createElement("tr");
        row.dataset.checkpoint = c.checkpoint_id;
        for (const value of [c.name, c.passages, c.allowed, c.denied, c.fevers]) {
          const cell = document.createElement("td");
          cell.textContent = String(value);
          row.append(cell);
        }
        return row;
      }),
    );
  }, 300);
}

/** The link to the district: connected, or down with how much is waiting. */
async function refreshUpstream(): Promise<void> {
  const response = await api("/api/health").catch(() => undefined);
  if (!response?.ok) return;
  const { upstream } = (await response.json()) as {
    upstream: { enabled: boolean; connected: boolean; queue_depth: number };
  };
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
  const health = (await (await api("/api/health")).json()) as {
    devices: { id: string; online: boolean; last_seen: string | null; checkpoint_id: string }[];
  };
  for (const device of health.devices)
    updateDevice({
      device_id: device.id,
      online: device.online,
      ts: device.last_seen ?? "",
      checkpoint_id: device.checkpoint_id,
    } as DeviceStatus);
}

function updateDevice(
  status: Pick<DeviceStatus, "device_id" | "online" | "ts" | "checkpoint_id">,
): void {
  const list = $("devices");
  let item = list.querySelector<HTMLElement>(`li[data-device="${CSS.escape(status.device_id)}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset.device = status.device_id;
    list.append(item);
  }
  item.dataset.online = String(status.online);
  const seen = status.ts ? new Date(status.ts).toLocaleTimeString("zh-CN", { hour12: false }) : "—";
  item.textContent = `${status.device_id} (${status.checkpoint_id}) ${status.online ? "在线 online" : "离线 offline"} · ${seen}`;
}

void start();
