// Fixed bounds that the config schema names in its descriptions and the code enforces: one
// value for both, in a module without zod, so the relay imports it without the schema.

/** How many answers the offline content cache keeps at most, whatever upstream.api.offlineCacheMB allows. */
export const OFFLINE_CACHE_MAX_ENTRIES = 256;
