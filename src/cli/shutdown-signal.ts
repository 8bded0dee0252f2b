/**
 * Waits for SIGTERM or SIGINT. Listeners are installed at once, so a signal that arrives while a
 * command is still starting is not lost (and does not kill the process mid-start). A second
 * signal during the graceful stop forces an immediate exit, for a person pressing Ctrl-C twice.
 */
export interface ShutdownSignal {
  /** Resolves with the first signal received. */
  readonly received: Promise<NodeJS.Signals>;
  /** Removes the listeners (for a command that ends without a signal). */
  dispose(): void;
}

const stopSignals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Starts listening for the stop signals. */
export function listenForShutdownSignal(options: { onForcedExit: (signal: NodeJS.Signals) => void }): ShutdownSignal {
  let resolveReceived: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveReceived = resolve;
  });
  let firstSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignal === undefined) {
      firstSignal = signal;
      resolveReceived(signal);
      return;
    }
    options.onForcedExit(signal);
  };
  for (const signal of stopSignals) process.on(signal, onSignal);
  return {
    received,
    dispose: () => {
      for (const signal of stopSignals) process.off(signal, onSignal);
    },
  };
}
