import { readFileSync } from 'node:fs';
import { configError } from '../errors.ts';
import { registerSecret } from '../secrets.ts';

export interface Credentials {
  apiKey?: string;
  addonToken?: string;
}

export interface CredentialOptions {
  apiKeyFile?: string;
  addonTokenFile?: string;
}

function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw configError('KEY_FILE_UNREADABLE', `Cannot read the ${what} file ${path} (${code}).`, `Check the path and its permissions.`);
  }
  const value = text.trim();
  if (!value) throw configError('KEY_FILE_EMPTY', `The ${what} file ${path} is empty.`, `Put the ${what} on the file's first line.`);
  return value;
}

/**
 * The key comes from --api-key-file, --addon-token-file or CLOCKIFY_API_KEY /
 * CLOCKIFY_ADDON_TOKEN; never from a command-line value (it would land in shell history).
 * Every value read is registered as a secret so it is masked everywhere.
 */
export function readCredentials(opts: CredentialOptions, env: NodeJS.ProcessEnv = process.env): Credentials {
  const creds: Credentials = {};
  if (opts.apiKeyFile) creds.apiKey = readSecretFile(opts.apiKeyFile, 'API key');
  else if (opts.addonTokenFile) creds.addonToken = readSecretFile(opts.addonTokenFile, 'add-on token');
  else if (env.CLOCKIFY_API_KEY?.trim()) creds.apiKey = env.CLOCKIFY_API_KEY.trim();
  else if (env.CLOCKIFY_ADDON_TOKEN?.trim()) creds.addonToken = env.CLOCKIFY_ADDON_TOKEN.trim();
  if (opts.apiKeyFile && opts.addonTokenFile) {
    throw configError('CREDENTIALS_CONFLICT', 'Both --api-key-file and --addon-token-file were given.', 'Clockify accepts exactly one credential: pass only one of them.');
  }
  if (!creds.apiKey && !creds.addonToken) {
    throw configError(
      'API_KEY_MISSING',
      'No Clockify API key was given.',
      'Set CLOCKIFY_API_KEY, or pass --api-key-file PATH (a file holding the key). Generate a key in Clockify under Profile settings → API.',
    );
  }
  registerSecret(creds.apiKey);
  registerSecret(creds.addonToken);
  return creds;
}
