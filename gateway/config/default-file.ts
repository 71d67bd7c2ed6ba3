/** The config file read when none is named (kept apart so `--help` loads nothing else). */
export const DEFAULT_CONFIG_FILE = "./checkpoint.yaml";
