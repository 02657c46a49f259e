/**
 * Progress of a simulation's phases on stderr: one bar per phase with items, rate and ETA
 * (cli-progress) on a terminal; on a pipe or in CI, one line when each phase ends.
 */
import cliProgress from 'cli-progress';

export interface PhaseProgress {
  advance(items: number): void;
  done(): { items: number; wallMs: number };
}

export interface Progress {
  phase(label: string, total: number, unit: string): PhaseProgress;
  note(line: string): void;
}

function rate(items: number, ms: number): string {
  const perS = items / Math.max(ms / 1000, 0.001);
  return perS >= 100 ? Math.round(perS).toLocaleString('en') : perS.toFixed(1);
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY === true;
  return {
    phase(label, total, unit) {
      const started = performance.now();
      let items = 0;
      const bar = interactive
        ? new cliProgress.SingleBar(
            { stream, format: `${label.padEnd(28)} [{bar}] {percentage}% {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          )
        : null;
      bar?.start(Math.max(total, 1), 0, { rate: '0' });
      return {
        advance(n) {
          items += n;
          bar?.update(Math.min(items, Math.max(total, 1)), { rate: rate(items, performance.now() - started) });
        },
        done() {
          const wallMs = Math.round(performance.now() - started);
          if (bar) {
            bar.update(Math.max(total, 1), { rate: rate(items, wallMs) });
            bar.stop();
          } else {
            stream.write(`${label}: ${items.toLocaleString('en')} ${unit} in ${(wallMs / 1000).toFixed(1)} s (${rate(items, wallMs)}/s)\n`);
          }
          return { items, wallMs };
        },
      };
    },
    note(line) {
      stream.write(`${line}\n`);
    },
  };
}

/** For tests and library use: counts, prints nothing. */
export const silentProgress: Progress = {
  phase() {
    const started = performance.now();
    let items = 0;
    return {
      advance: (n) => void (items += n),
      done: () => ({ items, wallMs: Math.round(performance.now() - started) }),
    };
  },
  note() {},
};
