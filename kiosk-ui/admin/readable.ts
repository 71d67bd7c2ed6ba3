import { h } from "../dom.js";

/**
 * Settings and details as an office reads them, not as JSON: `a.b: value` lines for nested
 * objects, lists of objects as tables. Pure apart from building elements.
 */

/** Words for the keys that appear in audit details and the config. */
const KEY_TEXT: Record<string, string> = {
  imported: "导入",
  errors: "错误",
  encoding: "编码",
  rows: "行数",
  filters: "筛选",
  status: "状态",
  disposition: "处理结果",
  confirm_temp_c: "复测体温",
  outcome: "结果",
  applied: "已生效",
  restart_required: "需重启",
  problems: "问题",
  role: "角色",
  count: "次数",
  reason: "原因",
  observation_until: "居家观察至",
  valid_until: "有效期至",
  holder_name: "姓名",
  unit: "房号",
};

export function keyText(key: string): string {
  const last = key.split(".").at(-1) ?? key;
  return KEY_TEXT[last] ? `${KEY_TEXT[last]} ${key}` : key;
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "是 yes" : "否 no";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.map(valueText).join("、");
  if (typeof value === "object")
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${keyText(k)}: ${valueText(v)}`)
      .join("，");
  return String(value);
}

/** Nested settings as [path, value] pairs, lists of objects kept whole (shown as tables). */
export function flatten(value: unknown, prefix = ""): [string, unknown][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const isTable =
      Array.isArray(inner) && inner.length > 0 && inner.every((i) => typeof i === "object");
    return isTable || inner === null || typeof inner !== "object" || Array.isArray(inner)
      ? [[path, inner] as [string, unknown]]
      : flatten(inner, path);
  });
}

/** An audit entry's details: one short line. */
export function detailsText(details: unknown): string {
  return details === null || details === undefined ? "" : valueText(details);
}

/** The config in force as tables: settings, then one table per list (checkpoints, devices). */
export function configTables(config: Record<string, unknown>): HTMLElement[] {
  const rows = flatten(config);
  const scalars = rows.filter(([, value]) => !isObjectList(value));
  const lists = rows.filter(([, value]) => isObjectList(value)) as [string, object[]][];
  return [
    h(
      "table",
      { class: "settings", "data-table": "settings" },
      h("thead", {}, h("tr", {}, h("th", {}, "设置 Setting"), h("th", {}, "值 Value"))),
      h(
        "tbody",
        {},
        ...scalars.map(([path, value]) =>
          h("tr", { "data-path": path }, h("th", {}, path), h("td", {}, valueText(value))),
        ),
      ),
    ),
    ...lists.map(([path, items]) => {
      const columns = [...new Set(items.flatMap((item) => Object.keys(item)))];
      return h(
        "table",
        { class: "settings", "data-table": path },
        h("caption", {}, path),
        h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", {}, c)))),
        h(
          "tbody",
          {},
          ...items.map((item) =>
            h(
              "tr",
              {},
              ...columns.map((c) => h("td", {}, valueText((item as Record<string, unknown>)[c]))),
            ),
          ),
        ),
      );
    }),
  ];
}

function isObjectList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((i) => typeof i === "object");
}
