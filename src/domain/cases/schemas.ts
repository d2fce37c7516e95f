import * as z from 'zod';
import { AgencyIdSchema } from '../directory';
import { CursorSchema, pageSchema, pagingQuery } from '../paging';
import { freeText } from '../text';
import { MAX_NOTE_CHARACTERS, MAX_NOTES_IN_CASE_READ, MAX_NOTES_PAGE } from './limits';

/**
 * Case records: metadata in clear (routing and statistics only) and five sections, each encrypted
 * separately so that access can be granted per section. Every string, array and object has a bound;
 * unknown keys are refused. Text is normalised to NFC, so Arabic round-trips byte for byte.
 */
const text = freeText;

const optionalText = (max: number) => text(max).optional();

export const CATEGORIES = [
  'abuse',
  'neglect',
  'domestic-violence',
  'missing-child',
  'exploitation',
  'other',
] as const;
export const URGENCIES = ['critical', 'high', 'medium', 'low'] as const;
export const STATUSES = ['received', 'under-assessment', 'intervention', 'referred', 'closed'] as const;
export const SECTION_NAMES = ['identity', 'report', 'assessment', 'reporter', 'police'] as const;

export const CategorySchema = z.enum(CATEGORIES);
export const UrgencySchema = z.enum(URGENCIES);
export const StatusSchema = z.enum(STATUSES);
export const SectionNameSchema = z.enum(SECTION_NAMES);
export type SectionName = z.infer<typeof SectionNameSchema>;
export type Urgency = z.infer<typeof UrgencySchema>;

export const EMIRATES = [
  'abu-dhabi',
  'dubai',
  'sharjah',
  'ajman',
  'umm-al-quwain',
  'ras-al-khaimah',
  'fujairah',
] as const;

/** Emirate and city at most: metadata is in clear and must not locate a family. */
export const RegionSchema = z
  .strictObject({ emirate: z.enum(EMIRATES), city: optionalText(80) })
  .meta({ id: 'Region' });

const IsoDateSchema = z.iso.date();
const IsoDateTimeSchema = z.iso.datetime({ offset: true });
const NationalIdSchema = z
  .string()
  .regex(/^[0-9٠-٩-]{5,20}$/, 'a national id is 5-20 digits (Arabic-Indic digits allowed) and hyphens');

export const PersonNameSchema = z
  .strictObject({ ar: optionalText(200), en: optionalText(200) })
  .refine((name) => name.ar !== undefined || name.en !== undefined, 'give the name in Arabic or Latin script')
  .meta({ id: 'PersonName' });

const ChildSchema = z.strictObject({
  name: PersonNameSchema,
  nationalId: NationalIdSchema.optional(),
  dateOfBirth: IsoDateSchema.optional(),
  sex: z.enum(['female', 'male', 'unknown']).optional(),
  nationality: optionalText(80),
  school: optionalText(200),
});

const FamilyMemberSchema = z.strictObject({
  name: PersonNameSchema,
  relation: z.enum([
    'mother',
    'father',
    'guardian',
    'sibling',
    'grandparent',
    'step-parent',
    'relative',
    'other',
  ]),
  nationalId: NationalIdSchema.optional(),
  dateOfBirth: IsoDateSchema.optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ]{6,20}$/)
    .optional(),
  livesWithChild: z.boolean().optional(),
});

const AddressSchema = z.strictObject({
  emirate: z.enum(EMIRATES),
  city: text(80),
  area: optionalText(120),
  street: optionalText(200),
  building: optionalText(120),
  notes: optionalText(1000),
});

export const IdentitySectionSchema = z
  .strictObject({
    children: z.array(ChildSchema).min(1).max(20),
    familyMembers: z.array(FamilyMemberSchema).max(30).default([]),
    addresses: z.array(AddressSchema).max(10).default([]),
  })
  .meta({ id: 'IdentitySection' });

export const ReportSectionSchema = z
  .strictObject({
    receivedAt: IsoDateTimeSchema,
    channel: z.enum(['hotline', 'email', 'in-person', 'school', 'hospital', 'police', 'app', 'other']),
    incidentDate: IsoDateSchema.optional(),
    location: optionalText(500),
    narrative: text(20_000),
    concerns: z.array(text(200)).max(20).default([]),
  })
  .meta({ id: 'ReportSection' });

export const AssessmentSectionSchema = z
  .strictObject({
    riskLevel: z.enum(['low', 'medium', 'high', 'critical']),
    summary: text(10_000),
    findings: z.array(text(2000)).max(50).default([]),
    recommendations: optionalText(10_000),
    assessedAt: IsoDateTimeSchema.optional(),
    assessedBy: optionalText(128),
  })
  .meta({ id: 'AssessmentSection' });

export const ReporterSectionSchema = z
  .strictObject({
    anonymous: z.boolean(),
    name: PersonNameSchema.optional(),
    relationToChild: optionalText(120),
    phone: z
      .string()
      .regex(/^\+?[0-9 ]{6,20}$/)
      .optional(),
    email: z.email().max(254).optional(),
    notes: optionalText(5000),
  })
  .meta({ id: 'ReporterSection', description: 'Sealed: shared only when named explicitly.' });

