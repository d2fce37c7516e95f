/** The national id in every canary identity section; like the run's marker, it must never be stored in clear. */
export const CANARY_NATIONAL_ID = '784-2015-1234567-1';

/**
 * What the scan after the suite looks for: the run's marker and the canary national id as written, and as
 * the matching normaliser writes them before they are MACed (the id as digits only, the marker in lower
 * case without its hyphen), and the domain prefix of every blind-index input: none of them may reach a
 * table, an index entry included, in clear.
 */
export function canaryNeedles(marker: string): string[] {
  return [
    marker,
    marker.toLowerCase().replaceAll('-', ''),
    CANARY_NATIONAL_ID,
    CANARY_NATIONAL_ID.replaceAll('-', ''),
    'himaya/bi/v1|',
  ];
}
