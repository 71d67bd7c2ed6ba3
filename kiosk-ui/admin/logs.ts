import {
  ALERT_KINDS,
  type Alert,
  PASSAGE_REASONS,
  type Passage,
  READING_STATUSES,
  type Reading,
  type Scan,
} from "../../gateway/domain/types.js";
import { $, button, field, h, within } from "../dom.js";
import { ALERT_TEXT, DISPOSITION_TEXT } from "../labels.js";
import { chineseFirst } from "../names.js";
import { REASON_TEXT } from "../screen.js";
import { api, errorOf, json } from "../session.js";
import { CursorPager } from "./pager.js";
import { deviceName, inputToIso, type Site, showTime } from "./site.js";
import { verdictText } from "./verdict.js";

const LOG_NAMES = ["readings", "passages", "alerts"] as const;
type LogName = (typeof LOG_NAMES)[number];

export const STATUS_TEXT: Record<string, string> = {
  normal: "正常 Normal",
  fever: "发热 Fever",
  low: "偏低 Low",
  invalid: "无效 Invalid",
};

const DECISION_TEXT: Record<string, string> = { allow: "放行 Allowed", deny: "拒绝 Denied" };
const STATE_TEXT: Record<string, string> = {
  open: "未确认 Open",
  acknowledged: "已确认 Acknowledged",
  resolved: "已处理 Resolved",
};

const temp = (t: number | null) => (t === null ? "" : `${t.toFixed(1)} °C`);
const reasons = (list: readonly string[]) =>
  list.map((r) => REASON_TEXT[r as keyof typeof REASON_TEXT]?.zh ?? r).join("；");

interface Column<T> {
  title: string;
  cell: (row: T) => Node | string;
}

/**
 * The logs (台账) of readings, passages and alerts: the docs/contract.md#http-api filters, cursor paging, the CSV
 * export of exactly what is filtered, and a passage's detail.
 */
export class LogsView {
  private readonly form = $("log-filters", HTMLFormElement);
  private readonly pager: CursorPager;
  private query = new URLSearchParams();
  private log: LogName = "passages";

