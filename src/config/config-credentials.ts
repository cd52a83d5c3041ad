/** Reads the credential a job refers to (an environment variable or a file) and masks it everywhere. */
import { readFileSync } from 'node:fs';
import { configError } from '../errors.ts';
import { registerSecret } from '../secrets.ts';
import type { CredentialRef, ResolvedJob } from './config-types.ts';

export interface JobCredentials {
  apiKey?: string;
  addonToken?: string;
}

function what(ref: CredentialRef): string {
  return ref.type === 'apiKey' ? 'API key' : 'add-on token';
}

/**
 * The key or token of a job. Throws API_KEY_MISSING when none is configured, KEY_ENV_EMPTY
 * when the named variable is unset, KEY_FILE_UNREADABLE / KEY_FILE_EMPTY for a bad file.
 * The value is registered as a secret before it is returned.
 */
export function readJobCredentials(job: Pick<ResolvedJob, 'source' | 'credentials'>, env: NodeJS.ProcessEnv): JobCredentials {
  const ref = job.credentials;
  if (!ref) {
    throw configError(
      'API_KEY_MISSING',
      `No Clockify API key is configured for source "${job.source}".`,
      'Set CLOCKIFY_API_KEY, pass --api-key-file PATH, or add apiKeyEnv: VAR / apiKeyFile: PATH to the source in the config file. Generate a key in Clockify under Profile settings → API.',
    );
  }
  let value: string;
  if (ref.from === 'env') {
    value = env[ref.name]?.trim() ?? '';
    if (!value) {
      throw configError('KEY_ENV_EMPTY', `The environment variable ${ref.name} (named by ${ref.origin}) holding the ${what(ref)} of source "${job.source}" is not set or empty.`, `Export ${ref.name} before running, or point ${ref.origin} at another variable.`);
    }
  } else {
    let text: string;
    try {
      text = readFileSync(ref.name, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
      throw configError('KEY_FILE_UNREADABLE', `Cannot read the ${what(ref)} file ${ref.name} (${code}), named by ${ref.origin}.`, 'Check the path and its permissions.');
    }
    value = text.trim();
    if (!value) throw configError('KEY_FILE_EMPTY', `The ${what(ref)} file ${ref.name} is empty.`, `Put the ${what(ref)} on the file's first line.`);
  }
  registerSecret(value);
  return ref.type === 'apiKey' ? { apiKey: value } : { addonToken: value };
}
