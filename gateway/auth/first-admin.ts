import { randomBytes } from "node:crypto";
import type { Logger } from "../../common/log.js";
import type { Store } from "../store/store.js";

/**
 * Creates the `admin` account at first start (docs/contract.md#http-api): with `admin_password` if the config
 * sets one, else a generated password told once through `announce`.
 */
export async function ensureFirstAdmin(
  store: Store,
  password: string | undefined,
  announce: (line: string) => void,
  log: Logger,
): Promise<void> {
  if (store.accounts.hasAdmin()) return;
  const chosen = password ?? randomBytes(12).toString("base64url");
  await store.accounts.create("admin", chosen, "admin", Date.now());
  if (password === undefined)
    announce(
      `First start: created account 'admin' with password ${chosen} (shown only this once).`,
    );
  log.info("created the first admin account");
}
