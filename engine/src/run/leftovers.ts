/**
 * Workload processes that outlive a dead tracer. The engine is their
 * subreaper (engine/src/native/addon.ts), so they are its children by
 * now; they are stopped rather than left running untraced.
 */
import * as fs from 'node:fs';

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] !== 'Z' && Number(rest[1]) === ppid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Kills our remaining children (and, as they are reparented here, theirs). Returns how many. */
export async function stopLeftovers(exclude: Set<number> = new Set()): Promise<number> {
  const killed = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const kids = childrenOf(process.pid).filter((p) => !exclude.has(p));
    if (kids.length === 0) break;
    for (const pid of kids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return killed.size;
}
