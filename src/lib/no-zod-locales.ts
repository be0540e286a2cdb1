// Stands in for zod's bundle of ~60 translations (`z.locales`), which nothing
// here uses and which is over a third of the minified worker: wrangler.toml
// aliases zod's `../locales/index.js` to this file. English messages are
// unaffected: zod imports them from `../locales/en.js` directly.
export {};
