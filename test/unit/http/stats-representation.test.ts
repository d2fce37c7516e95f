import { describe, expect, it } from 'vitest';
import type { StatsTable } from '../../../src/domain/stats/build-table';
import { statsResponse, wantsCsv } from '../../../src/http/stats-representation';

const TABLE: StatsTable = {
  table: 'escalations',
  title: 'Escalations (missed deadlines) by urgency',
  scope: 'all-agencies',
  from: '2026-11',
  to: '2026-11',
  panels: [
    {
      rowDimension: 'Urgency',
      columns: [{ key: 'total', label: 'Total', unit: 'count', total: true }],
      rows: [{ key: 'total', label: 'Total', total: true, cells: [{ suppressed: true }] }],
    },
  ],
};

describe('wantsCsv', () => {
  it.each([
    ['text/csv', true],
    ['text/csv;q=0.9, application/json', false],
    ['application/json;q=0.5, text/csv', true],
    ['text/*', true],
    ['*/*', false],
    ['text/html', false],
    ['TEXT/CSV', true],
    ['text/csv;q=0', false],
  ])('Accept %s → CSV %s', (accept, csv) => {
    expect(wantsCsv('json', accept)).toBe(csv);
  });

  it('answers CSV for format=csv whatever Accept says, and JSON without Accept', () => {
    expect(wantsCsv('csv', 'application/json')).toBe(true);
    expect(wantsCsv('json', undefined)).toBe(false);
  });
});

describe('statsResponse', () => {
  it('gives each representation its own ETag, and 304 with the validators to a matching If-None-Match', () => {
    const json = statsResponse(TABLE, 'json', {});
    const csv = statsResponse(TABLE, 'json', { accept: 'text/csv' });
    const etag = json.headers?.ETag as string;
    expect(csv.body).toBe('Urgency,Total\r\nTotal,[c]\r\n');
    expect(csv.headers?.ETag).not.toBe(etag);
    const weak = statsResponse(TABLE, 'json', { 'if-none-match': `"other", W/${etag}` });
    expect(weak).toEqual({ status: 304, headers: json.headers });
    expect(json.headers?.['Cache-Control']).toBe('private, max-age=60');
  });
});
