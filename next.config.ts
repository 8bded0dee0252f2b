import type { NextConfig } from 'next';

/**
 * Next.js settings for the web shell. Telemetry is off through NEXT_TELEMETRY_DISABLED=1, set by
 * the bin shim and the npm scripts (Next has no config key for it).
 */
const nextConfig: NextConfig = {
  // Native addons and pino's worker-thread transports must load from node_modules at run time,
  // not be bundled.
  serverExternalPackages: ['better-sqlite3', 'sharp', 'pino'],
  typedRoutes: true,
  poweredByHeader: false,
  reactStrictMode: true,
  turbopack: {
    // The project writes Node-style `./module.js` specifiers for `.ts` files (they run unbundled
    // under tsx too). Turbopack in Next 16.4 has no `extensionAlias` (webpack's
    // `experimental.extensionAlias` is ignored by it), so this loader maps such specifiers of our
    // own files to the `.ts`/`.tsx` file that exists. Replace it with Turbopack's own extension
    // alias option once Next ships one. No `as:` on these rules: it renames the module (to
    // `x.tsx.tsx`), which breaks the client-reference import of every 'use client' file.
    rules: {
      '*.ts': { condition: { not: 'foreign' }, loaders: ['./tools/turbopack-typescript-imports-loader.mjs'] },
      '*.tsx': { condition: { not: 'foreign' }, loaders: ['./tools/turbopack-typescript-imports-loader.mjs'] },
    },
  },
};

export default nextConfig;
