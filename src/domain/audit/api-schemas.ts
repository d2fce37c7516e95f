import { z } from 'zod';
import { AgencyIdSchema } from '../directory';
import { AuditEventSchema } from './event';

export const ListAuditEventsQuerySchema = z.strictObject({
  caseId: z.uuid().optional(),
  agency: AgencyIdSchema.optional(),
  user: z.string().min(1).max(128).optional(),
  action: z
    .string()
    .regex(/^[a-z]+\.[a-z-]+$/)
    .max(64)
    .optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .max(2048)
    .regex(/^[\w-]+$/)
    .optional(),
});

export const AuditEventListSchema = z
  .strictObject({ items: z.array(AuditEventSchema), nextCursor: z.string().optional() })
  .meta({ id: 'AuditEventList' });
