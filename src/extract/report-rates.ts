/**
 * Rates the Detailed report does not carry. The report gives `earnedRate` (0 for a non-billable
 * entry, whatever its hourly rate) and `costRate` (0 when unset), so the main API's `hourlyRate`
 * of non-billable entries and the difference between "no rate" (null) and a rate of 0 are
 * resolved from the entities read in the same run, in Clockify's order: task, project
 * membership, project, workspace membership, workspace. Rates that changed after an entry was
 * written are a known limit (Clockify keeps the entry's rate; this resolves today's).
 */
export interface Rate {
  amount: number;
  currency: string;
}
type RatePair = { hourly: Rate | null; cost: Rate | null };

const rateOf = (v: unknown): Rate | null =>
  v && typeof v === 'object' && typeof (v as Rate).amount === 'number' ? { amount: (v as Rate).amount, currency: String((v as Rate).currency ?? '') } : null;
const pairOf = (r: Record<string, unknown>): RatePair => ({ hourly: rateOf(r.hourlyRate), cost: rateOf(r.costRate) });

export interface RateResolver {
  /** Remember records of a stream (`workspaces`, `projects`, `tasks`; others are ignored). */
  add(stream: string, records: readonly unknown[]): void;
  resolve(userId: string, projectId: string | null, taskId: string | null): RatePair;
}

export function createRateResolver(): RateResolver {
  const tasks = new Map<string, RatePair>();
  const projects = new Map<string, RatePair>();
  const projectMembers = new Map<string, RatePair>(); // projectId:userId
  const members = new Map<string, RatePair>();
  let workspace: RatePair = { hourly: null, cost: null };
  return {
    add(stream, records) {
      for (const raw of records) {
        const r = raw as Record<string, unknown>;
        if (!r || typeof r.id !== 'string') continue;
        if (stream === 'tasks') tasks.set(r.id, pairOf(r));
        else if (stream === 'projects') {
          projects.set(r.id, pairOf(r));
          for (const m of (r.memberships as Record<string, unknown>[] | undefined) ?? []) projectMembers.set(`${r.id}:${String(m.userId)}`, pairOf(m));
        } else if (stream === 'workspaces') {
          workspace = pairOf(r);
          for (const m of (r.memberships as Record<string, unknown>[] | undefined) ?? []) members.set(String(m.userId), pairOf(m));
        }
      }
    },
    resolve(userId, projectId, taskId) {
      const chain = [
        taskId ? tasks.get(taskId) : undefined,
        projectId ? projectMembers.get(`${projectId}:${userId}`) : undefined,
        projectId ? projects.get(projectId) : undefined,
        members.get(userId),
        workspace,
      ];
      const pick = (k: keyof RatePair) => chain.find((p) => p?.[k])?.[k] ?? null;
      return { hourly: pick('hourly'), cost: pick('cost') };
    },
  };
}