export const PoliceSectionSchema = z
  .strictObject({
    reportNumber: optionalText(64),
    actions: z
      .array(
        z.strictObject({
          at: IsoDateTimeSchema,
          action: text(2000),
          outcome: optionalText(2000),
          officerId: optionalText(128),
        }),
      )
      .max(100)
      .default([]),
    outcome: optionalText(5000),
  })
  .meta({ id: 'PoliceSection' });

export const SectionsSchema = z
  .strictObject({
    identity: IdentitySectionSchema.optional(),
    report: ReportSectionSchema.optional(),
    assessment: AssessmentSectionSchema.optional(),
    reporter: ReporterSectionSchema.optional(),
    police: PoliceSectionSchema.optional(),
  })
  .meta({ id: 'Sections' });
export type Sections = z.infer<typeof SectionsSchema>;

export const CaseIdSchema = z.uuid({ version: 'v4', message: 'a case id is a UUID' });

export const CreateCaseBodySchema = z
  .strictObject({
    category: CategorySchema,
    urgency: UrgencySchema,
    region: RegionSchema,
    status: StatusSchema.default('received'),
    sections: SectionsSchema.refine((s) => s.report !== undefined, {
      message: 'a new case needs its report section',
      path: ['report'],
    }),
  })
  .meta({ id: 'CreateCase' });
export type CreateCaseBody = z.infer<typeof CreateCaseBodySchema>;

/** `null` for a section removes it; absent leaves it as it is. */
export const UpdateCaseBodySchema = z
  .strictObject({
    category: CategorySchema.optional(),
    urgency: UrgencySchema.optional(),
    region: RegionSchema.optional(),
    status: StatusSchema.optional(),
    sections: z
      .strictObject({
        identity: IdentitySectionSchema.nullable().optional(),
        report: ReportSectionSchema.optional(),
        assessment: AssessmentSectionSchema.nullable().optional(),
        reporter: ReporterSectionSchema.nullable().optional(),
        police: PoliceSectionSchema.nullable().optional(),
      })
      .optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'nothing to update')
  .meta({ id: 'UpdateCase' });
export type UpdateCaseBody = z.infer<typeof UpdateCaseBodySchema>;

export const NoteBodySchema = z
  .strictObject({
    kind: z.enum(['update', 'police-response', 'outcome', 'other']).default('update'),
    text: text(MAX_NOTE_CHARACTERS),
  })
  .meta({ id: 'CreateNote' });
export type NoteBody = z.infer<typeof NoteBodySchema>;

export const CaseMetadataSchema = z
  .strictObject({
    caseId: CaseIdSchema,
    ownerAgency: AgencyIdSchema,
    category: CategorySchema,
    urgency: UrgencySchema,
    status: StatusSchema,
    region: RegionSchema,
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    version: z.number().int().positive(),
  })
  .meta({ id: 'CaseMetadata' });
export type CaseMetadata = z.infer<typeof CaseMetadataSchema>;

export const NoteViewSchema = z
  .strictObject({
    noteId: z.uuid(),
    agency: AgencyIdSchema,
    user: z.string().max(128),
    kind: NoteBodySchema.shape.kind,
    text: z.string().max(MAX_NOTE_CHARACTERS),
    createdAt: IsoDateTimeSchema,
  })
  .meta({ id: 'Note' });
export type NoteView = z.infer<typeof NoteViewSchema>;

/** Where the notes a case read leaves out are paged: `/v1/cases/{caseId}/notes?cursor=…`. */
export const NotesLinkSchema = z
  .string()
  .max(2100)
  .regex(/^\/v1\/cases\/[0-9a-f-]{36}\/notes\?cursor=[\w-]+$/)
  .meta({ description: 'The older notes: GET this path (with X-Himaya-Purpose) to page on.' });

export const CaseViewSchema = CaseMetadataSchema.extend({
  sections: SectionsSchema,
  notes: z
    .array(NoteViewSchema)
    .max(MAX_NOTES_IN_CASE_READ)
    .meta({
      description: `The newest notes the caller may read, at most ${MAX_NOTES_IN_CASE_READ} (configured).`,
    }),
  notesNext: NotesLinkSchema.optional(),
}).meta({ id: 'Case' });
export type CaseView = z.infer<typeof CaseViewSchema>;

export const CaseParamsSchema = z.strictObject({ caseId: CaseIdSchema });

export const ListNotesQuerySchema = z.strictObject(
  pagingQuery({ max: MAX_NOTES_PAGE, default: MAX_NOTES_PAGE }),
);

export const NoteListSchema = z
  .strictObject({
    items: z.array(NoteViewSchema).max(MAX_NOTES_PAGE),
    nextCursor: CursorSchema.optional(),
  })
  .meta({ id: 'NoteList' });
export type NoteList = z.infer<typeof NoteListSchema>;

export const ListCasesQuerySchema = z.strictObject({
  status: StatusSchema.optional(),
  urgency: UrgencySchema.optional(),
  category: CategorySchema.optional(),
  updatedSince: IsoDateTimeSchema.optional(),
  ...pagingQuery({ max: 100, default: 25 }),
});
export type ListCasesQuery = z.infer<typeof ListCasesQuerySchema>;

export const CaseListSchema = pageSchema(CaseMetadataSchema, 'CaseList');
