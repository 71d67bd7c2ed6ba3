import type { PromptKey } from "./prompts.js";

/**
 * The entrant's screen speaks, as commercial temperature terminals do: a recorded prompt per
 * result (kiosk-ui/public/voice, made by scripts/make-voices.sh), Chinese first and English
 * after it when configured. A browser that blocks sound until a touch is found out at once by
 * playing a tenth of a second of silence; the body's `data-sound` says which ("on", "blocked"),
 * and the screen asks for a tap until a sound has really played.
 */

export type VoiceSetting = "zh_en" | "zh" | "off";

/** Where the gateway serves the pages' files (vite.config.ts `base`, public/ copied as is). */
const base = "/ui/voice/";

export class Voice {
  private setting: VoiceSetting = "zh_en";
  private playing: HTMLAudioElement | undefined;
  private queue: string[] = [];
  private afterwards: (() => void) | undefined;

  constructor(private readonly onSound: (state: "on" | "blocked") => void) {}

  configure(setting: VoiceSetting): void {
    this.setting = setting;
  }

  /** Plays the silence to learn whether sound is allowed without a touch. */
  probe(): void {
    this.play([`${base}silence.ogg`]);
  }

  /**
   * Speaks a prompt (cutting off the one before: the newest result is what matters), then
   * calls `then` (at once when the voice is off or sound is blocked).
   */
  say(key: PromptKey, then?: () => void): void {
    document.body.dataset.voice = key;
    document.body.dataset.voiceCount = String(Number(document.body.dataset.voiceCount ?? "0") + 1);
    if (this.setting === "off") {
      this.stop();
      then?.();
      return;
    }
    const languages = this.setting === "zh" ? ["zh"] : ["zh", "en"];
    this.play(
      languages.map((language) => `${base}${key}.${language}.ogg`),
      then,
    );
  }

  stop(): void {
    this.queue = [];
    this.afterwards = undefined;
    this.playing?.pause();
    this.playing = undefined;
  }

  private play(files: string[], then?: () => void): void {
    this.stop();
    this.queue = files;
    this.afterwards = then;
    this.next();
  }

  private next(): void {
    const file = this.queue.shift();
    if (!file) {
      const then = this.afterwards;
      this.afterwards = undefined;
      then?.();
      return;
    }
    const audio = new Audio(file);
    this.playing = audio;
    audio.onended = () => {
      if (this.playing === audio) this.next();
    };
    // A missing or undecodable file must not stop what follows it (the tone after a prompt).
    audio.onerror = () => {
      if (this.playing === audio) this.next();
    };
    audio.play().then(
      () => this.onSound("on"),
      (error: DOMException) => {
        // Only a refusal to play means sound is blocked; an aborted play was cut off by a newer one.
        if (error.name !== "NotAllowedError" || this.playing !== audio) return;
        this.onSound("blocked");
        this.queue = [];
        this.next();
      },
    );
  }
}
