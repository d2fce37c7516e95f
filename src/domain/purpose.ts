import * as z from 'zod';

/** Why a case is read: sent with every read of case content and recorded in the access log. */
export const PURPOSES = ['child-protection', 'criminal-investigation', 'emergency', 'research'] as const;
export const PurposeSchema = z.enum(PURPOSES).meta({ id: 'Purpose' });
export type Purpose = z.infer<typeof PurposeSchema>;
