/**
 * Secrets registered here are masked in every string the program prints or stores.
 * The CLI registers the API key, add-on token and passwords as soon as it reads them.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}
