/**
 * Environment overrides of a YAML config, the same for the gateway (`CHECKPOINT_`) and the
 * district (`DISTRICT_`): `<PREFIX>HTTP__PORT=8081` sets `http.port`; `__` separates levels, a
 * number indexes an array (`CHECKPOINT_DEVICES__0__PASSWORD`). A value becomes a number or a
 * boolean only where the schema expects one, so a password of digits stays a string.
 */
export function applyEnv(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  prefix: string,
  schema: unknown,
): unknown {
  const root: Record<string, unknown> = isRecord(raw) ? { ...raw } : {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined) continue;
    const path = name.slice(prefix.length).toLowerCase().split("__");
    setPath(root, path, coerce(value, leafType(schema, path)));
  }
  return root;
}

function setPath(root: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = root;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    const copy: Record<string, unknown> = Array.isArray(next)
      ? (next.slice() as unknown as Record<string, unknown>)
      : isRecord(next)
        ? { ...next }
        : {};
    node[key] = copy;
    node = copy;
  }
}

type Leaf = "number" | "boolean" | "other";

/** The type the schema expects at `path`, looking through optional, default and refinements. */
function leafType(schema: unknown, path: string[]): Leaf {
  let node = schema as SchemaNode | undefined;
  for (const key of path) {
    node = unwrap(node);
    if (node?.def.type === "object") node = node.def.shape?.[key] as SchemaNode | undefined;
    else if (node?.def.type === "array") node = node.def.element as SchemaNode | undefined;
    else return "other";
  }
  const leaf = unwrap(node)?.def.type;
  return leaf === "number" || leaf === "boolean" ? leaf : "other";
}

interface SchemaNode {
  def: {
    type: string;
    innerType?: unknown;
    in?: unknown;
    shape?: Record<string, unknown>;
    element?: unknown;
  };
}

function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  while (
    current &&
    ["optional", "default", "prefault", "nullable", "pipe"].includes(current.def.type)
  ) {
    current = (current.def.type === "pipe" ? current.def.in : current.def.innerType) as
      | SchemaNode
      | undefined;
  }
  return current;
}

function coerce(value: string, leaf: Leaf): unknown {
  if (leaf === "number" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  if (leaf === "boolean" && (value === "true" || value === "false")) return value === "true";
  // Anything else stays a string, and the schema says what is wrong with it.
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
