/** Sorted CPU feature flags (Linux: /proc/cpuinfo), or [] where they cannot be read. */
export declare function cpuFeatures(): string[];
