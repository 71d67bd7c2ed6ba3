/** Small builders for the pages' elements: text is always set as text, never parsed as HTML. */

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (name.startsWith("data-")) element.dataset[camel(name.slice(5))] = value;
    else element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "number" ? String(child) : child);
  }
  return element;
}

export function button(label: string, action: string, onClick: () => void): HTMLButtonElement {
  const element = h("button", { type: "button", "data-action": action }, label);
  element.addEventListener("click", onClick);
  return element;
}

export const $ = (id: string) => document.getElementById(id) as HTMLElement;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
