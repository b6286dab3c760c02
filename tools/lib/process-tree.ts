/**
 * Memory of a process tree, from /proc (Linux): the sum of the RSS of a
 * process and all its descendants, sampled while it runs. Used by the
 * benches (tools/bench.ts, tools/bench-deploy.ts).
 */
import { readdirSync, readFileSync } from 'fs';

/** /proc is there (Linux): without it nothing can be sampled. */
export function canSampleProcesses(): boolean {
  try {
    readFileSync('/proc/self/status', 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** The children of every process, from the parent pid in /proc/<pid>/stat. */
export function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid ...; comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid);
    if (list) list.push(Number(entry));
    else children.set(ppid, [Number(entry)]);
  }
  return children;
}

/** VmRSS of one process, KB (0 when it is gone). */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sum of RSS over the tree below `root` (itself included unless `skipRoot`), KB, and how many processes it counted. */
export function treeRss(root: number, skipRoot = false): { kb: number; processes: number } {
  const children = childrenByParent();
  let kb = 0;
  let processes = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (pid !== root || !skipRoot) {
      kb += rssKb(pid);
      processes++;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return { kb, processes };
}

/** Samples the tree below `root` every `intervalMs` until stopped; `stop()` returns the peak (KB) and the most processes seen at once. */
export function sampleTree(root: number, intervalMs: number, skipRoot = false): { stop(): { peakKb: number; peakProcesses: number } } {
  let peakKb = 0;
  let peakProcesses = 0;
  const sample = () => {
    const t = treeRss(root, skipRoot);
    peakKb = Math.max(peakKb, t.kb);
    peakProcesses = Math.max(peakProcesses, t.processes);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakKb, peakProcesses };
    },
  };
}
