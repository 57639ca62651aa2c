/**
 * V8's CPU profiler (the one `node --cpu-prof` starts), driven through node:inspector so a
 * target profiles only the load window, not its start-up and fixtures. The profile is written
 * as a `.cpuprofile` (open it in Chrome DevTools) and summarised as top frames by self time.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

let session: Session | undefined;

function post<T>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

export async function startProfiling(): Promise<void> {
  session = new Session();
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
}

/** Stops the profiler and writes the profile to `file`. */
export async function stopProfiling(file: string): Promise<string> {
  const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
  session!.disconnect();
  session = undefined;
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

export interface FrameCost {
  frame: string;
  selfMs: number;
  selfPercent: number;
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const root = path.indexOf('/server/') >= 0 ? path.indexOf('/server/') : path.indexOf('/test/');
  return root >= 0 ? path.slice(root + 1) : path;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
}

/**
 * Self time of every sampled frame, the same summed by module (file or package), and the
 * inclusive time of our own frames (server/**: the frame and everything it called).
 */
export function summarise(profile: CpuProfile, top = 25): { frames: FrameCost[]; modules: FrameCost[]; inclusive: FrameCost[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let total = 0;
  const frames = new Map<string, number>();
  const modules = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    const node = byId.get(id)!;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += micros;
    const file = shortUrl(url);
    const name = frameName(node);
    frames.set(name, (frames.get(name) ?? 0) + micros);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const ancestor = byId.get(at)!;
      if (!ancestor.callFrame.url.includes('/server/') && !ancestor.callFrame.url.includes('@trpc/server/dist/adapters')) continue;
      const ancestorName = frameName(ancestor);
      if (seen.has(ancestorName)) continue;
      seen.add(ancestorName);
      inclusive.set(ancestorName, (inclusive.get(ancestorName) ?? 0) + micros);
    }
    const module = url ? file.split('/').slice(0, file.startsWith('@') ? 2 : url.includes('/node_modules/') ? 1 : 2).join('/') : functionName;
    modules.set(module, (modules.get(module) ?? 0) + micros);
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, micros]) => ({ frame, selfMs: micros / 1000, selfPercent: (100 * micros) / total }));
  return { frames: rank(frames), modules: rank(modules), inclusive: rank(inclusive), totalMs: total / 1000 };
}
