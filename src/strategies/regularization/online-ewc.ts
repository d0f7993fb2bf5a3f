/**
 * Online EWC (Schwarz et al. 2018, "Progress & Compress"): EWC with one running penalty instead
 * of one per past experience, F = gamma F + F_new and theta* the weights after the latest
 * experience (ewc.ts holds the penalty and its online mode).
 */
import type { z } from 'zod';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy } from '../definition.js';
import { ewc, onlineEwcOptions } from './ewc.js';

export type OnlineEwcOptions = StrategyOptions & z.input<typeof onlineEwcOptions>;

/** Online EWC: `ewc` with `mode: 'online'`. */
export function onlineEwc(options: OnlineEwcOptions = {}): Strategy {
  return ewc({ ...options, mode: 'online' });
}

export const onlineEwcDefinition = defineStrategy({
  name: 'online-ewc',
  family: 'regularization',
  description: 'Online EWC (Schwarz et al. 2018): one running Fisher-weighted penalty',
  options: onlineEwcOptions,
  taskFree: false,
  create: onlineEwc,
});
