import { Router } from "express";
import { z } from "zod";
import type { Store } from "../store/store.js";
import { recordAction } from "./audit.js";
import { HttpError } from "./errors.js";
import { parseWith } from "./validation.js";

const username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{1,31}$/, "must be 2-32 lower-case letters, digits, '_', '.' or '-'");
const password = z.string().min(8, "must be at least 8 characters").max(256);
const role = z.enum(["guard", "admin"]);

const createBody = z.strictObject({ username, password, role });
const patchBody = z.strictObject({ password: password.optional(), role: role.optional() });

/** Accounts (docs/contract.md#http-api `/api/users`, admin only). */
export function usersRouter(store: Store): Router {
  const router = Router();
  router.get("/", (_req, res) => {
    res.json({ items: store.accounts.list() });
  });
  router.post("/", async (req, res) => {
    const body = parseWith(createBody, req.body, "body");
    if (store.accounts.get(body.username))
      throw new HttpError(409, `user ${body.username} already exists`);
    await store.accounts.create(body.username, body.password, body.role, Date.now());
    recordAction(store, req, res, "user_create", body.username, { role: body.role });
    res.status(201).json(store.accounts.get(body.username));
  });
  router.patch("/:username", async (req, res) => {
    const account = store.accounts.get(req.params.username);
    if (!account) throw new HttpError(404, `no user ${req.params.username}`);
    const body = parseWith(patchBody, req.body, "body");
    if (body.role === "guard" && account.role === "admin" && store.accounts.countAdmins() === 1) {
      throw new HttpError(409, "the last admin cannot be made a guard");
    }
    await store.accounts.update(account.username, body);
    recordAction(store, req, res, "user_update", account.username, { fields: Object.keys(body) });
    res.json(store.accounts.get(account.username));
  });
  router.delete("/:username", (req, res) => {
    const account = store.accounts.get(req.params.username);
    if (!account) throw new HttpError(404, `no user ${req.params.username}`);
    if (account.role === "admin" && store.accounts.countAdmins() === 1)
      throw new HttpError(409, "the last admin cannot be deleted");
    store.accounts.delete(account.username);
    recordAction(store, req, res, "user_delete", account.username);
    res.status(204).end();
  });
  return router;
}
