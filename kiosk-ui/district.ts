import { $, field, h, within } from "./dom.js";
import { getJson, json } from "./session.js";

/**
 * The district console (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): every site and gateway, the open fevers across the district
 * (live: the page is told when a fever or a gateway changes, and shows the district as it is
 * then), today's counts, the daily report for a date with its CSV export. Chinese first.
 */
interface Overview {
  gateways: {
    gateway_id: string;
    site_id: string;
    site_name: string;
    online: boolean | null;
    last_event_at: string | null;
    queue_depth: number | null;
    queue_age_s: number | null;
    open_fevers: number;
    open_equipment: number;
  }[];
  fevers: {
    alert_id: string;
    gateway_id: string;
    site_id: string;
    site_name: string;
    checkpoint_id: string | null;
    /** From the gateway's summaries; null until its first. */
    checkpoint_name: string | null;
    temp_c: number | null;
    opened_at: string;
  }[];
  today: Counts[];
}
/** A checkpoint as a person reads it: its name, its id after it (the id alone before a name). */
function checkpointLabel(f: { checkpoint_id: string | null; checkpoint_name: string | null }) {
  if (!f.checkpoint_id) return "";
  return f.checkpoint_name && f.checkpoint_name !== f.checkpoint_id
    ? ` · ${f.checkpoint_name} ${f.checkpoint_id}`
    : ` · ${f.checkpoint_id}`;
}
interface Counts {
  site_id: string;
  site_name: string;
  passages: number;
  allowed: number;
  denied: number;
  fevers: number;
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(path, {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
    credentials: "same-origin",
  });
const time = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "—";

async function start(): Promise<void> {
  const me = await api("/district/api/me");
  if (me.status === 401) {
    $("login").hidden = false;
    return;
  }
  const who = await json<{ username: string; role: string }>(me);
  signedInAs = who.username;
  $("who").textContent =
    `${who.username} (${who.role === "admin" ? "管理员 admin" : "查看 viewer"})`;
  $("login").hidden = true;
  $("desk").hidden = false;
  $("accounts").hidden = who.role !== "admin";
  $("registry").hidden = who.role !== "admin";
  if (who.role === "admin") await Promise.all([accounts(), registry()]);
  const date = within($("report-form"), "input[name=date]", HTMLInputElement);
  date.value = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  await Promise.all([refresh(), report(date.value)]);
  connect();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = new FormData($("login-form", HTMLFormElement));
  const response = await api("/district/api/login", {
    method: "POST",
    body: JSON.stringify({ username: fields.get("username"), password: fields.get("password") }),
  });
  if (!response.ok) {
    $("login-error").textContent = (await json<{ error: string }>(response)).error;
    return;
  }
  await start();
});

$("report-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void report(field($("report-form", HTMLFormElement), "date", HTMLInputElement).value);
});
$("report-form")
  .querySelector("select[name=site]")
  ?.addEventListener("change", () => exportLink());

$("logout").addEventListener("click", async () => {
  await api("/district/api/logout", { method: "POST" });
  location.reload();
});

let signedInAs = "";

/** The accounts panel (admins): every account, a form to add one, delete with confirmation. */
async function accounts(): Promise<void> {
  const body = await getJson<{
    items: { username: string; role: string }[];
  }>("/district/api/users");
  within($("users"), "tbody", HTMLElement).replaceChildren(
    ...body.items.map((u) => {
      const remove = h("button", { type: "button", class: "danger" }, "删除 Delete");
      remove.hidden = u.username === signedInAs;
      remove.addEventListener("click", async () => {
        if (!window.confirm(`删除账号 ${u.username}？ Delete account ${u.username}?`)) return;
        const response = await api(`/district/api/users/${encodeURIComponent(u.username)}`, {
          method: "DELETE",
        });
        $("user-error").textContent = response.ok
          ? ""
          : (await json<{ error: string }>(response)).error;
        await accounts();
      });
      return h(
        "tr",
        { "data-user": u.username },
        h("td", {}, u.username),
        h("td", {}, u.role === "admin" ? "管理员 Admin" : "查看 Viewer"),
        h("td", {}, remove),
      );
    }),
  );
}

