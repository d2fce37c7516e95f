import type { Page } from 'puppeteer-core';
import { waitFor } from './audit-log';
import { waitForText } from './browser';

/** Helpers for driving the compliance console in a browser, the way an officer would. */

interface ListedEvent {
  eventId: string;
  leafIndex?: number;
}

/** Waits until every event of the case is in a signed checkpoint, so the console can prove each one. */
export async function waitUntilCaseSealed(
  gateway: string,
  compliance: string,
  caseId: string,
): Promise<number> {
  const headers = { authorization: `Bearer ${compliance}`, 'x-himaya-user': 'auditor-1' };
  return waitFor(
    `every event of case ${caseId} sealed`,
    async () => {
      const listing = await fetch(`${gateway}/v1/audit/events?caseId=${caseId}&limit=500`, { headers });
      const events = ((await listing.json()) as { items: ListedEvent[] }).items;
      const checkpoint = await fetch(`${gateway}/v1/audit/checkpoint`, { headers });
      if (!checkpoint.ok) return undefined;
      const size = Number((await checkpoint.text()).split('\n')[1]);
      return events.every((e) => e.leafIndex !== undefined && e.leafIndex < size) ? events.length : undefined;
    },
    60_000,
  );
}

/**
 * Signs in: the console sends the browser to the issuer's sign-in form, the officer types a name and a
 * password, and the issuer sends the browser back to the console with a code.
 */
export async function signIn(page: Page, gateway: string, username: string, password: string): Promise<void> {
  await page.goto(`${gateway}/console/`);
  await page.waitForSelector('main.sign-in button');
  await Promise.all([page.waitForNavigation(), page.click('main.sign-in button')]);
  await page.waitForSelector('input[name="username"]');
  await page.type('input[name="username"]', username);
  await page.type('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await waitForText(page, '.officer-name', new RegExp(username.replace(/\./g, '\\.')));
}

/** The badge's state once verification is over: verified, failed, or not configured (with its text). */
export async function settledBadge(page: Page): Promise<{ state: string; text: string }> {
  // State and text are read in the one evaluation that finds the check settled: a second read could see
  // the next check already running.
  const settled = await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as {
        document: {
          querySelector(
            s: string,
          ): { getAttribute(n: string): string | null; textContent: string | null } | null;
        };
      };
      const badge = document.querySelector('#verification');
      const state = badge?.getAttribute('data-state');
      const done = state === 'verified' || state === 'failed' || state === 'unconfigured';
      return done ? { state, text: badge?.textContent ?? '' } : false;
    },
    { timeout: 60_000 },
  );
  return (await settled.jsonValue()) as { state: string; text: string };
}

/**
 * Shows the events of one case on the case view, and returns once the console has handled the change of
 * fragment (its listener, added first, has run and started the view's check): a badge read next belongs
 * to the case's view, not to the one before.
 */
export async function openCase(page: Page, caseId: string): Promise<void> {
  // A change of the fragment only: a reload would drop the token, which lives in the page's memory.
  await page.evaluate((id: string) => {
    const window = globalThis as unknown as {
      location: { hash: string };
      addEventListener(type: string, listener: () => void, options: { once: boolean }): void;
    };
    const target = `#/case/${id}`;
    if (window.location.hash === target) return undefined;
    return new Promise<void>((resolve) => {
      window.addEventListener('hashchange', () => resolve(), { once: true });
      window.location.hash = target;
    });
  }, caseId);
}
