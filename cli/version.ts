/** The CLI's version, as published in cli/package.json (kept in step by test/unit/cli-args.test.ts). */
export const VERSION = "0.1.0";
