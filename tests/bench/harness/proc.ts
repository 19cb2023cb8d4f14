import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Process figures from Linux's /proc: resident memory of the server under test, and the CPU time spent
 * by it and by PostgreSQL, to tell what dominated a run.
 */

const KB = 1024;
const MB = 1024 * 1024;

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * KB : null;
  } catch {
    return null;
  }
}

/** The process's resident memory now, in MB. */
export function rssMB(pid: number): number | null {
  const rss = statusField(pid, 'VmRSS');
  return rss === null ? null : rss / MB;
}

export interface RssReport {
  /** The highest VmRSS seen by sampling. */
  sampledPeakMB: number;
  /** The kernel's own peak (VmHWM) over the window, when it could be reset at the start; else null. */
  hwmMB: number | null;
  /** max(sampled, VmHWM): the figure reported. */
  peakMB: number;
  startMB: number;
  endMB: number;
  /** [ms since start, MB] */
  timeline: [number, number][];
}

/**
 * Samples VmRSS every `intervalMs` and resets the kernel's high-water mark at the start (writing 5 to
 * /proc/<pid>/clear_refs), so that VmHWM at the end is the true peak of this window, spikes between
 * samples included.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private hwmReset = false;
  private readonly timeline: [number, number][] = [];

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 50,
  ) {}

  start(): void {
    try {
      fs.writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.started = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): RssReport {
    clearInterval(this.timer);
    this.sample();
    const hwm = this.hwmReset ? statusField(this.pid, 'VmHWM') : null;
    const values = this.timeline.map(([, mb]) => mb);
    const sampledPeakMB = Math.max(...values);
    const hwmMB = hwm === null ? null : hwm / MB;
    return {
      sampledPeakMB,
      hwmMB,
      peakMB: Math.max(sampledPeakMB, hwmMB ?? 0),
      startMB: values[0] ?? 0,
      endMB: values[values.length - 1] ?? 0,
      timeline: this.timeline.map(([t, mb]) => [Math.round(t), Math.round(mb * 10) / 10]),
    };
  }

  private sample(): void {
    const rss = statusField(this.pid, 'VmRSS');
    if (rss !== null) this.timeline.push([performance.now() - this.started, rss / MB]);
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime, stime, cutime, cstime (seconds) and ppid of a process, or null when it is gone. */
function stat(pid: number | 'self'): { ppid: number; own: number; children: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces: state ppid … utime(14) stime cutime cstime
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const hz = ticksPerSecond();
    return {
      ppid: Number(f[1]),
      own: (Number(f[11]) + Number(f[12])) / hz,
      children: (Number(f[13]) + Number(f[14])) / hz,
    };
  } catch {
    return null;
  }
}

/** CPU seconds the process has used so far (all its threads). */
export function processCpuSeconds(pid: number): number | null {
  return stat(pid)?.own ?? null;
}

/**
 * CPU seconds of a PostgreSQL server so far: the postmaster, its live children (backends, checkpointer,
 * WAL writer…) and the children it has already reaped (a psql session's backend that has ended).
 */
export function postgresCpuSeconds(postmasterPid: number): number | null {
  // A backend reaped while the children are being read would be counted in neither place, or in both:
  // retry until the postmaster's reaped total stays the same across the scan.
  for (let attempt = 0; ; attempt++) {
    const before = stat(postmasterPid);
    if (!before) return null;
    let live = 0;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const s = stat(Number(entry));
      if (s && s.ppid === postmasterPid) live += s.own;
    }
    const after = stat(postmasterPid);
    if (!after) return null;
    if (after.children === before.children || attempt === 4) return after.own + after.children + live;
  }
}

/** CPU seconds of this process and the children it has reaped (psql). */
export function benchCpuSeconds(): { own: number; children: number } {
  const s = stat('self');
  return { own: s?.own ?? 0, children: s?.children ?? 0 };
}

/** Where the time went during one measured window. */
export interface CpuWindow {
  serverSeconds: number | null;
  postgresSeconds: number | null;
  /** The bench process itself plus psql, when it ran. */
  clientSeconds: number;
}

export function cpuWindow(serverPid: number, postmasterPid: number | null): () => CpuWindow {
  const server0 = processCpuSeconds(serverPid);
  const pg0 = postmasterPid === null ? null : postgresCpuSeconds(postmasterPid);
  const client0 = benchCpuSeconds();
  return () => {
    const server1 = processCpuSeconds(serverPid);
    const pg1 = postmasterPid === null ? null : postgresCpuSeconds(postmasterPid);
    const client1 = benchCpuSeconds();
    return {
      serverSeconds: server0 === null || server1 === null ? null : server1 - server0,
      postgresSeconds: pg0 === null || pg1 === null ? null : pg1 - pg0,
      clientSeconds: client1.own - client0.own + (client1.children - client0.children),
    };
  };
}
