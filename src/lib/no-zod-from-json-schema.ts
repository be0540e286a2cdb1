// Stands in for zod's `fromJSONSchema` (JSON Schema to zod, ~12 KiB
// minified), which nothing here calls: `z` is a namespace, so the bundler
// keeps every export of it. wrangler.toml aliases zod's
// `./from-json-schema.js` to this file.
export function fromJSONSchema(): never {
  throw new Error("fromJSONSchema is not bundled in this worker");
}
