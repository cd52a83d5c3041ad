/**
 * `check`: verifies the key (GET /user), lists every workspace it can see with the key's role
 * there (GET /workspaces?roles=…), and says which streams will be incomplete without owner or
 * admin rights and which plan limits apply. Fails fast (few retries): it is a diagnostic.
 */
import type { Command } from 'commander';
import type { ClockifyClient } from '../../clockify/client.ts';
import type { ResolvedJob } from '../../config/index.ts';
import { maxReportDays } from '../../dates/report-range.ts';
import { EXIT, SyncError } from '../../errors.ts';
import { redact } from '../../secrets.ts';
import { currentUser, listWorkspaces, type ClockifyRecord } from '../../extract/index.ts';
import { describeOption, loadJobs, pickWorkspaces, printData, toJson, type CommandOptions } from '../cli-jobs.ts';
import { clientForJob } from '../job.ts';
import { formatTable } from '../output.ts';
import { addSourceOptions } from './sync.ts';

export type WorkspaceRole = 'OWNER' | 'ADMIN' | 'TEAM_MANAGER' | 'PROJECT_MANAGER' | 'MEMBER';

export interface WorkspaceCheck {
  id: string;
  name: string;
  role: WorkspaceRole;
  /** featureSubscriptionType, e.g. FREE, PRO_YEAR_2024. */
  plan: string | null;
  /** Longest range one report request may cover; null = no limit. */
  maxReportDays: number | null;
  /** Streams whose data is partial with this role: stream → what is missing. */
  incomplete: { stream: string; why: string }[];
  /** Plan limits worth knowing. */
  limits: string[];
}

export interface CheckResult {
  source: string;
  apiHost: string;
  user: { id: string; name: string; email: string; timeZone: string | null };
  workspaces: WorkspaceCheck[];
}

/** What a key without owner or admin rights does not get (REFERENCE.md §1, the simulator's member rules). */
export const NON_ADMIN_GAPS: readonly { stream: string; why: string }[] = [
  { stream: 'time_entries', why: "only your own entries (other users' entries answer 403)" },
  { stream: 'projects', why: 'only public projects and those you belong to; rates hidden' },
  { stream: 'tasks', why: 'only tasks of the projects you can see; rates hidden' },
  { stream: 'users', why: 'hourly and cost rates hidden' },
  { stream: 'report_summary, report_detailed, report_weekly', why: 'only your own time; amounts may be hidden' },
  { stream: '(incremental deletes)', why: 'the entity-changes feed answers 403: deletions are found by full re-reads only' },
];

/** Role of the key in each workspace: one GET /workspaces per role filter (4 requests). */
async function rolesByWorkspace(client: ClockifyClient): Promise<Map<string, WorkspaceRole>> {
  const filters: [string, WorkspaceRole][] = [
    ['OWNER', 'OWNER'],
    ['WORKSPACE_ADMIN', 'ADMIN'],
    ['TEAM_MANAGER', 'TEAM_MANAGER'],
    ['PROJECT_MANAGER', 'PROJECT_MANAGER'],
  ];
  const lists = await Promise.all(
    filters.map(([param]) => client.request<ClockifyRecord[]>({ path: '/workspaces', template: '/workspaces?roles', query: { roles: param } }).then((r) => r.data)),
  );
  const roles = new Map<string, WorkspaceRole>();
  // Highest role first: OWNER wins over ADMIN, etc.
  filters.forEach(([, role], i) => {
    for (const ws of Array.isArray(lists[i]) ? lists[i] : []) if (!roles.has(ws.id)) roles.set(ws.id, role);
  });
  return roles;
}

function planLimits(ws: ClockifyRecord): { plan: string | null; maxDays: number | null; limits: string[] } {
  const plan = typeof ws.featureSubscriptionType === 'string' ? ws.featureSubscriptionType : null;
  const maxDays = maxReportDays({ featureSubscriptionType: plan, features: Array.isArray(ws.features) ? (ws.features as string[]) : null });
  const limits: string[] = [];
  const free = plan === null || plan.toUpperCase().startsWith('FREE');
  if (maxDays !== null) limits.push(`reports: at most ${maxDays} days per request (longer ranges are split and merged)`);
  if (free) limits.push('new Free plans: 30 API requests per hour per workspace (a full sync can take hours; use --streams and incremental mode)');
  return { plan, maxDays, limits };
}

