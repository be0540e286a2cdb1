// Stands in for zod's `z.compile` (a parser compiler, ~31 KiB minified),
// which nothing here calls: `z` is a namespace passed around as a value (the
// OpenAPI extension), so the bundler keeps every export of it. wrangler.toml
// aliases zod's `./compile.js` to this file.
const absent = (): never => {
  throw new Error("z.compile is not bundled in this worker");
};

export const INVALID = Symbol.for("zod.compile.invalid");
export class ZodCompileAsyncError extends Error {}
export class ZodCompileUnsupportedError extends Error {}
export const compile = absent;
export const withParser = absent;
export const compileFn = absent;
