import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** What a parent must offer for its children to be made lazily (pino's loggers do). */
interface LevelAware extends FastifyBaseLogger {
  isLevelEnabled(level: string): boolean;
}

const levelAware = (logger: FastifyBaseLogger): logger is LevelAware => typeof (logger as Partial<LevelAware>).isLevelEnabled === 'function';

/**
 * A child logger made on first use. Fastify gives every request a child of the service's logger
 * (bound to its request id), and the trace telemetry one more (bound to the trace id); with pino
 * each is an object with its bindings serialised (and redacted) at once, for every request, even
 * though a request at the default level writes nothing once request logging is below the level
 * (`warn`, `silent`) — a few per cent of a micro-cached request's CPU in the gateway. This one
 * holds the parent and the bindings, answers "nothing to write" for a level its parent has off,
 * and makes the real child, once, when a line is written: the same lines with the same bindings.
 */
class LazyChildLogger implements LevelAware {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: LevelAware,
    private readonly bindings: Bindings,
  ) {}

  /** The real child, made on the first line written at an enabled level. */
  materialize(): FastifyBaseLogger {
    this.#child ??= (this.parent instanceof LazyChildLogger ? this.parent.materialize() : this.parent).child(this.bindings);
    return this.#child;
  }

  get level(): string {
    return this.#child ? this.#child.level : this.parent.level;
  }

  set level(level: string) {
    this.materialize().level = level;
  }

  isLevelEnabled(level: string): boolean {
    const child = this.#child;
    return child && levelAware(child) ? child.isLevelEnabled(level) : this.parent.isLevelEnabled(level);
  }

  #write(level: Level, args: unknown[]): void {
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return;
    this.materialize()[level](...(args as [unknown]));
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    if (options && Object.keys(options).length > 0) return this.materialize().child(bindings, options);
    return new LazyChildLogger(this, bindings);
  }
}

/**
 * Fastify's `childLoggerFactory`: the per-request child, made lazily (see LazyChildLogger). A route
 * with its own `logLevel`, or a logger that cannot say which levels are on, gets a real child at once.
 */
export const lazyChildLogger = (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger =>
  options.level || !levelAware(logger) || Object.keys(options).length > 0 ? logger.child(bindings, options) : new LazyChildLogger(logger, bindings);
