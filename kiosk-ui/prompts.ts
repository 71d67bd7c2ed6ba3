import prompts from "./voice-prompts.json" with { type: "json" };

/** The spoken prompts (kiosk-ui/voice-prompts.json; one Chinese and one English file each). */
export const PROMPTS: Record<string, { zh: string; en: string }> = prompts;
export type PromptKey = keyof typeof prompts;
export const PROMPT_KEYS = Object.keys(prompts) as PromptKey[];
