/**
 * The server's side of the trainer: forks trainer-process.ts (the compiled .js, or the .ts
 * source through the same loader this process runs under), hands it the config, and passes on
 * what it sends. A trainer that dies is reported (`failed`), never silently replaced.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { ServedModelConfig, ServiceConfig } from './service-config.js';
import type { FromTrainer, ToTrainer } from './trainer-process.js';
import type { PublishedWeights } from './model-trainer.js';
import type { UserDeletion } from './client.js';

export interface TrainerEvents {
  weights(published: PublishedWeights): void;
  log(line: string): void;
  failed(reason: string): void;
}

export class TrainerHandle {
  private child: ChildProcess;
  private exited = false;
  private readonly ready: Promise<void>;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private exitWaiters: (() => void)[] = [];

  constructor(config: ServiceConfig, events: TrainerEvents) {
    const here = fileURLToPath(import.meta.url);
    const entry = fileURLToPath(new URL(`./trainer-process${extname(here)}`, import.meta.url));
    // The loader flags (tsx's) carry over; a test runner's own flags must not. Sources run
    // through tsx registered in-process (bin/unforget.mjs) need it named for the child.
    const execArgv = process.execArgv.filter((a) => !/^--(experimental-)?test/.test(a));
    if (extname(here) === '.ts' && !execArgv.some((a) => a.includes('tsx'))) {
      execArgv.push('--import', import.meta.resolve('tsx'));
    }
    this.child = fork(entry, [], { execArgv, serialization: 'advanced', stdio: 'inherit' });
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.on('message', (message: FromTrainer) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'weights') events.weights(message.published);
        else if (message.type === 'log') events.log(message.line);
        else if (message.type === 'done') {
          const waiter = this.waiting.get(message.id);
          this.waiting.delete(message.id);
          if (message.error === undefined) waiter?.resolve(message.result);
          else waiter?.reject(new Error(message.error));
        } else if (message.type === 'failed') {
          events.failed(message.message);
          reject(
            message.field !== undefined
              ? new ConfigError(message.field, message.detail ?? message.message)
              : new Error(`the trainer failed: ${message.message}`),
          );
        }
      });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.exitWaiters.splice(0).forEach((w) => w());
        this.waiting.forEach((w) => w.reject(new Error('the trainer process ended')));
        this.waiting.clear();
        if (code !== 0) {
          const why = signal ? `signal ${signal}` : `exit code ${code}`;
          events.failed(`the trainer process ended (${why})`);
          reject(new Error(`the trainer process ended (${why})`));
        }
      });
    });
    this.post({ type: 'init', config });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Resolves once the trainer has loaded its snapshots and sent its first weights. */
  started(): Promise<void> {
    return this.ready;
  }

  /** New examples are in the log. */
  wake(): void {
    this.post({ type: 'wake' });
  }

  /** Resolves once every model has written a snapshot. */
  snapshot(): Promise<void> {
    return this.ask((id) => ({ type: 'snapshot', id }));
  }

  /**
   * Sets `model` back to its snapshot `version`; resolves once the trainer has snapshotted the
   * result (so that a restart keeps the rollback), rejects with the trainer's reason.
   */
  rollback(model: string, version: number): Promise<void> {
    return this.ask((id) => ({ type: 'rollback', id, model, version }));
  }

  /**
   * Has the trainer carry out the recorded deletion `deletion` of `model`; resolves with what it
   * removed (null when a restart had carried it out already).
   */
  forget(model: string, deletion: number): Promise<UserDeletion | null> {
    return this.ask((id) => ({ type: 'forget', id, model, deletion }));
  }

  /** Has the trainer train `model` too (created at run time); resolves once it has its first weights. */
  addModel(model: ServedModelConfig): Promise<void> {
    return this.ask((id) => ({ type: 'addModel', id, model }));
  }

  private ask<T = void>(message: (id: number) => ToTrainer): Promise<T> {
    if (this.exited) return Promise.reject(new Error('the trainer is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post(message(id));
    });
  }

  /** Snapshots, then ends the trainer; resolves once it has exited. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.exitWaiters.push(resolve);
      this.post({ type: 'stop' });
    });
  }

  private post(message: ToTrainer): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }
}
