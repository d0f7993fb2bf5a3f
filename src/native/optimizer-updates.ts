/** In-place native optimizer updates (SGD with momentum, Adam). */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OptimAddon {}
