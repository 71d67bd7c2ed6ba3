import { $, button, h, within } from "../dom.js";
import { type Account, api, errorOf, json } from "../session.js";
import { type Site, showTime } from "./site.js";

const ROLE_TEXT: Record<string, string> = { guard: "值守 Guard", admin: "管理员 Admin" };

/** Accounts (用户): add, change role, set a new password (which ends the user's sessions), delete. */
export class UsersView {
  private readonly form = $("user-form", HTMLFormElement);

  constructor(
    private readonly site: Site,
    private readonly me: Account,
  ) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.add();
    });
  }

  async open(): Promise<void> {
    await this.list();
  }

  private async list(): Promise<void> {
    const response = await api("/api/users");
    if (!(await this.ok(response))) return;
    const { items } = await json<{
      items: (Account & { created_at: string })[];
    }>(response);
    within($("user-table"), "tbody", HTMLElement).replaceChildren(
      ...items.map((user) => {
        const role = h("select", { name: "role" });
        for (const [value, label] of Object.entries(ROLE_TEXT))
          role.append(new Option(label, value));
        role.value = user.role;
        role.addEventListener(
          "change",
          () => void this.change(user.username, { role: role.value }),
        );
        return h(
          "tr",
          { "data-user": user.username },
          h("td", {}, user.username, user.username === this.me.username ? " (我 me)" : ""),
          h("td", {}, role),
          h("td", {}, showTime(this.site, user.created_at)),
          h(
            "td",
            {},
            h(
              "div",
              { class: "row-actions" },
              button("重设密码 New password", "password", () => {
                const password = window.prompt(
                  `${user.username} 的新密码（至少8位） New password (8+)`,
                );
                if (password) void this.change(user.username, { password });
              }),
              button("删除 Delete", "delete", () => {
                if (window.confirm(`删除用户 Delete ${user.username}?`))
                  void this.remove(user.username);
              }),
            ),
          ),
        );
      }),
    );
  }

  private async add(): Promise<void> {
    const body = Object.fromEntries(new FormData(this.form));
    const response = await api("/api/users", { method: "POST", body: JSON.stringify(body) });
    if (!(await this.ok(response))) return;
    this.form.reset();
    $("user-error").textContent = "";
    await this.list();
  }

  private async change(username: string, patch: Record<string, string>): Promise<void> {
    const response = await api(`/api/users/${encodeURIComponent(username)}`, {
      method: "PATCH",
      body: JSON.stringify(patch),
    });
    // Listed again either way: a refused role change puts the old role back in its select.
    const done = await this.ok(response);
    await this.list();
    if (done) $("user-error").textContent = "";
  }

  private async remove(username: string): Promise<void> {
    if (
      await this.ok(await api(`/api/users/${encodeURIComponent(username)}`, { method: "DELETE" }))
    ) {
      $("user-error").textContent = "";
      await this.list();
    }
  }

  /** Shows a refusal's reason; a success leaves the message for the caller to clear. */
  private async ok(response: Response): Promise<boolean> {
    if (!response.ok) $("user-error").textContent = await errorOf(response);
    return response.ok;
  }
}
