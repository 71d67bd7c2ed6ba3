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

/** A kind of element, by its constructor (HTMLFormElement, HTMLInputElement ...). */
type ElementType<T extends Element> = abstract new (...args: never[]) => T;

/** The page's element with this id, checked to be of this kind (a page without it is a bug). */
export function $(id: string): HTMLElement;
export function $<T extends Element>(id: string, type: ElementType<T>): T;
export function $(id: string, type: ElementType<Element> = HTMLElement): Element {
  return checked(document.getElementById(id), type, `#${id}`);
}

/** The first element under `parent` that matches `selector`, checked to be of this kind. */
export function within<T extends Element>(
  parent: ParentNode,
  selector: string,
  type: ElementType<T>,
): T {
  return checked(parent.querySelector(selector), type, selector);
}

/** A form's field by name, checked to be of this kind. */
export function field<T extends Element>(
  form: HTMLFormElement,
  name: string,
  type: ElementType<T>,
): T {
  return checked(form.elements.namedItem(name), type, `field ${name}`);
}

function checked<T extends Element>(element: unknown, type: ElementType<T>, what: string): T {
  if (!(element instanceof type)) throw new Error(`the page has no ${what} of the kind expected`);
  return element;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