$("user-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = $("user-form", HTMLFormElement);
  const fields = new FormData(form);
  const response = await api("/district/api/users", {
    method: "POST",
    body: JSON.stringify({
      username: fields.get("username"),
      password: fields.get("password"),
      role: fields.get("role"),
    }),
  });
  if (!response.ok) {
    $("user-error").textContent = (await json<{ error: string }>(response)).error;
    return;
  }
  $("user-error").textContent = "";
  form.reset();
  await accounts();
});

/**
 * The registry panel (admins, docs/fleet.md#the-registry-of-gateways): each gateway's site, and
 * the gateways it does not know, whose events wait until one is registered here.
 */
async function registry(): Promise<void> {
  const [known, waiting] = await Promise.all([
    getJson<{
      items: { gateway_id: string; site_id: string; site_name: string; enabled: boolean }[];
    }>("/district/api/registry"),
    getJson<{
      items: { gateway_id: string; sites: string[]; events: number; last_at: string }[];
    }>("/district/api/registry/quarantine"),
  ]);
  within($("registered"), "tbody", HTMLElement).replaceChildren(
    ...known.items.map((g) =>
      h(
        "tr",
        { "data-registered": g.gateway_id },
        h("td", {}, g.gateway_id),
        siteCell(g.site_name, g.site_id),
        h("td", {}, g.enabled ? "启用 Enabled" : "停用 Disabled"),
      ),
    ),
  );
  labelCells($("registered"));
  $("no-quarantine").hidden = waiting.items.length > 0;
  $("quarantine").replaceChildren(
    ...waiting.items.map((g) => {
      const take = h("button", { type: "button" }, "登记 Register");
      take.addEventListener("click", () => {
        const form = $("registry-form", HTMLFormElement);
        field(form, "gateway_id", HTMLInputElement).value = g.gateway_id;
        field(form, "site_id", HTMLInputElement).value = g.sites[0] ?? "";
        field(form, "site_name", HTMLInputElement).focus();
      });
      return h(
        "li",
        { "data-quarantined": g.gateway_id },
        h("strong", {}, g.gateway_id),
        ` · ${g.sites.join(", ")} · ${g.events} 条 events · ${time(g.last_at)} `,
        take,
      );
    }),
  );
}

$("registry-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = $("registry-form", HTMLFormElement);
  const fields = new FormData(form);
  const name = String(fields.get("site_name") ?? "").trim();
  const response = await api(
    `/district/api/registry/${encodeURIComponent(String(fields.get("gateway_id")))}`,
    {
      method: "PUT",
      body: JSON.stringify({
        site_id: fields.get("site_id"),
        ...(name ? { site_name: name } : {}),
        enabled: fields.get("enabled") === "on",
      }),
    },
  );
  if (!response.ok) {
    $("registry-error").textContent = (await json<{ error: string }>(response)).error;
    return;
  }
  $("registry-error").textContent = "";
  form.reset();
  await Promise.all([registry(), refresh()]);
});

