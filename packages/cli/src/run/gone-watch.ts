import { readFile } from 'node:fs/promises';

/**
 * When each monitored process went away, as `agent-lag run` sees it: the child it started (its exit
 * event), and every other pid the event log names (npm's child, a shell script's children), checked
 * every poll. A process killed in a block writes nothing more, so this is how long the block lasted
 * at least. `onGone` hears of each pid the log named once it is gone (run writes it into the log).
 */
export class GoneWatch {
  readonly #goneAt = new Map<number, number>();
  readonly #watched = new Set<number>();
  #polling = false;
  readonly #onGone: (pid: number, at: number) => void;

  constructor(onGone: (pid: number, at: number) => void = () => undefined) {
    this.#onGone = onGone;
  }

  watch(pid: number): void {
    if (!this.#goneAt.has(pid)) this.#watched.add(pid);
  }

  markGone(pid: number, at: number): void {
    const named = this.#watched.delete(pid);
    if (this.#goneAt.has(pid)) return;
    this.#goneAt.set(pid, at);
    if (named) this.#onGone(pid, at);
  }

  get goneAt(): ReadonlyMap<number, number> {
    return this.#goneAt;
  }

  /** Checks every watched pid once; polls never overlap. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const now = Date.now();
      for (const pid of [...this.#watched]) if (await isGone(pid)) this.markGone(pid, now);
    } finally {
      this.#polling = false;
    }
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
