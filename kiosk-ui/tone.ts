/**
 * The fever tone: a two-pitch alarm from Web Audio, repeated while the pop-up is up. The
 * body's `data-tone` says what is sounding, so tests (and a guard debugging a muted kiosk)
 * can see it even where no speaker is attached.
 */
export class Tone {
  private context: AudioContext | undefined;
  private timer: number | undefined;

  private listeners: ((on: boolean) => void)[] = [];

  unlock(): void {
    this.audio()
      ?.resume()
      .then(() => this.changed())
      .catch(() => {});
  }

  /** Whether the browser really lets the tone sound now (a page must be touched first). */
  get isOn(): boolean {
    return this.audio()?.state === "running";
  }

  /** Calls `listener` with whether sound is on now, and each time that changes. */
  onChange(listener: (on: boolean) => void): void {
    this.listeners.push(listener);
    listener(this.isOn);
  }

  private changed(): void {
    for (const listener of this.listeners) listener(this.isOn);
  }

  fever(): void {
    this.stop();
    document.body.dataset.tone = "fever";
    document.body.dataset.toneCount = String(Number(document.body.dataset.toneCount ?? "0") + 1);
    const play = () => {
      this.beep(880, 0, 0.25);
      this.beep(660, 0.3, 0.25);
    };
    play();
    this.timer = window.setInterval(play, 1200);
  }

  stop(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
    document.body.dataset.tone = "none";
  }

  private audio(): AudioContext | undefined {
    if (!this.context && typeof AudioContext !== "undefined") {
      this.context = new AudioContext();
      this.context.onstatechange = () => this.changed();
    }
    return this.context;
  }

  private beep(frequency: number, delayS: number, durationS: number): void {
    const context = this.audio();
    if (context?.state !== "running") return;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "square";
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.2;
    oscillator.connect(gain).connect(context.destination);
    const start = context.currentTime + delayS;
    oscillator.start(start);
    oscillator.stop(start + durationS);
  }
}
