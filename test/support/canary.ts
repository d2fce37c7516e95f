/** The national id in every canary identity section; like the run's marker, it must never be stored in clear. */
export const CANARY_NATIONAL_ID = '784-2015-1234567-1';
