// autocannon ships no types; the bench uses its promise form with an options object.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => Promise<unknown>;
  export default autocannon;
}