  constructor(private readonly site: Site) {
    const select = (name: string) => field(this.form, name, HTMLSelectElement);
    for (const c of site.checkpoints)
      select("checkpoint").append(
        new Option(`${chineseFirst(c.name)} (${c.checkpoint_id})`, c.checkpoint_id),
      );
    for (const s of READING_STATUSES) select("status").append(new Option(STATUS_TEXT[s], s));
    for (const r of PASSAGE_REASONS)
      select("reason").append(new Option(`${REASON_TEXT[r].zh} ${REASON_TEXT[r].en}`, r));
    for (const k of ALERT_KINDS)
      select("kind").append(new Option(`${ALERT_TEXT[k].zh} ${ALERT_TEXT[k].en}`, k));
    select("log").addEventListener("change", () => this.showFieldsFor(this.chosenLog()));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.search();
    });
    this.pager = new CursorPager(
      { prev: "log-prev", next: "log-next", label: "log-page" },
      (cursor) => this.loadPage(cursor),
    );
    this.showFieldsFor(this.chosenLog());
  }

  async open(): Promise<void> {
    if (this.query.size === 0) await this.search();
  }

  private chosenLog(): LogName {
    const chosen = field(this.form, "log", HTMLSelectElement).value;
    return LOG_NAMES.find((name) => name === chosen) ?? "passages";
  }

  /** Each log has its own filters; the others are hidden and not sent. */
  private showFieldsFor(log: LogName): void {
    for (const label of this.form.querySelectorAll<HTMLElement>("label[data-for]"))
      label.hidden = !(label.dataset.for ?? "").split(" ").includes(log);
  }

  private async search(): Promise<void> {
    this.log = this.chosenLog();
    const query = new URLSearchParams();
    for (const element of this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
      "input, select",
    )) {
      if (element.name === "log" || element.value === "") continue;
      if (element.closest("label")?.hidden) continue;
      const value =
        element.type === "datetime-local" ? inputToIso(this.site, element.value) : element.value;
      if (value !== undefined) query.set(element.name, value);
    }
    this.query = query;
    const exportLink = $("export-link", HTMLAnchorElement);
    exportLink.href = `/api/export/${this.log}.csv${query.size ? `?${query}` : ""}`;
    await this.pager.first();
  }

  private async loadPage(cursor: string | null): Promise<string | null | undefined> {
    const query = new URLSearchParams(this.query);
    query.set("limit", "50");
    if (cursor !== null) query.set("cursor", cursor);
    const response = await api(`/api/${this.log}?${query}`);
    if (!response.ok) {
      $("log-error").textContent = await errorOf(response);
      return undefined;
    }
    $("log-error").textContent = "";
    const page = await json<{ items: unknown[]; next_cursor: string | null }>(response);
    this.render(page.items);
    return page.next_cursor;
  }

  private render(items: unknown[]): void {
    const columns = this.columns() as Column<unknown>[];
    const table = $("log-table");
    table.dataset.log = this.log;
    within(table, "thead", HTMLElement).replaceChildren(
      h("tr", {}, ...columns.map((c) => h("th", {}, c.title))),
    );
    within(table, "tbody", HTMLElement).replaceChildren(
      ...items.map((item) =>
        h(
          "tr",
          { "data-id": (item as { id: string }).id },
          ...columns.map((c) => h("td", {}, c.cell(item))),
        ),
      ),
    );
    $("log-empty").hidden = items.length > 0;
  }

  /** A checkpoint by its name, Chinese first ("北门 North gate"), not its id. */
  private checkpoint(id: string | null): string {
    return chineseFirst(
      this.site.checkpoints.find((c) => c.checkpoint_id === id)?.name ?? id ?? "",
    );
  }

  private columns(): Column<Reading>[] | Column<Passage>[] | Column<Alert>[] {
    const time = (iso: string) => showTime(this.site, iso);
    const checkpoint = (id: string | null) => this.checkpoint(id);
    switch (this.log) {
      case "readings":
        return [
          { title: "时间 Time", cell: (r) => time(r.ts) },
          { title: "检查点 Checkpoint", cell: (r) => checkpoint(r.checkpoint_id) },
          { title: "设备 Device", cell: (r) => deviceName(this.site, r.device_id) },
          { title: "体温 Temp", cell: (r) => temp(r.temp_c) },
          { title: "状态 Status", cell: (r) => STATUS_TEXT[r.status] ?? r.status },
          { title: "出入证号 Pass id", cell: (r) => r.pass_id ?? "" },
          { title: "终端判断 Terminal", cell: (r) => verdictText(r) },
        ] satisfies Column<Reading>[];
      case "passages":
        return [
          { title: "时间 Time", cell: (p) => time(p.ts) },
          { title: "检查点 Checkpoint", cell: (p) => checkpoint(p.checkpoint_id) },
          { title: "出入证号 Pass id", cell: (p) => p.pass_id ?? "" },
          { title: "持证人 Holder", cell: (p) => p.holder_name ?? "" },
          { title: "体温 Temp", cell: (p) => temp(p.temp_c) },
          { title: "结果 Decision", cell: (p) => DECISION_TEXT[p.decision] ?? p.decision },
          { title: "原因 Reasons", cell: (p) => reasons(p.reasons) },
          {
            title: "",
            cell: (p) => button("详情 Details", "detail", () => void this.showPassage(p.id)),
          },
        ] satisfies Column<Passage>[];
      case "alerts":
        return [
          { title: "时间 Time", cell: (a) => time(a.opened_at) },
          { title: "类型 Kind", cell: (a) => ALERT_TEXT[a.kind]?.zh ?? a.kind },
          { title: "状态 State", cell: (a) => STATE_TEXT[a.state] ?? a.state },
          { title: "检查点 Checkpoint", cell: (a) => checkpoint(a.checkpoint_id) },
          { title: "设备 Device", cell: (a) => deviceName(this.site, a.device_id) },
          { title: "体温 Temp", cell: (a) => temp(a.temp_c) },
          { title: "出入证号 Pass id", cell: (a) => a.pass_id ?? "" },
          {
            title: "处理 Outcome",
            cell: (a) =>
              [
                a.disposition ? DISPOSITION_TEXT[a.disposition] : "",
                a.confirm_temp_c === null ? "" : `复测 ${temp(a.confirm_temp_c)}`,
                a.resolved_by ?? a.acknowledged_by ?? "",
                a.note ?? "",
              ]
                .filter(Boolean)
                .join(" · "),
          },
        ] satisfies Column<Alert>[];
    }
  }

  /** A passage with its reading, scan, alerts and every change of each alert. */
  private async showPassage(id: string): Promise<void> {
    const response = await api(`/api/passages/${encodeURIComponent(id)}`);
    if (!response.ok) {
      $("log-error").textContent = await errorOf(response);
      return;
    }
    const detail = await json<{
      passage: Passage;
      reading: Reading | null;
      scan: Scan | null;
      alerts: (Alert & { history: (Alert & { change: string; at: string })[] })[];
    }>(response);
    const { passage, reading, scan, alerts } = detail;
    const time = (iso: string) => showTime(this.site, iso);
    const facts = (pairs: [string, string | null | undefined][]) =>
      h(
        "dl",
        {},
        ...pairs
          .filter(([, value]) => value !== null && value !== undefined && value !== "")
          .flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value as string)]),
      );
    $("passage-detail-body").replaceChildren(
      h("h2", {}, "通行详情 ", h("small", {}, "Passage"), " ", passage.id),
      facts([
        ["时间 Time", time(passage.ts)],
        ["检查点 Checkpoint", this.checkpoint(passage.checkpoint_id)],
        ["结果 Decision", DECISION_TEXT[passage.decision]],
        ["原因 Reasons", reasons(passage.reasons)],
        ["出入证号 Pass id", passage.pass_id],
        ["持证人 Holder", passage.holder_name],
      ]),
      h("h3", {}, "测温 ", h("small", {}, "Reading")),
      reading
        ? facts([
            ["时间 Time", time(reading.ts)],
            ["设备 Device", deviceName(this.site, reading.device_id)],
            ["体温 Temp", temp(reading.temp_c)],
            ["原始读数 Raw", temp(reading.raw_c)],
            ["状态 Status", STATUS_TEXT[reading.status]],
            ["终端判断 Terminal", verdictText(reading)],
          ])
        : h("p", { class: "empty" }, "无测温 No reading"),
      h("h3", {}, "刷卡 ", h("small", {}, "Scan")),
      scan
        ? facts([
            ["时间 Time", time(scan.ts)],
            ["设备 Device", deviceName(this.site, scan.device_id)],
            ["出入证号 Pass id", scan.pass_id],
            ["方式 Method", scan.method],
          ])
        : h("p", { class: "empty" }, "无刷卡 No scan"),
      h("h3", {}, "警报 ", h("small", {}, "Alerts")),
      alerts.length === 0
        ? h("p", { class: "empty" }, "无警报 No alerts")
        : h(
            "ol",
            { class: "alert-history" },
            ...alerts.map((alert) =>
              h(
                "li",
                { "data-kind": alert.kind },
                h("strong", {}, `${ALERT_TEXT[alert.kind].zh} ${ALERT_TEXT[alert.kind].en}`),
                h(
                  "ul",
                  {},
                  ...alert.history.map((step) =>
                    h(
                      "li",
                      { "data-state": step.state },
                      [
                        time(step.at),
                        STATE_TEXT[step.state],
                        step.state === "acknowledged" ? step.acknowledged_by : null,
                        step.state === "resolved" ? step.resolved_by : null,
                        step.disposition ? DISPOSITION_TEXT[step.disposition] : null,
                        step.confirm_temp_c === null ? null : `复测 ${temp(step.confirm_temp_c)}`,
                        step.note,
                      ]
                        .filter(Boolean)
                        .join(" · "),
                    ),
                  ),
                ),
              ),
            ),
          ),
    );
    $("passage-detail", HTMLDialogElement).showModal();
  }
}
