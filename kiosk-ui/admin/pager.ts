import { $ } from "../dom.js";

/**
 * Newest-first cursor paging (docs/contract.md#http-api) for a table: Next follows the page's `next_cursor`,
 * Previous goes back to the cursor the page before started from. No OFFSET, so page 500 of a
 * log of millions costs what page 1 does.
 */
export class CursorPager {
  private starts: (string | null)[] = [null];
  private next: string | null = null;

  constructor(
    private readonly ids: { prev: string; next: string; label: string },
    private readonly load: (cursor: string | null) => Promise<string | null | undefined>,
  ) {
    $(ids.prev).addEventListener("click", () => void this.back());
    $(ids.next).addEventListener("click", () => void this.forward());
  }

  /** Starts again at the newest page (after the filters changed). */
  async first(): Promise<void> {
    this.starts = [null];
    await this.show();
  }

  private async forward(): Promise<void> {
    if (this.next === null) return;
    this.starts.push(this.next);
    await this.show();
  }

  private async back(): Promise<void> {
    if (this.starts.length <= 1) return;
    this.starts.pop();
    await this.show();
  }

  private async show(): Promise<void> {
    const next = await this.load(this.starts.at(-1) ?? null);
    // undefined: the page failed to load; stay where we are.
    if (next === undefined) return;
    this.next = next;
    $(this.ids.prev, HTMLButtonElement).disabled = this.starts.length <= 1;
    $(this.ids.next, HTMLButtonElement).disabled = next === null;
    $(this.ids.label).textContent = `第 ${this.starts.length} 页 Page ${this.starts.length}`;
  }
}
