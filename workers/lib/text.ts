/**
 * A zod refinement for free text: no C0 control characters or DEL; `allow` lists the ones that may
 * appear (e.g. newline in a description).
 * @example z.string().refine(noControl("\t\n"), "no control characters except tab and newline")
 */
export function noControl(allow = ""): (text: string) => boolean {
  return (text) => {
    for (const ch of text) {
      const code = ch.charCodeAt(0);
      if ((code < 0x20 || code === 0x7f) && !allow.includes(ch)) return false;
    }
    return true;
  };
}
