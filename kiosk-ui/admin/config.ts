import { $ } from "../dom.js";
import { api, errorOf, json } from "../session.js";
import { configTables } from "./readable.js";

/** The config view (docs/contract.md#http-api "config view"): the config in force, and a reload button. */
export class ConfigView {
  constructor() {
    $("config-reload").addEventListener("click", () => void this.reload());
  }

  async open(): Promise<void> {
    const response = await api("/api/config");
    $("config-view").replaceChildren(
      ...(response.ok
        ? configTables(await json<Record<string, unknown>>(response))
        : [await errorOf(response)]),
    );
  }

  private async reload(): Promise<void> {
    const response = await api("/api/config/reload", { method: "POST" });
    const result = $("config-result");
    if (!response.ok) {
      result.dataset.outcome = "rejected";
      result.textContent = await errorOf(response);
      return;
    }
    const outcome = await json<{
      outcome: string;
      applied: string[];
      restart_required: string[];
    }>(response);
    result.dataset.outcome = outcome.outcome;
    result.textContent =
      outcome.outcome === "unchanged"
        ? "配置未变 Nothing changed"
        : `已生效 Applied: ${outcome.applied.join(", ") || "—"} · 需重启 Restart needed: ${outcome.restart_required.join(", ") || "—"}`;
    await this.open();
  }
}
