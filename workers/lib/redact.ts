/**
 * Makes an error safe to show or log: removes every known secret value and any URL (URLs may
 * carry credentials), and truncates. Used wherever a dependency's error text leaves the process.
 */
export function redactError(err: unknown, secrets: readonly string[]): string {
  let text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  for (const secret of secrets) {
    if (secret) text = text.split(secret).join("[redacted]");
  }
  text = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, "[url]");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
