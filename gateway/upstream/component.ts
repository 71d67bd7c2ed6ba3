import type { ComponentFactory } from "../core.js";
import { UpstreamForwarder, upstreamLink } from "./forwarder.js";
import { queueUpstream } from "./queue.js";

/**
 * Store-and-forward to the district (docs/contract.md#upstream-the-district `upstream`), when configured: the outbox's rows are
 * written in each arrival's own transaction, the forwarder sends them and says its state in
 * health, and a backlog raises its alert through the write path.
 */
export const upstreamComponent: ComponentFactory = (core) => {
  const { config, ingest } = core;
  const upstream = config.upstream;
  if (!upstream) return undefined;
  ingest.duringEachCommit(
    queueUpstream(core.store.outbox, upstream.forward_readings, upstream.personal_data),
  );
  const forwarder = new UpstreamForwarder({
    config: upstream,
    link: upstreamLink(upstream, config.gateway_id, config.site.id, () =>
      core.store.upstreamConnections.next(),
    ),
    store: core.store,
    bus: core.bus,
    metrics: core.metrics,
    log: core.logger("upstream"),
    raiseAlert: (alert) => ingest.submitAlert(alert),
  });
  core.hooks.health.set("upstream", () => forwarder.health());
  return { name: "upstream", start: () => forwarder.start(), stop: () => forwarder.stop() };
};
