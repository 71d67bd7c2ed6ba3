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

/**
 * A button for what is not undone by a click (revoking a pass, starting a home observation):
 * the first click asks again on the button itself ("确认注销？"), the second within a few
 * seconds does it; otherwise it goes back to how it was. No dialog to get in the way.
 */
export function confirmButton(
  label: string,
  confirmLabel: string,
  action: string,
  onConfirm: () => void,
  armedMs = 5000,
): HTMLButtonElement {
  const element = h("button", { type: "button", "data-action": action }, label);
  let timer: number | undefined;
  const disarm = () => {
    window.clearTimeout(timer);
    delete element.dataset.armed;
    element.textContent = label;
  };
  element.addEventListener("click", () => {
    if (element.dataset.armed === undefined) {
      element.dataset.armed = "true";
      element.textContent = confirmLabel;
      timer = window.setTimeout(disarm, armedMs);
      return;
    }
    disarm();
    onConfirm();
  });
  element.addEventListener("blur", disarm);
  return element;
}

export const $ = (id: string) => document.getElementById(id) as HTMLElement;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
