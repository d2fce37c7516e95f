/**
 * Every string the console shows, in English and Arabic. A key missing from either language is a type
 * error, so the two cannot drift apart.
 */
export const LANGUAGES = ['en', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

const en = {
  appTitle: 'Himaya compliance console',
  skipToContent: 'Skip to content',
  switchLanguage: 'العربية',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInIntro:
    'Sign in as a compliance officer to review the access log, the review queue and the evidence for a case.',
  signingIn: 'Signing in…',
  signedInAs: 'Signed in as',
  signInFailed: 'Sign-in failed',
  sessionExpired: 'Your session has ended. Sign in again.',
  stateMismatch: 'The sign-in answer does not match the sign-in this page started; nothing was used.',
  configFailed: 'The console could not load its configuration.',
  navLabel: 'Views',
  navTimeline: 'Access timeline',
  navCase: 'Who opened a case',
  navReviews: 'Review queue',
  // Verification badge
  verification: 'Log verification',
  verifying: 'Verifying…',
  verified: 'Verified',
  verifiedDetail: 'tree size {size}, checked {time}',
  verifiedEvents: '{count} events shown proved included',
  notYetSealed: '{count} not yet sealed',
  failed: 'Failed',
  failedEvent: 'event {id}: {reason}',
  failedCheckpoint: 'checkpoint of size {size}: {reason}',
  failedKey: 'the log’s signing key is not the pinned key (fingerprint {fingerprint})',
  failedOrigin: 'the checkpoint is for the log “{origin}”, not this log',
  failedSignature: 'the signature does not verify',
  failedConsistency:
    'it does not extend the checkpoint of size {older} this browser verified before (it must never shrink or change)',
  failedInclusion: 'its inclusion proof does not match the signed root',
  failedUnavailable: 'the log refused a proof ({status})',
  notVerified: 'Not verified yet',
  reverify: 'Verify again',
  notConfigured: 'Verification is not configured: no checkpoint signing key is pinned for this console.',
  // Filters
  filters: 'Filters',
  caseId: 'Case id',
  agency: 'Agency',
  officer: 'Officer',
  action: 'Action',
  outcome: 'Outcome',
  outcomeAny: 'Any',
  outcomeAllowed: 'Allowed (2xx)',
  outcomeDenied: 'Refused (4xx)',
  outcomeFailed: 'Failed (5xx)',
  from: 'From',
  to: 'To',
  apply: 'Show events',
  showReviews: 'Show reviews',
  reset: 'Clear filters',
  loadMore: 'Load more',
  // Tables
  timelineCaption: 'Access log events, oldest first',
  time: 'Time',
  resource: 'Resource',
  purpose: 'Purpose',
  eventId: 'Event',
  proof: 'Proof',
  proofOk: 'included',
  proofFailed: 'failed',
  proofPending: 'not yet sealed',
  proofChecking: 'checking',
  proofUnverified: 'not verified',
  noEvents: 'No events match these filters.',
  loadingEvents: 'Loading events…',
  eventsLoaded: '{count} events shown.',
  // Case view
  caseTitle: 'Who opened this case',
  caseLookup: 'Show',
  caseIdHint: 'A case id, e.g. 0b6f…-…',
  caseInvalid: 'Enter a case id (a UUID).',
  openedBy: 'Opened by',
  openedByCaption: 'Officers who read this case, by agency and purpose',
  reads: 'Reads',
  firstRead: 'First',
  lastRead: 'Last',
  nobodyOpened: 'Nobody has read this case.',
  allCaseEvents: 'Every event of this case',
  downloadEvidence: 'Download evidence bundle',
  buildingEvidence: 'Building the evidence bundle…',
  evidenceReady: 'Evidence bundle of {count} events downloaded ({file}).',
  evidenceFailed: 'The evidence bundle could not be built: {reason}',
  // Reviews
  reviewsTitle: 'Review queue',
  reviewsCaption: 'Items awaiting compliance review',
  status: 'Status',
  statusOpen: 'Open',
  statusClosed: 'Closed',
  priority: 'Priority',
  priorityAny: 'Any',
  priorityHigh: 'High',
  priorityNormal: 'Normal',
  kind: 'Kind',
  kindAny: 'Any',
  'kind.emergency-access': 'Emergency access',
  'kind.overdue-request': 'Overdue request',
  'kind.overdue-report': 'Overdue report',
  'flag.after-revocation': 'after revocation',
  'purpose.child-protection': 'Child protection',
  'purpose.criminal-investigation': 'Criminal investigation',
  'purpose.emergency': 'Emergency',
  'purpose.research': 'Research',
  created: 'Created',
  due: 'Due',
  justification: 'Justification',
  details: 'Details',
  closure: 'Closure',
  closeReview: 'Close review',
  closeReviewFor: 'Close the review of case {caseId}',
  finding: 'Finding',
  findingHint: 'What you found, in a sentence or more.',
  'outcome.justified': 'Justified',
  'outcome.not-justified': 'Not justified',
  'outcome.referred': 'Referred',
  submitClose: 'Close this review',
  cancel: 'Cancel',
  reviewClosed: 'Review of case {caseId} closed as “{outcome}”.',
  noReviews: 'Nothing awaits review.',
  loadingReviews: 'Loading reviews…',
  reviewsLoaded: '{count} review items shown.',
  closedBy: 'closed by {officer} on {time}',
  // Errors
  requestFailed: 'The request failed: {reason}',
  networkFailed: 'The API could not be reached.',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

const ar: Messages = {
  appTitle: 'حماية — وحدة الامتثال',
  skipToContent: 'انتقل إلى المحتوى',
  switchLanguage: 'English',
  signIn: 'تسجيل الدخول',
  signOut: 'تسجيل الخروج',
  signInIntro: 'سجّل الدخول بصفتك موظف امتثال لمراجعة سجل الوصول وقائمة المراجعة وأدلة أي حالة.',
  signingIn: 'جارٍ تسجيل الدخول…',
  signedInAs: 'مسجّل الدخول باسم',
  signInFailed: 'تعذّر تسجيل الدخول',
  sessionExpired: 'انتهت جلستك. سجّل الدخول مرة أخرى.',
  stateMismatch: 'ردّ تسجيل الدخول لا يطابق الطلب الذي بدأته هذه الصفحة؛ لم يُستخدم شيء منه.',
  configFailed: 'تعذّر على الوحدة تحميل إعداداتها.',
  navLabel: 'العروض',
  navTimeline: 'سجل الوصول',
  navCase: 'من فتح الحالة',
  navReviews: 'قائمة المراجعة',
  verification: 'التحقق من السجل',
  verifying: 'جارٍ التحقق…',
  verified: 'تم التحقق',
  verifiedDetail: 'حجم الشجرة {size}، فُحص في {time}',
  verifiedEvents: 'ثبت تضمين {count} من الأحداث المعروضة',
  notYetSealed: '{count} لم تُختم بعد',
  failed: 'فشل التحقق',
  failedEvent: 'الحدث {id}: {reason}',
  failedCheckpoint: 'نقطة التحقق بحجم {size}: {reason}',
  failedKey: 'مفتاح توقيع السجل ليس المفتاح المثبّت (البصمة {fingerprint})',
  failedOrigin: 'نقطة التحقق تخص السجل «{origin}» وليس هذا السجل',
  failedSignature: 'التوقيع غير صحيح',
  failedConsistency:
    'لا تمتد من نقطة التحقق بحجم {older} التي تحقق منها هذا المتصفح سابقًا (لا يجوز أن يتقلص السجل أو يتغير)',
  failedInclusion: 'إثبات تضمينه لا يطابق الجذر الموقَّع',
  failedUnavailable: 'رفض السجل تقديم إثبات ({status})',
  notVerified: 'لم يتم التحقق بعد',
  reverify: 'تحقق مرة أخرى',
  notConfigured: 'التحقق غير مُعدّ: لم يُثبَّت مفتاح توقيع نقاط التحقق لهذه الوحدة.',
  filters: 'عوامل التصفية',
  caseId: 'رقم الحالة',
  agency: 'الجهة',
  officer: 'الموظف',
  action: 'الإجراء',
  outcome: 'النتيجة',
  outcomeAny: 'الكل',
  outcomeAllowed: 'مسموح (2xx)',
  outcomeDenied: 'مرفوض (4xx)',
  outcomeFailed: 'فشل (5xx)',
  from: 'من',
  to: 'إلى',
  apply: 'اعرض الأحداث',
  showReviews: 'اعرض المراجعات',
  reset: 'امسح عوامل التصفية',
  loadMore: 'حمّل المزيد',
  timelineCaption: 'أحداث سجل الوصول، الأقدم أولًا',
  time: 'الوقت',
  resource: 'المورد',
  purpose: 'الغرض',
  eventId: 'الحدث',
  proof: 'الإثبات',
  proofOk: 'مُضمَّن',
  proofFailed: 'فشل',
  proofPending: 'لم يُختم بعد',
  proofChecking: 'قيد الفحص',
  proofUnverified: 'لم يُتحقق منه',
  noEvents: 'لا توجد أحداث تطابق عوامل التصفية هذه.',
  loadingEvents: 'جارٍ تحميل الأحداث…',
  eventsLoaded: 'عُرض {count} من الأحداث.',
  caseTitle: 'من فتح هذه الحالة',
  caseLookup: 'اعرض',
  caseIdHint: 'رقم حالة، مثل 0b6f…-…',
  caseInvalid: 'أدخل رقم حالة صحيحًا (UUID).',
  openedBy: 'فتحها',
  openedByCaption: 'الموظفون الذين اطلعوا على هذه الحالة، حسب الجهة والغرض',
  reads: 'مرات الاطلاع',
  firstRead: 'الأول',
  lastRead: 'الأخير',
  nobodyOpened: 'لم يطّلع أحد على هذه الحالة.',
  allCaseEvents: 'كل أحداث هذه الحالة',
  downloadEvidence: 'نزّل حزمة الأدلة',
  buildingEvidence: 'جارٍ إعداد حزمة الأدلة…',
  evidenceReady: 'نُزّلت حزمة أدلة من {count} حدثًا ({file}).',
  evidenceFailed: 'تعذّر إعداد حزمة الأدلة: {reason}',
  reviewsTitle: 'قائمة المراجعة',
  reviewsCaption: 'بنود بانتظار مراجعة الامتثال',
  status: 'الحالة',
  statusOpen: 'مفتوحة',
  statusClosed: 'مغلقة',
  priority: 'الأولوية',
  priorityAny: 'الكل',
  priorityHigh: 'عالية',
  priorityNormal: 'عادية',
  kind: 'النوع',
  kindAny: 'الكل',
  'kind.emergency-access': 'وصول طارئ',
  'kind.overdue-request': 'طلب متأخر',
  'kind.overdue-report': 'بلاغ متأخر',
  'flag.after-revocation': 'بعد الإلغاء',
  'purpose.child-protection': 'حماية الطفل',
  'purpose.criminal-investigation': 'تحقيق جنائي',
  'purpose.emergency': 'طوارئ',
  'purpose.research': 'بحث',
  created: 'أُنشئ',
  due: 'الاستحقاق',
  justification: 'المبرر',
  details: 'التفاصيل',
  closure: 'الإغلاق',
  closeReview: 'أغلق المراجعة',
  closeReviewFor: 'إغلاق مراجعة الحالة {caseId}',
  finding: 'النتيجة المكتوبة',
  findingHint: 'ما توصلت إليه، في جملة أو أكثر.',
  'outcome.justified': 'مبرَّر',
  'outcome.not-justified': 'غير مبرَّر',
  'outcome.referred': 'أُحيل',
  submitClose: 'أغلق هذه المراجعة',
  cancel: 'إلغاء',
  reviewClosed: 'أُغلقت مراجعة الحالة {caseId} بنتيجة «{outcome}».',
  noReviews: 'لا يوجد ما ينتظر المراجعة.',
  loadingReviews: 'جارٍ تحميل المراجعات…',
  reviewsLoaded: 'عُرض {count} من بنود المراجعة.',
  closedBy: 'أغلقها {officer} في {time}',
  requestFailed: 'فشل الطلب: {reason}',
  networkFailed: 'تعذّر الوصول إلى الواجهة البرمجية.',
};

const MESSAGES: Record<Language, Messages> = { en, ar };
const LANGUAGE_KEY = 'himaya-console:language';

let current: Language = initialLanguage();

function initialLanguage(): Language {
  const saved = localStorage.getItem(LANGUAGE_KEY);
  if (saved === 'en' || saved === 'ar') return saved;
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export function language(): Language {
  return current;
}

/** Switches the language of the page: `lang`, `dir`, and what the next render shows. */
export function setLanguage(next: Language): void {
  current = next;
  localStorage.setItem(LANGUAGE_KEY, next);
  applyLanguage();
}

export function applyLanguage(): void {
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr';
  document.title = t('appTitle');
}

/** The message in the current language, with `{name}` placeholders filled in (as text, never markup). */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return MESSAGES[current][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

const PURPOSES = ['child-protection', 'criminal-investigation', 'emergency', 'research'];

/** A purpose the API knows, in words; anything else as it was recorded; none as a dash. */
export function purposeText(purpose: string | null | undefined): string {
  if (!purpose) return '—';
  return PURPOSES.includes(purpose) ? t(`purpose.${purpose}` as MessageKey) : purpose;
}

/** The officer's locale for dates: their browser's own when it is of the language shown. */
function locale(): string {
  const own = navigator.languages.find((tag) => tag.toLowerCase().startsWith(current));
  return own ?? (current === 'ar' ? 'ar-AE' : 'en-GB');
}

export function formatTime(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(locale()).format(value);
}
