/**
 * Generated at build time by scripts/build.mjs: every `.py` file under src/runtime/python/, keyed
 * by its path relative to that folder (POSIX separators), so the worker bundle is self-contained.
 */
declare module 'tapescope:python-sources' {
  export const pythonSources: Readonly<Record<string, string>>;
}