/** Runs the check for one job (throws SyncError on a rejected key, an unreachable host, an unknown workspace). */
export async function checkJob(job: ResolvedJob, client: ClockifyClient): Promise<CheckResult> {
  const user = await currentUser(client);
  const visible = await listWorkspaces(client);
  const shown = pickWorkspaces(visible, job.workspaces);
  const roles = await rolesByWorkspace(client);
  const settings = (user.settings ?? {}) as Record<string, unknown>;
  return {
    source: job.source,
    apiHost: client.hosts.api,
    user: {
      id: user.id,
      name: String(user.name ?? ''),
      email: String(user.email ?? ''),
      timeZone: typeof settings.timeZone === 'string' ? settings.timeZone : null,
    },
    workspaces: shown.map((ws) => {
      const role = roles.get(ws.id) ?? 'MEMBER';
      const { plan, maxDays, limits } = planLimits(ws);
      return {
        id: ws.id,
        name: String(ws.name ?? ''),
        role,
        plan,
        maxReportDays: maxDays,
        incomplete: role === 'OWNER' || role === 'ADMIN' ? [] : [...NON_ADMIN_GAPS],
        limits,
      };
    }),
  };
}

/** The readable form of a check (stdout). */
export function formatCheck(r: CheckResult): string {
  const lines = [
    `Source ${r.source}: the key works (${r.apiHost}).`,
    `Key owner: ${r.user.name}${r.user.email ? ` <${r.user.email}>` : ''}, profile time zone ${r.user.timeZone ?? 'unknown'}.`,
    '',
    formatTable(
      ['workspace', 'name', 'role', 'plan', 'report days', 'complete'],
      r.workspaces.map((w) => [w.id, w.name, w.role, w.plan ?? '?', w.maxReportDays === null ? 'no limit' : w.maxReportDays, w.incomplete.length ? 'no' : 'yes']),
    ),
  ];
  if (!r.workspaces.length) lines.push('', 'This key sees no workspace.');
  for (const w of r.workspaces) {
    if (!w.incomplete.length && !w.limits.length) continue;
    lines.push('', `${w.name} (${w.id}):`);
    if (w.incomplete.length) {
      lines.push(`  warning: the key is ${w.role} here, not OWNER or ADMIN; these streams will be incomplete:`);
      for (const g of w.incomplete) lines.push(`    - ${g.stream}: ${g.why}`);
      lines.push('    Use the key of a workspace owner or admin for a complete sync.');
    }
    for (const l of w.limits) lines.push(`  plan limit: ${l}`);
  }
  return lines.join('\n');
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('Verify the API key and list every workspace it can see, with the key\'s role, incomplete streams and plan limits.');
  describeOption(addSourceOptions(cmd), '--json', 'the result as JSON on stdout (log lines, if any, as JSON on stderr)')
    .addHelpText(
      'after',
      `
Output (stdout): the key owner, then one line per workspace (id, name, role, plan, longest report
range per request), then warnings. --json prints the same as JSON. Exit status 0 when the key
works, 1 on a rejected key or an unreachable host, 2 on a configuration error or unknown workspace.

Examples:
  CLOCKIFY_API_KEY=… clockify-sync check
  clockify-sync check --api-key-file ~/.clockify-key --region euc1 --json
  clockify-sync check --config clockify-sync.yaml --source agency-client-a`,
    )
    .action(async (opts: CommandOptions) => {
      const { jobs } = loadJobs(opts);
      const results: CheckResult[] = [];
      let exit: number = EXIT.ok;
      for (const job of jobs) {
        try {
          const client = clientForJob(job, { maxRetries: 1, maxRetryAfterMs: 10_000 });
          results.push(await checkJob(job, client));
        } catch (err) {
          // One source's failure must not hide the others' results (agencies check many keys at once).
          if (jobs.length === 1 || !(err instanceof SyncError)) throw err;
          process.stderr.write(redact(`source ${job.source}: error [${err.code}]: ${err.message}\n`) + (err.hint ? redact(`  → ${err.hint}\n`) : ''));
          if (exit === EXIT.ok || err.exitCode === EXIT.usage) exit = err.exitCode;
        }
      }
      if (results.length) printData(opts.json ? toJson(jobs.length === 1 ? results[0] : results) : results.map(formatCheck).join('\n\n'));
      process.exitCode = exit;
    });
}
