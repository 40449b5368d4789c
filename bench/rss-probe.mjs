// Preloaded into a benchmarked child (`node --import ./rss-probe.mjs ...`): at exit, however the program exits,
// writes the process's peak resident set size in KiB (all threads) and its CPU time (user + system, all threads) in
// milliseconds, separated by a space, to the file named by RSS_PROBE_FILE.
// Linux: VmHWM of /proc/self/status, the peak of this program's own memory. Not resourceUsage().maxRSS there: the
// kernel carries the parent's resident size at fork() over into the child's maxRSS, so a child of a big parent
// (the benchmark, holding the simulator's files) would report the parent's size.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

function cpuMs() {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  return Math.round((userCPUTime + systemCPUTime) / 1000);
}

const file = process.env.RSS_PROBE_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${peakKiB()} ${cpuMs()}`));
