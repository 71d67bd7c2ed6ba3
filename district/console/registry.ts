import { Router } from "express";
import { z } from "zod";
import type { DistrictAudit } from "../store/audit.js";
import type { DistrictRegistry } from "../store/registry.js";
import type { DistrictStore } from "../store/store.js";
import { adminOnly, signedIn } from "./session.js";

const id = z
  .string()
  .regex(
    /^[A-Za-z0-9_.:-]{1,100}$/,
    "1-100 个字母、数字、_ . : - / 1-100 letters, digits, _ . : -",
  );
const registration = z.strictObject({
  site_id: id,
  site_name: z.string().trim().min(1).max(100).optional(),
  enabled: z.boolean().default(true),
});
const problemOf = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");

/**
 * `/registry` (docs/fleet.md#the-registry-of-gateways): every registered gateway with its site's
 * name, for anyone logged in; admins put a gateway in it (or change its site, name, or whether it
 * is enabled) with `PUT /registry/<gateway_id>`, which also places what the quarantine held for
 * it, and see the gateways not in it (`GET /registry/quarantine`). Each change audited.
 */
export function registryRouter(
  registry: DistrictRegistry,
  store: DistrictStore,
  audit: DistrictAudit,
): Router {
  const router = Router();
  router.get("/", async (_req, res) => {
    res.json({ items: await registry.list() });
  });
  router.get("/quarantine", adminOnly, async (_req, res) => {
    res.json({ items: await registry.quarantined() });
  });
  router.put("/:gateway_id", adminOnly, async (req, res) => {
    const gatewayId = id.safeParse(req.params.gateway_id);
    const parsed = registration.safeParse(req.body);
    if (!gatewayId.success || !parsed.success) {
      const error = gatewayId.error ?? parsed.error;
      res.status(400).json({ error: error ? problemOf(error) : "bad request" });
      return;
    }
    const actor = signedIn(res)?.username ?? "unknown";
    const { site_id, site_name, enabled } = parsed.data;
    const result = await store.register(
      { gatewayId: gatewayId.data, siteId: site_id, siteName: site_name, enabled },
      actor,
    );
    const placed = { stored: result.stored, refused: result.refusedByRegistry.length };
    await audit.record(actor, "gateway_register", {
      gateway_id: gatewayId.data,
      site_id,
      enabled,
      ...placed,
    });
    res.json({ gateway_id: gatewayId.data, site_id, enabled, quarantine: placed });
  });
  return router;
}
