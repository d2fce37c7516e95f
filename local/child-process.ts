import type { ChildProcess } from 'node:child_process';

/**
 * A part of the local stack that runs as a process of its own (DynamoDB Local, the KMS emulator), so
 * that it can fail as a real dependency does: paused (SIGSTOP), killed, restarted.
 */
export interface LocalProcess {
  readonly endpoint: string;
  /** The process id while it runs, to pause or kill it (fault tests); undefined once it has exited. */
  readonly pid: number | undefined;
  /** Once it has exited (killed, crashed), starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/** A last resort when this process exits without stopping the child: never leave one behind. */
export function killWithParent(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

/** SIGTERM (and SIGCONT, in case it was paused), then SIGKILL if it has not exited within 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  child.kill('SIGTERM');
  child.kill('SIGCONT');
  if (!(await waitForExit(child, 5000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5000);
  }
}

/**
 * A `LocalProcess` around `launch`, which starts the child and resolves once it serves `endpoint`. A
 * restart launches it again; keeping the port and the data is `launch`'s part.
 */
export function restartable(
  endpoint: string,
  first: ChildProcess,
  launch: () => Promise<ChildProcess>,
): LocalProcess {
  let child = first;
  let restarting: Promise<void> | undefined;
  const relaunch = async () => {
    // A kill is seen a moment after it is sent: wait for the exit before taking the port again.
    if (!(await waitForExit(child, 5000))) throw new Error(`process ${child.pid} is still running`);
    child = await launch();
  };
  return {
    endpoint,
    get pid() {
      return hasExited(child) ? undefined : child.pid;
    },
    restart() {
      restarting ??= relaunch().finally(() => {
        restarting = undefined;
      });
      return restarting;
    },
    stop: async () => {
      await restarting?.catch(() => undefined);
      await stopChild(child);
    },
  };
}
