import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, saveScreenshot } from '../support/browser';
import { minimalCaseBody } from '../support/cases';
import { openCase, settledBadge, signIn } from '../support/console';
import { fetchChecked } from '../support/contract';
import { type OwnAuditStack, startOwnAuditStack } from '../support/own-audit-stack';

interface ListedEvent {
  eventId: string;
  action: string;
  user: string | null;
}

/**
 * The console's verification against a log changed beneath the API, on a stack of this file's own (the
 * shared one must stay intact): a stored event edited in DynamoDB, and a checkpoint this browser verified
 * before that the log no longer extends. Each must turn the badge to "failed", naming what failed.
 */
describe('the compliance console on a tampered log', { timeout: 120_000 }, () => {
  let stack: OwnAuditStack;
  let browser: Browser;
  let page: Page;
  let caseId: string;
  let password: string;

  const showCase = async () => {
    await page.click('form.inline-form button[type="submit"]');
    return settledBadge(page);
  };
  const caseEvents = async (): Promise<ListedEvent[]> => {
    const response = await fetchChecked(`${stack.local.endpoints.gateway}/v1/audit/events?caseId=${caseId}`, {
      headers: { authorization: `Bearer ${stack.compliance}`, 'x-himaya-user': 'auditor-1' },
    });
    return ((await response.json()) as { items: ListedEvent[] }).items;
  };

  /** The badge on the case, in a page whose config.json pins `fingerprint` instead of the served one. */
  const badgeWithPinned = async (fingerprint: string | null) => {
    const gateway = stack.local.endpoints.gateway;
    const config = (await (await fetch(`${gateway}/console/config.json`)).json()) as Record<string, unknown>;
    const { page: pinned } = await openPage(browser);
    await pinned.setRequestInterception(true);
    pinned.on('request', (request) => {
      if (new URL(request.url()).pathname !== '/console/config.json') return void request.continue();
      const body = JSON.stringify({ ...config, checkpointKeyFingerprint: fingerprint });
      return void request.respond({ status: 200, contentType: 'application/json', body });
    });
    try {
      await signIn(pinned, gateway, 'amal.officer', password);
      await openCase(pinned, caseId);
      return await settledBadge(pinned);
    } finally {
      await pinned.close();
    }
  };

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startOwnAuditStack('console-tamper'), launchBrowser()]);
    const gateway = stack.local.endpoints.gateway;
    const cfpc = await stack.local.issuer.issue('cfpc');
    const created = await fetchChecked(`${gateway}/v1/cases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${cfpc}`,
        'x-himaya-user': 'caseworker-2',
        'content-type': 'application/json',
      },
      body: JSON.stringify(minimalCaseBody()),
    });
    caseId = ((await created.json()) as { caseId: string }).caseId;
    const read = await fetchChecked(`${gateway}/v1/cases/${caseId}`, {
      headers: {
        authorization: `Bearer ${cfpc}`,
        'x-himaya-user': 'caseworker-2',
        'x-himaya-purpose': 'child-protection',
      },
    });
    expect(read.status).toBe(200);
    await stack.settled();
    ({ page } = await openPage(browser));
    password = stack.local.officers.find((account) => account.username === 'amal.officer')
      ?.password as string;
    await signIn(page, gateway, 'amal.officer', password);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('verifies the case’s events while the log is intact', async () => {
    await openCase(page, caseId);
    const badge = await settledBadge(page);

    expect(badge.state, badge.text).toBe('verified');
  });

  it('fails when the log no longer extends the checkpoint this browser verified before, naming it', async () => {
    const remembered = await page.evaluate(() => {
      const storage = (globalThis as unknown as { localStorage: Storage }).localStorage;
      const key = Object.keys(storage).find((name) =>
        name.startsWith('himaya-console:verified-checkpoint:'),
      ) as string;
      const value = storage.getItem(key) as string;
      // Another root at the same size: a log that shows this browser a different history than before.
      storage.setItem(key, JSON.stringify({ ...JSON.parse(value), rootHash: btoa('x'.repeat(32)) }));
      return { key, value: JSON.parse(value) as { size: number } };
    });
    const badge = await showCase();

    expect(badge.state).toBe('failed');
    expect(badge.text).toMatch(new RegExp(`checkpoint of size \\d+: .*size ${remembered.value.size}`));
    await saveScreenshot(page, 'failed-consistency-en');
    // What this browser remembered stays as it was: the failure is reported again on the next look.
    const kept = await page.evaluate(
      (key: string) => (globalThis as unknown as { localStorage: Storage }).localStorage.getItem(key),
      remembered.key,
    );
    expect(JSON.parse(kept as string).rootHash).toBe(btoa('x'.repeat(32)));
    await page.evaluate(
      (key: string) => (globalThis as unknown as { localStorage: Storage }).localStorage.removeItem(key),
      remembered.key,
    );
  });

  it('refuses a log whose key is not the pinned one, takes a pin written as bare hex, and claims nothing with none', async () => {
    const gateway = stack.local.endpoints.gateway;
    const config = (await (await fetch(`${gateway}/console/config.json`)).json()) as Record<string, string>;
    const served = String(config.checkpointKeyFingerprint);
    const [otherKey, bareHex, none] = await Promise.all([
      badgeWithPinned(`SHA256:${'0'.repeat(64)}`),
      badgeWithPinned(served.replace(/^SHA256:/, '')),
      badgeWithPinned(null),
    ]);

    expect(otherKey.state).toBe('failed');
    expect(otherKey.text).toContain(`the log’s signing key is not the pinned key (fingerprint ${served})`);
    expect(bareHex.state, bareHex.text).toBe('verified');
    // With no key pinned (a stack deployed before its operator pinned one) nothing is claimed.
    expect(none.state).toBe('unconfigured');
    expect(none.text).toContain('Verification is not configured');
  });

  it('fails when a stored event was edited, naming the event', async () => {
    const read = (await caseEvents()).find((event) => event.action === 'case.read') as ListedEvent;
    await stack.table.documents.send(
      new UpdateCommand({
        TableName: stack.table.tableName,
        Key: { pk: `EVENT#${read.eventId}`, sk: 'EVENT' },
        UpdateExpression: 'SET #user = :user',
        ExpressionAttributeNames: { '#user': 'user' },
        ExpressionAttributeValues: { ':user': 'someone-else' },
      }),
    );
    const badge = await showCase();
    const proof = await page.$eval(`tr[data-event-id="${read.eventId}"] [data-proof]`, (cell) =>
      cell.getAttribute('data-proof'),
    );

    expect(badge.state).toBe('failed');
    expect(badge.text).toContain(`event ${read.eventId}`);
    expect(proof).toBe('failed');
    await saveScreenshot(page, 'failed-event-en');
  });
});
