import { z } from 'zod';

export const userIdParam = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'expected a user id');
