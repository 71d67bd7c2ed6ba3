import type { Pass } from "../../gateway/domain/types.js";
import { $, button, confirmButton, field, h, within } from "../dom.js";
import { api, errorOf, json } from "../session.js";
import { addDays, OBSERVATION_DAYS } from "./format.js";
import { dateToIso, isoToDate, type Site, today } from "./site.js";

/**
 * The pass registry (出入证): search, add, edit, revoke or reinstate, start or end a home
 * observation (14 days from today by default), and the CSV import with each bad row's error.
 */
export class PassesView {
  private readonly search = $("pass-search", HTMLFormElement);
  private readonly form = $("pass-form", HTMLFormElement);
  private editing: string | null = null;
  private after: string | null = null;

  constructor(private readonly site: Site) {
    this.search.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.list(false);
    });
    $("pass-more").addEventListener("click", () => void this.list(true));
    $("pass-new").addEventListener("click", () => this.edit(null));
    $("pass-cancel").addEventListener("click", () => {
      this.form.hidden = true;
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    $("import-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.import();
    });
  }

  async open(): Promise<void> {
    await this.list(false);
  }

  private async list(more: boolean): Promise<void> {
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(this.search))
      if (value !== "") query.set(name, String(value));
    query.set("limit", "50");
    if (more && this.after) query.set("cursor", this.after);
    const response = await api(`/api/passes?${query}`);
    if (!response.ok) {
      $("pass-error").textContent = await errorOf(response);
      return;
    }
    $("pass-error").textContent = "";
    const page = await json<{ items: Pass[]; next_cursor: string | null }>(response);
    this.after = page.next_cursor;
    $("pass-more", HTMLButtonElement).hidden = page.next_cursor === null;
    const body = within($("pass-table"), "tbody", HTMLElement);
    const rows = page.items.map((pass) => this.row(pass));
    if (more) body.append(...rows);
    else body.replaceChildren(...rows);
  }

  private row(pass: Pass): HTMLElement {
    const observing =
      pass.observation_until !== null && Date.parse(pass.observation_until) > Date.now();
    return h(
      "tr",
      { "data-pass": pass.pass_id, "data-status": pass.status },
      h("td", {}, pass.pass_id),
      h("td", {}, pass.holder_name),
      h("td", {}, pass.unit),
      h("td", {}, pass.status === "active" ? "有效 Active" : "已注销 Revoked"),
      h("td", {}, isoToDate(this.site, pass.valid_until)),
      h(
        "td",
        { class: observing ? "observing" : "" },
        isoToDate(this.site, pass.observation_until),
      ),
      h(
        "td",
        {},
        h(
          "div",
          { class: "row-actions" },
          button("编辑 Edit", "edit", () => this.edit(pass)),
          pass.status === "active"
            ? confirmButton(
                "注销 Revoke",
                `确认注销 ${pass.holder_name}？ Confirm revoke`,
                "revoke",
                () => void this.patch(pass, { status: "revoked" }),
              )
            : button(
                "恢复 Reinstate",
                "reinstate",
                () => void this.patch(pass, { status: "active" }),
              ),
          observing
            ? button(
                "解除观察 End observation",
                "end-observation",
                () => void this.patch(pass, { observation_until: null }),
              )
            : confirmButton(
                `居家观察${OBSERVATION_DAYS}天 Observe ${OBSERVATION_DAYS} days`,
                `确认 ${pass.holder_name} 居家观察${OBSERVATION_DAYS}天？ Confirm`,
                "observe",
                () =>
                  void this.patch(pass, {
                    observation_until: dateToIso(
                      this.site,
                      addDays(today(this.site), OBSERVATION_DAYS, this.site.timezone),
                    ),
                  }),
              ),
        ),
      ),
    );
  }

  private edit(pass: Pass | null): void {
    this.editing = pass?.pass_id ?? null;
    this.form.reset();
    const input = (name: string) => field(this.form, name, HTMLInputElement);
    input("pass_id").readOnly = pass !== null;
    $("pass-form-title").replaceChildren(
      pass ? "编辑出入证 " : "新增出入证 ",
      h("small", {}, pass ? `Edit pass ${pass.pass_id}` : "Add pass"),
    );
    if (pass) {
      input("pass_id").value = pass.pass_id;
      input("holder_name").value = pass.holder_name;
      input("unit").value = pass.unit;
      input("status").value = pass.status;
      input("valid_until").value = isoToDate(this.site, pass.valid_until);
      input("observation_until").value = isoToDate(this.site, pass.observation_until);
    } else {
      // A new resident's observation, if any, starts today.
      input("observation_until").placeholder = addDays(
        today(this.site),
        OBSERVATION_DAYS,
        this.site.timezone,
      );
    }
    this.form.hidden = false;
    input(pass ? "holder_name" : "pass_id").focus();
  }

  private async save(): Promise<void> {
    const fields = Object.fromEntries(new FormData(this.form)) as Record<string, string>;
    const body = {
      holder_name: fields.holder_name,
      unit: fields.unit ?? "",
      status: fields.status,
      valid_until: dateToIso(this.site, fields.valid_until ?? ""),
      observation_until: dateToIso(this.site, fields.observation_until ?? ""),
    };
    const response =
      this.editing === null
        ? await api("/api/passes", {
            method: "POST",
            body: JSON.stringify({ pass_id: fields.pass_id, ...body }),
          })
        : await api(`/api/passes/${encodeURIComponent(this.editing)}`, {
            method: "PATCH",
            body: JSON.stringify(body),
          });
    if (!response.ok) {
      $("pass-error").textContent = await errorOf(response);
      return;
    }
    this.form.hidden = true;
    await this.list(false);
  }

  private async patch(pass: Pass, change: Record<string, unknown>): Promise<void> {
    const response = await api(`/api/passes/${encodeURIComponent(pass.pass_id)}`, {
      method: "PATCH",
      body: JSON.stringify(change),
    });
    if (!response.ok) {
      $("pass-error").textContent = await errorOf(response);
      return;
    }
    const updated = await json<Pass>(response);
    document
      .querySelector(`#pass-table tr[data-pass="${CSS.escape(pass.pass_id)}"]`)
      ?.replaceWith(this.row(updated));
  }

  private async import(): Promise<void> {
    const input = field($("import-form", HTMLFormElement), "file", HTMLInputElement);
    const file = input.files?.[0];
    if (!file) return;
    const response = await api("/api/passes/import", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      // The bytes as saved: the gateway tells UTF-8 from Excel's GB18030 (a browser's
      // file.text() would read GB18030 as broken UTF-8).
      body: await file.arrayBuffer(),
    });
    const result = $("import-result");
    const table = $("import-errors");
    if (!response.ok) {
      result.dataset.outcome = "failed";
      result.textContent = `导入失败 Import refused: ${await errorOf(response)}`;
      table.hidden = true;
      return;
    }
    const { imported, errors, encoding } = await json<{
      imported: number;
      errors: { line: number; message: string }[];
      encoding: string;
    }>(response);
    result.dataset.outcome = errors.length > 0 ? "partial" : "ok";
    result.textContent = `已导入 ${imported} 条，${errors.length} 行有误 · Imported ${imported}, ${errors.length} rows with errors${encoding === "utf-8" ? "" : ` (按 ${encoding.toUpperCase()} 编码读取 read as ${encoding.toUpperCase()})`}`;
    within(table, "tbody", HTMLElement).replaceChildren(
      ...errors.map((e) =>
        h("tr", { "data-line": String(e.line) }, h("td", {}, e.line), h("td", {}, e.message)),
      ),
    );
    table.hidden = errors.length === 0;
    await this.list(false);
  }
}
