/**
 * `imagefleet serve`: the web studio, the HTTP API and the engine in one process (DESIGN §2).
 * Next.js runs as a custom server so the route handlers share this process's fleet.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { createLogger } from '../config/create-logger.js';
import { loadConfig } from '../config/load-config.js';
import { ImagefleetError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Fleet } from '../fleet/create-fleet.js';
import { setFleet } from '../server/fleet-holder.js';
import { globalConfigFlags, type CliContext, type CommandRegistration } from './cli-context.js';
import { openFleet } from './open-fleet.js';
import { listenForShutdownSignal } from './shutdown-signal.js';

/** The folder holding package.json, next.config.ts and `.next`. */
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Longest wait for open HTTP requests to finish on stop before their connections are cut, in ms. */
const httpDrainLimitMs = 5000;

interface ServeOptions {
  host?: string;
  port?: string;
  dev?: boolean;
}

export const registerServeCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('serve')
    .description('run the web studio, HTTP API and engine in one process')
    .option('--host <address>', 'address to listen on (env IMAGEFLEET_HOST; default 127.0.0.1)')
    .option('--port <number>', 'port to listen on (env IMAGEFLEET_PORT; default 3000)')
    .option('--dev', 'run Next.js in development mode (hot reload; no build needed)')
    .action(async (options: ServeOptions, command: Command) => {
      const config = loadConfig(context.environment, { ...globalConfigFlags(command, context), host: options.host, port: options.port });
      await serve(config, { dev: options.dev === true });
    });
};

/** The running web server, for a graceful stop. */
interface WebServer {
  /** Stops accepting connections, drains open requests (bounded), then closes Next.js. */
  close(): Promise<void>;
}

/**
 * Starts everything, waits for SIGTERM/SIGINT, then stops gracefully: no new connections, open
 * requests get a few seconds, the engine gets its shutdown grace, then the process may exit 0.
 */
export async function serve(config: Config, options: { dev: boolean }): Promise<void> {
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const shutdownSignal = listenForShutdownSignal({
    onForcedExit: (signal) => {
      logger.warn({ signal }, 'second stop signal: exiting without waiting for in-flight work');
      process.exit(1);
    },
  });
  let fleet: Fleet | undefined;
  let webServer: WebServer | undefined;
  try {
    if (!options.dev) assertProductionBuild();
    fleet = await openFleet(config, logger);
    setFleet(fleet);
    webServer = await startWebServer(config, { dev: options.dev, logger });
    fleet.start();
    const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
    logger.info({ url, dataDir: config.dataDir, dev: options.dev }, `imagefleet is serving ${url}`);

    const signal = await shutdownSignal.received;
    logger.info({ signal }, 'stopping: no new connections; letting in-flight work finish');
  } finally {
    // Stop claiming and drain HTTP at the same time (requests may still use the store); then the
    // fleet closes the store.
    await Promise.all([webServer?.close(), fleet?.engine.stop(config.engine.shutdownGraceMs)]);
    await fleet?.stop();
    setFleet(undefined);
    shutdownSignal.dispose();
  }
  logger.info({}, 'stopped');
}

/** Fails with one clear sentence when `next build` has not run (production mode needs it). */
function assertProductionBuild(): void {
  if (existsSync(path.join(projectRoot, '.next', 'BUILD_ID'))) return;
  throw new ImagefleetError(
    'conflict',
    'The web app has not been built yet (no .next/BUILD_ID); run "npm run build" first, or "npm start", which builds and serves.',
  );
}

async function startWebServer(config: Config, options: { dev: boolean; logger: Logger }): Promise<WebServer> {
  const { host, port } = config.server;
  // React and Next pick their production or development builds from NODE_ENV; the mode is ours
  // to decide (a NODE_ENV=test or development inherited from the shell must not leak in).
  Object.assign(process.env, { NODE_ENV: options.dev ? 'development' : 'production' });
  // Loaded here, not at the top: `--help` and the worker never pay for Next.js.
  const { default: createNextServer } = await import('next');
  const httpServer = http.createServer();
  const nextApp = createNextServer({ dev: options.dev, dir: projectRoot, hostname: host, port, httpServer });
  await nextApp.prepare();
  const handleRequest = nextApp.getRequestHandler();
  // ZIP downloads bypass Next, which drops their exact Content-Length (docs/decisions/0011).
  const { serveDownloadFromNode } = await import('../server/download-handler.js');
  // Uploads too: busboy reads the Node request, with no web-stream layer (docs/decisions/0047).
  const { serveUploadFromNode } = await import('../server/upload-handlers.js');
  const { answerFailedRequest, createFrontDoor, hostNameOf } = await import('../server/front-door.js');
  const { serveProbe } = await import('../server/health-handler.js');
  const { answerMethodFromNode } = await import('../server/method-table.js');
  const frontDoor = createFrontDoor(config, options.logger, { dev: options.dev });
  httpServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (!frontDoor.admit(request, response) || serveProbe(request, response)) return;
    (answerMethodFromNode(request, response) ?? serveDownloadFromNode(request, response) ?? serveUploadFromNode(request, response) ?? handleRequest(request, response)).catch((error: unknown) => {
      answerFailedRequest(error, request, response, options.logger);
    });
  });
  if (options.dev) {
    // Hot reload talks over a WebSocket upgrade on the same server.
    const handleUpgrade = nextApp.getUpgradeHandler();
    httpServer.on('upgrade', (request: http.IncomingMessage, socket, head: Buffer) => {
      if (!frontDoor.allowsHost(hostNameOf(request.headers.host ?? '') ?? '')) return void socket.destroy();
      handleUpgrade(request, socket, head).catch(() => socket.destroy());
    });
  }
  try {
    await listen(httpServer, host, port);
  } catch (error) {
    await nextApp.close();
    throw error;
  }
  return {
    close: async () => {
      await closeHttpServer(httpServer, httpDrainLimitMs);
      await nextApp.close();
    },
  };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Turns the usual listen failures into sentences that say which setting to change. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ImagefleetError(
        'conflict',
        `Port ${port} on ${host} is already in use; stop the program using it or choose another port with --port or IMAGEFLEET_PORT.`,
        { cause: error },
      );
    case 'EACCES':
      return new ImagefleetError(
        'conflict',
        `Not allowed to listen on port ${port} of ${host} (ports below 1024 need extra privileges); choose another port with --port or IMAGEFLEET_PORT.`,
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ImagefleetError(
        'config_invalid',
        `Cannot listen on ${host}: it is not an address of this machine; choose another with --host or IMAGEFLEET_HOST.`,
        { cause: error },
      );
    default:
      return error;
  }
}

/**
 * Stops accepting connections, lets open requests finish for up to `drainLimitMs`, then cuts what
 * is left (live event streams never finish on their own).
 */
async function closeHttpServer(server: http.Server, drainLimitMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let drainTimer: NodeJS.Timeout | undefined;
  const drainLimit = new Promise<void>((resolve) => {
    drainTimer = setTimeout(resolve, drainLimitMs);
  });
  await Promise.race([closed, drainLimit]);
  clearTimeout(drainTimer);
  server.closeAllConnections();
  await closed;
}
