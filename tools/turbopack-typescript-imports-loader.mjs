/**
 * Turbopack loader for the project's own `.ts`/`.tsx` files: rewrites a relative import specifier
 * ending in `.js` to the `.ts` or `.tsx` file that exists beside it, which is how TypeScript itself
 * resolves such specifiers. A specifier whose `.js` file really exists is left alone, and so is
 * everything that is not an import or export. See next.config.ts for why this exists.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** `from './x.js'`, `import './x.js'`, `import('./x.js')` — single or double quotes. */
const relativeJsSpecifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"\r\n]*?)\.js\2/g;

/** @this {{ resourcePath: string }} */
export default function typescriptImportsLoader(source) {
  const directory = path.dirname(this.resourcePath);
  return source.replace(relativeJsSpecifier, (match, prefix, quote, stem) => {
    if (existsSync(path.resolve(directory, `${stem}.js`))) return match;
    for (const extension of ['.ts', '.tsx']) {
      if (existsSync(path.resolve(directory, `${stem}${extension}`))) return `${prefix}${quote}${stem}${extension}${quote}`;
    }
    return match;
  });
}
