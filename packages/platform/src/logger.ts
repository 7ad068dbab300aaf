import { pino, type Logger } from 'pino';

export type { Logger };

export const createLogger = (service: string, level: string): Logger =>
  pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, redact: ['req.headers.authorization', '*.password', '*.passwordHash'] });
