import { LoggerService } from '@nestjs/common';

const LEVELS = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, verbose: 10 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * Structured logs: one JSON object per line on stdout. Messages must never carry tokens or
 * personal data (first names, age ranges): log ids, never bodies.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    private readonly app: string,
    level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.threshold = LEVELS[level];
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('fatal', message, rest);
  }

  /** Structured entry with fields, for code that has more than a message to say. */
  event(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (LEVELS[level] < this.threshold) return;
    this.write(`${JSON.stringify({ level, time: new Date().toISOString(), app: this.app, msg, ...fields })}\n`);
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVELS[level] < this.threshold) return;
    // Nest passes the context as the last string argument, and a stack before it for errors.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = { context };
    if (message instanceof Error) {
      fields.err = { name: message.name, message: message.message, stack: message.stack };
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
    } else {
      fields.msg = String(message);
    }
    if (typeof rest[0] === 'string' && level === 'error') fields.stack = rest[0];
    this.write(`${JSON.stringify({ level, time: new Date().toISOString(), app: this.app, ...fields })}\n`);
  }
}
