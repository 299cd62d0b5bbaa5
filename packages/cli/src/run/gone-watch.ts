import { readFile } from 'node:fs/promises';

/**
 * When each monitored process went away, as `agent-lag run` sees it: the child it started (its exit
 * event), and every other pid the event log names (npm's child, a shell script's children), checked
 * every poll. A process killed in a block writes nothing more, so this is how long the block lasted
 * at least.
 */
export class GoneWatch {
  readonly #goneAt = new Map<number, number>();
  readonly #watched = new Set<number>();
  #polling = false;

  watch(pid: number): void {
    if (!this.#goneAt.has(pid)) this.#watched.add(pid);
  }

  /** Notes that `pid` went away at `at`; true the first time, for a pid the log named. */
  markGone(pid: number, at: number): boolean {
    const named = this.#watched.delete(pid);
    if (this.#goneAt.has(pid)) return false;
    this.#goneAt.set(pid, at);
    return named;
  }

  get goneAt(): ReadonlyMap<number, number> {
    return this.#goneAt;
  }

  /** Checks every watched pid once; the pids the log named found gone now. Polls never overlap. */
  async poll(): Promise<number[]> {
    if (this.#polling) return [];
    this.#polling = true;
    const found: number[] = [];
    try {
      const now = Date.now();
      for (const pid of [...this.#watched]) if ((await isGone(pid)) && this.markGone(pid, now)) found.push(pid);
    } finally {
      this.#polling = false;
    }
    return found;
  }
}

/** No such process, or a zombie (dead, not yet reaped by its parent). */
async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // /proc/<pid>/stat: "pid (comm) S …"; the command name may hold spaces and parentheses.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}