async function refresh(): Promise<void> {
  const overview = await getJson<Overview>("/district/api/overview");
  $("fever-count").textContent = String(overview.fevers.length);
  $("no-fevers").hidden = overview.fevers.length > 0;
  $("fevers").replaceChildren(
    ...overview.fevers.map((f) =>
      h(
        "li",
        { class: "fever", "data-alert": f.alert_id },
        h("strong", {}, f.temp_c === null ? "发热 Fever" : `${f.temp_c.toFixed(1)} °C`),
        ` · ${f.site_name} · ${f.gateway_id}${checkpointLabel(f)} · ${time(f.opened_at)}`,
      ),
    ),
  );
  within($("gateways"), "tbody", HTMLElement).replaceChildren(
    ...overview.gateways.map((g) =>
      h(
        "tr",
        { "data-gateway": g.gateway_id, "data-online": String(g.online !== false) },
        siteCell(g.site_name, g.site_id),
        h("td", {}, g.gateway_id),
        h("td", {}, g.online === false ? "离线 offline" : g.online ? "在线 online" : "—"),
        h("td", {}, time(g.last_event_at)),
        h("td", { class: "backlog" }, backlog(g.queue_depth, g.queue_age_s)),
        h("td", {}, g.open_fevers),
        h("td", { class: "equipment" }, g.open_equipment),
      ),
    ),
  );
  within($("today"), "tbody", HTMLElement).replaceChildren(...overview.today.map(countsRow));
  labelCells($("gateways"));
  labelCells($("today"));
  const sites = within($("report-form"), "select[name=site]", HTMLSelectElement);
  for (const g of overview.gateways)
    if (![...sites.options].some((o) => o.value === g.site_id))
      sites.append(h("option", { value: g.site_id }, g.site_name));
}

/** Each cell of a table's body labelled with its column's header (read on a phone, see the CSS). */
function labelCells(table: HTMLElement): void {
  const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent ?? "");
  for (const row of table.querySelectorAll("tbody tr, tfoot tr"))
    for (const [i, cell] of [...row.children].entries())
      if (headers[i]) cell.setAttribute("data-label", headers[i]);
}

/** A site as people read it: its name, its id after it (small) when the two differ. */
function siteCell(name: string, id: string): HTMLElement {
  return h("td", { class: "site" }, name, ...(name === id ? [] : [h("small", {}, id)]));
}

/** A gateway's reports not yet sent to the district, as its status last said. */
function backlog(depth: number | null, ageS: number | null): string {
  if (depth === null) return "—";
  if (depth === 0) return "0";
  const age =
    ageS === null ? "" : ageS < 120 ? ` · ${ageS} 秒 s` : ` · ${Math.round(ageS / 60)} 分 min`;
  return `${depth.toLocaleString("zh-CN")}${age}`;
}

function countsRow(c: Counts): HTMLElement {
  return h(
    "tr",
    { "data-site": c.site_id },
    siteCell(c.site_name, c.site_id),
    ...[c.passages, c.allowed, c.denied, c.fevers].map((v) => h("td", {}, v)),
  );
}

async function report(date: string): Promise<void> {
  const body = await getJson<{
    sites: Counts[];
    total: Omit<Counts, "site_id" | "site_name">;
  }>(`/district/api/report?date=${encodeURIComponent(date)}`);
  within($("report"), "tbody", HTMLElement).replaceChildren(...body.sites.map(countsRow));
  within($("report"), "tfoot", HTMLElement).replaceChildren(
    countsRow({ site_id: "合计 Total", site_name: "合计 Total", ...body.total }),
  );
  labelCells($("report"));
  exportLink();
}

/** The export takes the report's date and the chosen site (all when none). */
function exportLink(): void {
  const form = $("report-form", HTMLFormElement);
  const date = field(form, "date", HTMLInputElement).value;
  const site = field(form, "site", HTMLSelectElement).value;
  $("export", HTMLAnchorElement).href =
    `/district/api/export/passages.csv?date=${encodeURIComponent(date)}${site ? `&site=${encodeURIComponent(site)}` : ""}`;
}

let retryMs = 500;
let pending: number | undefined;
function connect(): void {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/live/district`);
  ws.onopen = () => {
    retryMs = 500;
    document.body.dataset.connection = "online";
    $("connection").textContent = "实时 Live";
  };
  ws.onmessage = () => {
    // Many changes at once are shown once.
    window.clearTimeout(pending);
    pending = window.setTimeout(() => void refresh(), 200);
  };
  ws.onclose = () => {
    document.body.dataset.connection = "offline";
    $("connection").textContent = "连接中断，正在重连… Reconnecting…";
    window.setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
}

void start();
