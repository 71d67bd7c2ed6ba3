import { $, field, h, within } from "../dom.js";
import { api, errorOf, json } from "../session.js";
import { CursorPager } from "./pager.js";
import { detailsText } from "./readable.js";
import { inputToIso, type Site, showTime } from "./site.js";

/** What each audited action is called on the page (README: the audit log's actions). */
export const ACTION_TEXT: Record<string, string> = {
  login: "登录 Login",
  login_failed: "登录失败 Failed login",
  login_throttled: "登录受限 Login throttled",
  logout: "退出 Logout",
  pass_create: "新增出入证 Pass added",
  pass_update: "修改出入证 Pass changed",
  pass_delete: "删除出入证 Pass deleted",
  pass_import: "导入出入证 Passes imported",
  export: "导出 Export",
  retention: "到期删除 Retention",
  user_create: "新增用户 User added",
  user_update: "修改用户 User changed",
  user_delete: "删除用户 User deleted",
  alert_acknowledge: "确认警报 Alert acknowledged",
  alert_resolve: "处理警报 Alert resolved",
  config_reload: "重新加载配置 Config reload",
};

interface AuditEntry {
  id: number;
  ts: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  address: string | null;
}

/** The audit log (审计): who did what, when, from where; read-only, as the table is. */
export class AuditView {
  private readonly form = $("audit-filters", HTMLFormElement);
  private readonly pager: CursorPager;
  private query = new URLSearchParams();

  constructor(private readonly site: Site) {
    const action = field(this.form, "action", HTMLSelectElement);
    for (const [value, label] of Object.entries(ACTION_TEXT))
      action.append(new Option(label, value));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.search();
    });
    this.pager = new CursorPager(
      { prev: "audit-prev", next: "audit-next", label: "audit-page" },
      (cursor) => this.loadPage(cursor),
    );
  }

  async open(): Promise<void> {
    await this.search();
  }

  private async search(): Promise<void> {
    const query = new URLSearchParams();
    for (const [name, raw] of new FormData(this.form)) {
      const value =
        name === "from" || name === "to" ? inputToIso(this.site, String(raw)) : String(raw);
      if (value) query.set(name, value);
    }
    this.query = query;
    await this.pager.first();
  }

  private async loadPage(cursor: string | null): Promise<string | null | undefined> {
    const query = new URLSearchParams(this.query);
    query.set("limit", "50");
    if (cursor !== null) query.set("cursor", cursor);
    const response = await api(`/api/audit?${query}`);
    if (!response.ok) {
      $("audit-error").textContent = await errorOf(response);
      return undefined;
    }
    $("audit-error").textContent = "";
    const page = await json<{ items: AuditEntry[]; next_cursor: string | null }>(response);
    within($("audit-table"), "tbody", HTMLElement).replaceChildren(
      ...page.items.map((entry) =>
        h(
          "tr",
          { "data-action": entry.action },
          h("td", {}, showTime(this.site, entry.ts)),
          h("td", {}, entry.actor),
          h("td", {}, ACTION_TEXT[entry.action] ?? entry.action),
          h("td", {}, entry.target ?? ""),
          h("td", { class: "details" }, detailsText(entry.details)),
          h("td", {}, entry.address ?? ""),
        ),
      ),
    );
    return page.next_cursor;
  }
}
