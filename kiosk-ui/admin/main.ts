import { $ } from "../dom.js";
import { bindLoginForm, currentAccount, logout } from "../session.js";
import { AuditView } from "./audit.js";
import { ConfigView } from "./config.js";
import { LogsView } from "./logs.js";
import { PassesView } from "./passes.js";
import { loadSite } from "./site.js";
import { SummaryView } from "./summary.js";
import { UsersView } from "./users.js";

/**
 * The admin's desk (docs/contract.md#pages `/admin`, issue 6): log in, then one view at a time, chosen by the
 * address's #fragment so a view can be bookmarked and Back works.
 */

interface View {
  open(): Promise<void>;
}

async function start(): Promise<void> {
  const account = await currentAccount();
  $("login").hidden = account !== null;
  if (account === null) return;
  if (account.role !== "admin") {
    $("not-admin").hidden = false;
    return;
  }
  $("who").textContent = `${account.username} (管理员 admin)`;
  const site = await loadSite();
  const views: Record<string, View> = {
    logs: new LogsView(site),
    passes: new PassesView(site),
    summary: new SummaryView(site),
    audit: new AuditView(site),
    users: new UsersView(site, account),
    config: new ConfigView(),
  };
  const show = () => {
    const name = location.hash.slice(1) in views ? location.hash.slice(1) : "logs";
    for (const key of Object.keys(views)) $(`view-${key}`).hidden = key !== name;
    for (const link of document.querySelectorAll<HTMLElement>("nav a[data-view]"))
      link.classList.toggle("current", link.dataset.view === name);
    document.body.dataset.view = name;
    void views[name]?.open();
  };
  window.addEventListener("hashchange", show);
  $("desk").hidden = false;
  show();
}

bindLoginForm($("login-form", HTMLFormElement), $("login-error"), () => void start());
for (const element of document.querySelectorAll("[data-logout]"))
  element.addEventListener("click", () => void logout());

void start();
