import { Router } from "express";
import { z } from "zod";
import type { DistrictAccounts } from "../store/accounts.js";
import type { DistrictAudit } from "../store/audit.js";
import { signedIn } from "./session.js";

const username = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]{1,40}$/,
    "用户名为 1-40 个字母、数字、_ . - / username: 1-40 letters, digits, _ . -",
  );
const password = z.string().min(8, "密码至少 8 位 / password: at least 8 characters").max(200);
const role = z.enum(["viewer", "admin"], "角色为 viewer 或 admin / role: viewer or admin");
const newAccount = z.strictObject({ username, password, role });
const accountChange = z.strictObject({ password: password.optional(), role: role.optional() });
const problemOf = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");

/**
 * `/users` (admins only): the district's accounts, added, changed (a new password or role ends
 * their sessions) and removed, never yourself or the last admin; each change audited.
 */
export function usersRouter(accounts: DistrictAccounts, audit: DistrictAudit): Router {
  const router = Router();
  const actor = (res: Parameters<typeof signedIn>[0]) => signedIn(res)?.username ?? "unknown";
  router.get("/", async (_req, res) => {
    res.json({ items: await accounts.list() });
  });
  router.post("/", async (req, res) => {
    const parsed = newAccount.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: problemOf(parsed.error) });
      return;
    }
    const { username, password, role } = parsed.data;
    if (!(await accounts.create(username, password, role))) {
      res.status(409).json({ error: `账号已存在 account ${username} exists` });
      return;
    }
    await audit.record(actor(res), "user_create", { username, role });
    res.status(201).json({ username, role });
  });
  router.patch("/:username", async (req, res) => {
    const username = String(req.params.username);
    const parsed = accountChange.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: problemOf(parsed.error) });
      return;
    }
    const { password, role } = parsed.data;
    if (role === "viewer" && (await accounts.adminsBesides(username)) === 0) {
      res.status(409).json({ error: "至少保留一名管理员 the last admin stays an admin" });
      return;
    }
    if (!(await accounts.change(username, { password, role }))) {
      res.status(404).json({ error: `没有账号 no account ${username}` });
      return;
    }
    await audit.record(actor(res), "user_change", {
      username,
      role: role ?? null,
      password: password !== undefined,
    });
    res.json({ username });
  });
  router.delete("/:username", async (req, res) => {
    const username = String(req.params.username);
    if (username === signedIn(res)?.username || (await accounts.adminsBesides(username)) === 0) {
      res
        .status(409)
        .json({ error: "不能删除自己或最后一名管理员 not yourself, not the last admin" });
      return;
    }
    if (!(await accounts.remove(username))) {
      res.status(404).json({ error: `没有账号 no account ${username}` });
      return;
    }
    await audit.record(actor(res), "user_delete", { username });
    res.status(204).end();
  });
  return router;
}
