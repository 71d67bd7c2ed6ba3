/**
 * How long a device was offline within a window, from its status changes (docs/contract.md#http-api's daily
 * summary: devices' downtime). Pure: the store gives it the state before the window and the
 * changes inside it.
 */

export interface StatusChange {
  ts_ms: number;
  online: boolean;
}

export interface Downtime {
  /** Milliseconds offline within the window. */
  offline_ms: number;
  /** Outages that touched the window: one already going at its start counts too. */
  outages: number;
}

/**
 * `before` is the device's state when the window opens (null: never heard of, which counts as
 * neither up nor down until its first change). `changes` are in time order; repeats of the
 * current state change nothing.
 */
export function downtimeWithin(
  before: boolean | null,
  changes: readonly StatusChange[],
  fromMs: number,
  toMs: number,
): Downtime {
  let online = before;
  let offlineSince = before === false ? fromMs : null;
  let offline_ms = 0;
  let outages = before === false ? 1 : 0;
  for (const change of changes) {
    const at = Math.min(Math.max(change.ts_ms, fromMs), toMs);
    if (change.online === online) continue;
    if (!change.online) {
      offlineSince = at;
      outages += 1;
    } else if (offlineSince !== null) {
      offline_ms += at - offlineSince;
      offlineSince = null;
    }
    online = change.online;
  }
  if (offlineSince !== null) offline_ms += Math.max(0, toMs - offlineSince);
  return { offline_ms, outages };
}
