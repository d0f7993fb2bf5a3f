/** Errors that name what was wrong and what was expected, for users to act on. */

/** A data file that is missing, truncated or not in the expected format. */
export class DataFormatError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DataFormatError';
  }
}

/** A configuration value (config file, CLI flag, option) that is not what was expected. */
export class ConfigError extends Error {
  constructor(
    /** Path of the offending field, e.g. `strategies[1].lr`. */
    readonly field: string,
    /** What was wrong, without the field (the message is `field: detail`). */
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ConfigError';
  }
}
