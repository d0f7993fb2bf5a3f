/**
 * Debian's Chromium for the browser tests: where it is, whether the tests skip without it (never
 * in CI, which must install it), and a headless launch with the flags this closed network needs
 * (no background connections, no QUIC, no sync).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI) {
  throw new Error(
    `${CHROMIUM} not found: CI must install the Debian package "chromium" (apt-get install chromium)`,
  );
}

/** `skip` for a describe that needs the browser: false, or why it skips. */
export const chromiumSkip: string | false = missing
  ? `${CHROMIUM} not found: install the Debian package "chromium" to run this test`
  : false;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
