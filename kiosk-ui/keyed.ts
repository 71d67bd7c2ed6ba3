/**
 * A keyed list update, the one piece the guard console needs from a view library: each item's
 * element is made once and updated in place after, so what a guard types, where the focus is and
 * the scroll position survive every new alert. Elements are moved only when out of order; a
 * moved element that holds the focus gets it back (moving a node in the DOM drops it).
 * Chosen over Preact+htm or lit-html: the pages hand-build their DOM already (dom.ts), and this
 * is the only place that needs keys, so 40 lines here beat a dependency and a second style.
 */
export interface KeyedView<T> {
  key(item: T): string;
  create(item: T): HTMLElement;
  update(element: HTMLElement, item: T): void;
}

export function reconcile<T>(list: HTMLElement, items: readonly T[], view: KeyedView<T>): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of list.children) {
    if (!(child instanceof HTMLElement)) continue;
    const key = child.dataset.key;
    if (key !== undefined) existing.set(key, child);
  }
  const wanted = new Set(items.map((item) => view.key(item)));
  for (const [key, element] of existing) if (!wanted.has(key)) element.remove();
  let cursor = list.firstElementChild;
  for (const item of items) {
    const key = view.key(item);
    let element = existing.get(key);
    if (element) view.update(element, item);
    else {
      element = view.create(item);
      element.dataset.key = key;
    }
    if (element === cursor) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    const focused =
      document.activeElement instanceof HTMLElement && element.contains(document.activeElement)
        ? document.activeElement
        : null;
    const selection =
      focused instanceof HTMLInputElement
        ? { start: focused.selectionStart, end: focused.selectionEnd }
        : null;
    list.insertBefore(element, cursor);
    if (focused) {
      focused.focus({ preventScroll: true });
      if (selection && focused instanceof HTMLInputElement)
        try {
          focused.setSelectionRange(selection.start, selection.end);
        } catch {
          // number inputs have no selection
        }
    }
  }
}
