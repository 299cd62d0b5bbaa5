import { closeSync, openSync, readSync } from 'node:fs';

/*
 * Whether the main thread sits idle in its event loop's poll, seen from another thread through Linux's
 * /proc: the system call the thread is in (task/<tid>/syscall: its number, then its arguments) and the
 * CPU time it has used and how often it ran (task/<tid>/schedstat). The main thread's tid is the
 * process id.
 *
 * An idle loop waits in epoll_wait or epoll_pwait(2). So does a nested loop inside a sync call
 * (spawnSync and execSync run one of their own), and that is a block. The two differ in their epoll fd
 * and their events buffer, which lives on the stack: the event loop's own poll is the outermost one, so
 * its buffer has the highest address of any poll the main thread is ever seen in.
 */

/** epoll_wait, epoll_pwait, epoll_pwait2 by architecture (arm64 has no plain epoll_wait). */
const POLL_SYSCALLS: Partial<Record<string, readonly number[]>> = { x64: [232, 281, 441], arm64: [22, 441] };

export interface MainThreadReading {
  /** The poll call the thread waits in, as "number fd buffer", or null when it is not in one. */
  poll: string | null;
  /** Address of that poll's events buffer; higher means outer. */
  pollBuffer: bigint;
}

export interface MainLoopProbe {
  /**
   * The thread's schedstat line: CPU time, time spent waiting for a CPU, and run count. Unchanged means
   * the thread has not run since, so it still sits in the same system call. One read; each read after
   * the sentinel wakes costs this VM about 0.1 ms, so the system call is read only when this moved.
   */
  runs(): string;
  /** Time on or waiting for a CPU in a runs() string, ns: what the loop's clock counts as busy, but for sleeps. */
  busyNanos(runs: string): number;
  syscall(): MainThreadReading;
  close(): void;
}

/** The probe, or null where /proc does not show these (not Linux, another architecture, a sandbox). */
export function openMainLoopProbe(): MainLoopProbe | null {
  const polls = POLL_SYSCALLS[process.arch];
  if (process.platform !== 'linux' || polls === undefined) return null;
  const files: number[] = [];
  const close = (): void => {
    for (const fd of files.splice(0)) {
      try {
        closeSync(fd);
      } catch {
        // Nothing to do about a descriptor that will not close.
      }
    }
  };
  const buffer = Buffer.alloc(256);
  const readText = (fd: number): string => buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
  try {
    files.push(openSync(`/proc/self/task/${process.pid}/syscall`, 'r'));
    files.push(openSync(`/proc/self/task/${process.pid}/schedstat`, 'r'));
  } catch {
    close();
    return null;
  }
  const [syscallFile, schedstatFile] = files as [number, number];
  const probe: MainLoopProbe = {
    runs() {
      // "cpu-ns wait-ns run-count\n".
      return readText(schedstatFile);
    },
    busyNanos(runs) {
      const [cpu, wait] = runs.split(' ', 2);
      return Number(cpu) + Number(wait);
    },
    syscall() {
      // "running" while on a CPU, else "number arg1 arg2 ...".
      const call = readText(syscallFile).split(' ', 3);
      if (call.length < 3 || !polls.includes(Number(call[0]))) return { poll: null, pollBuffer: 0n };
      return { poll: call.join(' '), pollBuffer: BigInt(call[2] ?? 0) };
    },
    close,
  };
  // Some sandboxes list these files but refuse to read them, or fill them with zeros.
  try {
    probe.syscall();
    if (!(probe.busyNanos(probe.runs()) > 0)) throw new Error('no CPU time');
  } catch {
    close();
    return null;
  }
  return probe;
}
