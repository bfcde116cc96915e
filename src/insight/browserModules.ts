import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';

/**
 * The dashboard page builds its charts in the browser from `/v1/stats` with the same code the
 * tests check: `charts.ts` and `format.ts` are served as JavaScript modules, their types
 * stripped by Node's own type stripping (the one this code runs on: erasable syntax only, so
 * stripping is all it takes). Read once, at start-up.
 */
const MODULES = {
  'charts.js': new URL('./charts.ts', import.meta.url),
  'format.js': new URL('./format.ts', import.meta.url),
} as const;

export type BrowserModuleName = keyof typeof MODULES;

export function isBrowserModuleName(name: string): name is BrowserModuleName {
  return Object.hasOwn(MODULES, name);
}

/** Every browser module as JavaScript, by the file name the page imports (`/agent/insight/charts.js`). */
export function loadBrowserModules(): Record<BrowserModuleName, string> {
  return {
    'charts.js': toBrowserModule(readFileSync(MODULES['charts.js'], 'utf8'), 'charts.ts'),
    'format.js': toBrowserModule(readFileSync(MODULES['format.js'], 'utf8'), 'format.ts'),
  };
}

/**
 * TypeScript source → a browser module. Only `import type` is allowed: a runtime import would
 * point at a `.ts` file the browser cannot load, so it is refused here, at start-up.
 */
export function toBrowserModule(source: string, name: string): string {
  const runtimeImport = /^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s*['"]/m.exec(source) ?? /^\s*import\s*['"]/m.exec(source);
  if (runtimeImport) throw new TypeError(`${name} is served to the browser and may only import types: ${runtimeImport[0].trim()}`);
  return stripQuietly(source);
}

/**
 * `stripTypeScriptTypes` warns once per process that the API is experimental; that warning is
 * noise in the server's log (the stripping itself is what Node runs this whole program with).
 */
function stripQuietly(source: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(typeof warning === 'string' ? warning : warning.message).includes('stripTypeScriptTypes')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}
