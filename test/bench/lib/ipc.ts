/**
 * A bench target is a child process (server + embedded engine in one process, as `npm start`
 * runs them) driven over IPC by the bench: it prepares fixtures and profiles itself on request,
 * so nothing but the measured requests runs while autocannon is loading it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';

/** One request autocannon sends: a JSON body and the headers that go with it (cookies). */
export interface Fixture {
  body: string;
  headers?: Record<string, string>;
}

export interface TargetHandle {
  url: string;
  child: ChildProcess;
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** Forks `file` (a target script run through tsx) and waits for its `{ready, url}` message. */
export async function startTarget(file: URL, args: string[] = [], execArgv: string[] = []): Promise<TargetHandle> {
  const child = fork(file.pathname, args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'test', ALDERO_LOG_LEVEL: 'error' },
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file.pathname} did not start in 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${file.pathname} exited with ${code} before it was ready`)));
    child.on('message', (message: { ready?: boolean; url?: string } & Partial<Reply>) => {
      if (message.ready && message.url) {
        clearTimeout(timer);
        resolve(message.url);
        return;
      }
      const waiter = message.id !== undefined ? pending.get(message.id) : undefined;
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
  });
  child.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('target exited'));
    pending.clear();
  });
  return {
    url,
    child,
    call<T>(method: string, params: Record<string, unknown> = {}) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, method, params });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ id: 0, method: 'stop', params: {} });
      }),
  };
}

export type Methods = Record<string, (params: Record<string, unknown>) => unknown>;

/** The child's side: announces readiness and answers the bench's calls; `stop` exits cleanly. */
export function serveTarget(url: string, methods: Methods, stop: () => Promise<void>): void {
  if (!process.send) throw new Error('a bench target runs as a forked child (test/bench/index.ts starts it)');
  process.on('message', async (message: { id: number; method: string; params: Record<string, unknown> }) => {
    if (message.method === 'stop') {
      await stop();
      process.exit(0);
    }
    try {
      const method = methods[message.method];
      if (!method) throw new Error(`unknown method ${message.method}`);
      const result = await method(message.params);
      process.send!({ id: message.id, result });
    } catch (error) {
      process.send!({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
  process.send({ ready: true, url });
}

/**
 * Counts the requests a server is answering, so a target stops only once autocannon's last
 * requests are answered (closing the database under them would log errors that are not the
 * server's).
 */
export function trackInFlight(...servers: Server[]): { drain(timeoutMs?: number): Promise<void> } {
  let active = 0;
  for (const server of servers) {
    server.on('request', (_req, res) => {
      active++;
      res.once('close', () => active--);
    });
  }
  return {
    async drain(timeoutMs = 5000) {
      for (const server of servers) server.closeIdleConnections();
      const until = Date.now() + timeoutMs;
      while (active > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      // A response closed by the client (autocannon hangs up when its time is over) may still
      // have its handler running: give it time to finish its database calls.
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
  };
}
