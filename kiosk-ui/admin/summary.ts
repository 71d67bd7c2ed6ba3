import type { CheckpointDaySummary, DaySummary } from "../../gateway/domain/types.js";
import { hourlyChartSvg } from "../chart.js";
import { $, field, h } from "../dom.js";
import { chineseFirst } from "../names.js";
import { REASON_TEXT } from "../screen.js";
import { api, errorOf, json } from "../session.js";
import { formatDuration } from "./format.js";
import { type Site, today } from "./site.js";

/** The daily summary (日报): per checkpoint, the day's counts, a chart per hour, devices' downtime. */
export class SummaryView {
  private readonly form = $("summary-form", HTMLFormElement);
  private readonly date = field(this.form, "date", HTMLInputElement);

  constructor(private readonly site: Site) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.show();
    });
  }

  async open(): Promise<void> {
    if (this.date.value === "") this.date.value = today(this.site);
    await this.show();
  }

  private async show(): Promise<void> {
    const response = await api(`/api/summary/daily?date=${encodeURIComponent(this.date.value)}`);
    if (!response.ok) {
      $("summary-error").textContent = await errorOf(response);
      return;
    }
    $("summary-error").textContent = "";
    const summary = await json<DaySummary>(response);
    $("summary-checkpoints").replaceChildren(...summary.checkpoints.map((c) => this.card(c)));
  }

  private card(c: CheckpointDaySummary): HTMLElement {
    const chart = h("div", { class: "chart" });
    // The SVG is built from numbers and escaped text only (chart.ts).
    chart.innerHTML = hourlyChartSvg(c.hours, `${chineseFirst(c.name)} ${this.date.value}`);
    const denied = Object.entries(c.denied_by_reason)
      .map(([reason, n]) => `${REASON_TEXT[reason as keyof typeof REASON_TEXT]?.zh ?? reason} ${n}`)
      .join("；");
    return h(
      "article",
      { class: "summary-card", "data-checkpoint": c.checkpoint_id },
      h("h2", {}, chineseFirst(c.name), " ", h("small", {}, c.checkpoint_id)),
      h(
        "dl",
        { class: "totals" },
        ...(
          [
            ["通行 Passages", c.passages, "passages"],
            ["放行 Allowed", c.allowed, "allowed"],
            ["拒绝 Denied", c.denied, "denied"],
            ["发热 Fevers", c.fevers, "fevers"],
            ["偏低 Lows", c.lows, "lows"],
          ] as const
        ).flatMap(([term, value, key]) => [
          h("dt", {}, term),
          h("dd", { "data-count": key }, value),
        ]),
      ),
      denied ? h("p", { class: "reasons" }, `拒绝原因 Denied by reason: ${denied}`) : null,
      chart,
      h(
        "p",
        { class: "devices" },
        "设备离线 Devices' downtime: ",
        c.devices.length === 0
          ? "—"
          : c.devices
              .map(
                (d) =>
                  `${d.device_id} ${formatDuration(d.downtime_s)}${d.outages ? ` (${d.outages}次 outages)` : ""}`,
              )
              .join("；"),
      ),
    );
  }
}
