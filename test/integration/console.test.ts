import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCli, waitFor } from '../support/audit-log';
import { launchBrowser, openPage, saveScreenshot, seriousViolations, waitForText } from '../support/browser';
import { fullCaseBody, minimalCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { openCase, settledBadge, signIn, waitUntilCaseSealed } from '../support/console';
import { createCase, share } from '../support/exchange';
import { officerPassword } from '../support/sign-in';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

const OFFICER = 'salem.officer';
/** Events on one page of the console's timeline. */
const TIMELINE_PAGE = 50;
const PAGED_OFFICER = `pager-${randomUUID().slice(0, 8)}`;

/** What a justification would run if the console ever parsed it as markup. */
const SCRIPT_JUSTIFICATION =
  'Missing child <script>window.__himayaInjected = 1</script><img src=x onerror="window.__himayaInjected = 2">';

/**
 * The compliance console in a real browser (headless Chromium) on the shared stack: an officer signs in,
 * finds who opened a case made in this file, closes the review of an emergency access to it, sees the
 * log verified, and downloads the case's evidence bundle, which the CLI accepts. Each view passes axe in
 * English and in Arabic.
 */
describe('the compliance console', { timeout: 120_000 }, () => {
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let caseId: string;
  let reviewId: string;
  let pagedCase: string;
  let highReviewCase: string;
  let downloads: string;

  beforeAll(async () => {
    [browser, caseId, downloads] = await Promise.all([
      launchBrowser(),
      createCase(cfpc, fullCaseBody()),
      mkdtemp(join(tmpdir(), 'himaya-console-downloads-')),
    ]);
    const read = await call('GET', `/v1/cases/${caseId}`, {
      token: cfpc,
      user: 'caseworker-4',
      purpose: 'child-protection',
    });
    expect(read.status).toBe(200);
    // Before any grant the police may not read it: a refusal, logged, that opened nothing.
    const refused = await call('GET', `/v1/cases/${caseId}`, {
      token: police,
      user: 'officer-12',
      purpose: 'criminal-investigation',
    });
    expect(refused.status).toBe(404);
    const access = await call('POST', `/v1/cases/${caseId}/emergency-access`, {
      token: police,
      user: 'officer-12',
      purpose: 'emergency',
      body: { justification: SCRIPT_JUSTIFICATION, sections: ['identity', 'report'] },
    });
    expect(access.status, access.text).toBe(201);
    const emergencyRead = await call('GET', `/v1/cases/${caseId}`, {
      token: police,
      user: 'officer-12',
      purpose: 'emergency',
    });
    expect(emergencyRead.status).toBe(200);
    const reviews = await call('GET', '/v1/audit/reviews?kind=emergency-access&limit=100', {
      token: compliance,
      user: 'auditor-1',
    });
    const items = reviews.json.items as { reviewId: string; caseId: string }[];
    reviewId = items.find((item) => item.caseId === caseId)?.reviewId as string;
    expect(reviewId).toBeDefined();
    // Emergency access soon after the owner revoked the police: on the queue at high priority.
    const revokedCase = await createCase(cfpc, minimalCaseBody());
    expect((await share(cfpc, revokedCase, { sections: ['report'] })).status).toBe(201);
    expect((await call('DELETE', `/v1/cases/${revokedCase}/shares/police`, { token: cfpc })).status).toBe(
      204,
    );
    const afterRevocation = await call('POST', `/v1/cases/${revokedCase}/emergency-access`, {
      token: police,
      user: 'officer-12',
      purpose: 'emergency',
      body: { justification: 'Child seen alone at the station tonight', sections: ['report'] },
    });
    expect(afterRevocation.status, afterRevocation.text).toBe(201);
    highReviewCase = revokedCase;
    // One more event by one officer than a page of the timeline holds.
    pagedCase = await createCase(cfpc, minimalCaseBody());
    for (let i = 0; i <= TIMELINE_PAGE; i++) {
      await call('GET', `/v1/cases/${pagedCase}`, {
        token: cfpc,
        user: PAGED_OFFICER,
        purpose: 'child-protection',
      });
    }
    await waitUntilCaseSealed(stack.gateway, compliance, caseId);
    await waitUntilCaseSealed(stack.gateway, compliance, pagedCase);
    ({ page, problems } = await openPage(browser));
    // Downloads land in a folder of this file's own, where the test reads them as the officer would.
    const session = await browser.target().createCDPSession();
    await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  });

  afterAll(async () => {
    await browser?.close();
    await rm(downloads, { recursive: true, force: true });
  });

  it('signs an officer in through the issuer’s form and shows the access timeline', async () => {
    // Not amal.officer: the sign-in tests enter a wrong password for her on this shared stack.
    await signIn(page, stack.gateway, OFFICER, await officerPassword(stack.officersFile, OFFICER));

    const stored = (await page.evaluate(
      'JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])',
    )) as string;

    // The token lives in the page's memory only: nothing like a JWT in either web storage.
    expect(stored).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(await page.$eval('html', (html) => [html.lang, html.dir])).toEqual(['en', 'ltr']);
    expect(await page.$('nav a[aria-current="page"]')).not.toBeNull();
    expect(problems).toEqual([]);
  });

  it('lists the events of a case on the timeline, each proved included, and the badge says verified', async () => {
    await page.type('input[name="caseId"]', caseId);
    await page.click('form.filters button[type="submit"]');
    const badge = await settledBadge(page);
    const rows = await page.$$eval('tbody tr[data-event-id]', (trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-event-id'),
        tr.querySelector('[data-proof]')?.getAttribute('data-proof'),
      ]),
    );

    expect(badge.state, badge.text).toBe('verified');
    expect(badge.text).toMatch(/tree size [\d,]+/);
    // Creation, the owner's read, the emergency access and the police read: at least these four.
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.every(([, proof]) => proof === 'included')).toBe(true);
    await saveScreenshot(page, 'timeline-en');
  });

  it('filters the timeline by officer and pages through it with the cursor, every event proved', async () => {
    await page.$eval('form.filters input[name="caseId"]', (input) => {
      (input as unknown as { value: string }).value = '';
    });
    await page.type('form.filters input[name="user"]', PAGED_OFFICER);
    await page.click('form.filters button[type="submit"]');
    const first = await settledBadge(page);
    const firstRows = await page.$$eval('tbody tr[data-event-id]', (trs) => trs.length);
    await page.click('.results > div > button');
    const second = await settledBadge(page);
    const rows = await page.$$eval('tbody tr[data-event-id]', (trs) =>
      trs.map((tr) => [
        tr.querySelector('.officer')?.textContent,
        tr.querySelector('[data-proof]')?.getAttribute('data-proof'),
      ]),
    );

    expect([first.state, second.state]).toEqual(['verified', 'verified']);
    expect(firstRows).toBe(TIMELINE_PAGE);
    expect(rows).toEqual(Array.from({ length: TIMELINE_PAGE + 1 }, () => [PAGED_OFFICER, 'included']));
    expect(await page.$('.results > div > button')).toBeNull();
  });

  it('filters the timeline by outcome through the listing: the refused read alone', async () => {
    await page.$eval('form.filters input[name="user"]', (input) => {
      (input as unknown as { value: string }).value = '';
    });
    await page.type('form.filters input[name="caseId"]', caseId);
    await page.select('form.filters select[name="outcome"]', 'denied');
    await page.click('form.filters button[type="submit"]');
    const badge = await settledBadge(page);
    const rows = await page.$$eval('tbody tr[data-event-id]', (trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td')]
          .slice(1, 4)
          .map((td) => td.textContent)
          .concat(tr.querySelector('.outcome')?.textContent ?? ''),
      ),
    );

    expect(badge.state, badge.text).toBe('verified');
    expect(rows).toEqual([['police', 'officer-12', 'case.read', '404']]);
    await page.select('form.filters select[name="outcome"]', '');
  });

  it('shows who opened the case: each agency, officer and purpose that read it', async () => {
    await openCase(page, caseId);
    await page.waitForSelector(shownIn('case-title'));
    const badge = await settledBadge(page);
    const openers = await page.$$eval('section[aria-labelledby="case-title"] table', (tables) =>
      [...(tables[0]?.querySelectorAll('tbody tr') ?? [])].map((tr) =>
        [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent),
      ),
    );

    expect(badge.state, badge.text).toBe('verified');
    expect(openers).toEqual(
      expect.arrayContaining([
        ['cfpc', 'caseworker-4', 'Child protection', '1'],
        ['police', 'officer-12', 'Emergency', '1'],
      ]),
    );
    // The refused read opened nothing.
    expect(openers.map((row) => row[2])).not.toContain('Criminal investigation');
    await saveScreenshot(page, 'case-en');
  });

  it('verifies again against a grown log: the newer checkpoint proved to extend the one verified before', async () => {
    const before = await rememberedCheckpoint(page);
    await call('GET', `/v1/cases/${caseId}`, {
      token: cfpc,
      user: 'caseworker-4',
      purpose: 'child-protection',
    });
    await waitUntilCaseSealed(stack.gateway, compliance, caseId);
    await page.click('button.reverify');
    const badge = await settledBadge(page);
    const after = await rememberedCheckpoint(page);

    expect(badge.state, badge.text).toBe('verified');
    expect(after.size).toBeGreaterThan(before.size);
    expect(badge.text).toContain(`tree size ${after.size.toLocaleString('en-GB')}`);
  });

  it('downloads the case’s evidence bundle, and the CLI verifies it offline', async () => {
    const button = await page.waitForSelector('xpath///button[contains(., "Download evidence bundle")]');
    await button?.click();
    await waitForText(page, '.status', /Evidence bundle of \d+ events downloaded/);
    const files = await waitFor('the downloaded bundle', async () => {
      const names = (await readdir(downloads)).filter((name) => name.endsWith('.json'));
      return names.length > 0 ? names : undefined;
    });

    expect(files).toHaveLength(1);
    const verified = await auditCli(['verify-bundle', join(downloads, files[0] as string)]);
    expect(verified.out.join('\n')).toMatch(new RegExp(`^verified: \\d+ events \\(caseId=${caseId}\\)`));
    expect(verified.code).toBe(0);
  });

  it('renders a justification holding markup as text, and runs none of it', async () => {
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/reviews';
    });
    const row = await page.waitForSelector(`tr[data-review-id="${reviewId}"]`);
    const shown = await row?.$eval('.justification', (p) => p.textContent);
    const injected = await page.evaluate(
      () => (globalThis as { __himayaInjected?: number }).__himayaInjected,
    );

    expect(shown).toContain(SCRIPT_JUSTIFICATION);
    expect(injected).toBeUndefined();
    expect(await page.$('.justification script, .justification img')).toBeNull();
    await saveScreenshot(page, 'reviews-en');
  });

  it('closes a review with the keyboard alone, recorded with its outcome, finding and officer', async () => {
    await page.focus(`tr[data-review-id="${reviewId}"] button`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('form.close-review textarea');
    // The form's heading has the focus; from there: the outcome, the finding, the button.
    const focused = [await activeElement(page)];
    await page.keyboard.press('Tab');
    focused.push(await activeElement(page));
    await page.keyboard.press('r');
    await page.keyboard.press('Tab');
    focused.push(await activeElement(page));
    await page.keyboard.type('Referred to the duty manager for a second look');
    await saveScreenshot(page, 'review-close-en');
    await page.keyboard.press('Tab');
    focused.push(await activeElement(page));
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    await page.keyboard.press('Enter');
    await waitForText(page, '.status', /closed as “Referred”/);

    expect(focused).toEqual(['H3#close-review-title', 'SELECT[outcome]', 'TEXTAREA[finding]', 'BUTTON']);
    expect(outline).not.toBe('none');
    const closed = await call('GET', '/v1/audit/reviews?status=closed&kind=emergency-access&limit=100', {
      token: compliance,
      user: 'auditor-1',
    });
    const review = (closed.json.items as { reviewId: string; closure?: Record<string, string> }[]).find(
      (item) => item.reviewId === reviewId,
    );

    expect(review?.closure).toMatchObject({
      outcome: 'referred',
      finding: 'Referred to the duty manager for a second look',
      closedBy: OFFICER,
    });
    expect(await page.$(`tr[data-review-id="${reviewId}"]`)).toBeNull();
  });

  it('shows the high-priority reviews alone, an emergency access after a revocation among them', async () => {
    await page.select('form.filters select[name="priority"]', 'high');
    await page.click('form.filters button[type="submit"]');
    await waitForText(page, '.status', /review items shown/);
    const rows = await page.$$eval('tr[data-review-id]', (trs) =>
      trs.map((tr) => ({
        caseId: tr.querySelector('td a')?.textContent,
        priority: tr.querySelectorAll('td')[2]?.textContent,
        flags: [...tr.querySelectorAll('.flag')].map((flag) => flag.textContent),
      })),
    );

    expect(rows.every((row) => row.priority === 'High')).toBe(true);
    expect(rows).toContainEqual({ caseId: highReviewCase, priority: 'High', flags: ['after revocation'] });
  });

  it('switches to Arabic: lang, direction and every label change', async () => {
    await page.click('button.language');
    await page.waitForFunction(
      () => (globalThis as unknown as { document: { dir: string } }).document.dir === 'rtl',
    );
    const [lang, dir] = await page.$eval('html', (html) => [html.lang, html.dir]);
    const nav = await page.$$eval('nav a', (links) => links.map((a) => a.textContent));

    expect([lang, dir]).toEqual(['ar', 'rtl']);
    expect(nav).toEqual(['سجل الوصول', 'من فتح الحالة', 'قائمة المراجعة']);
    await saveScreenshot(page, 'reviews-ar');
  });

  it('has no serious or critical accessibility violations, in Arabic and in English, on every view', async () => {
    const found: Record<string, unknown[]> = {};
    for (const language of ['ar', 'en']) {
      for (const [hash, title] of [
        ['#/timeline', 'timeline-title'],
        [`#/case/${caseId}`, 'case-title'],
        ['#/reviews', 'reviews-title'],
      ] as const) {
        await page.evaluate((h: string) => {
          (globalThis as unknown as { location: { hash: string } }).location.hash = h;
        }, hash);
        await page.waitForSelector(shownIn(title));
        await settledIfVerifying(page);
        found[`${language} ${hash}`] = await seriousViolations(page);
        const name = hash.split('/')[1] ?? 'view';
        if (language === 'ar') await saveScreenshot(page, `${name}-ar`);
      }
      if (language === 'ar') await page.click('button.language');
    }

    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
    expect(problems).toEqual([]);
  });

  it('asks the officer to sign in again once the API no longer takes the token', async () => {
    const { page: later } = await openPage(browser);
    try {
      await signIn(later, stack.gateway, OFFICER, await officerPassword(stack.officersFile, OFFICER));
      // What the API answers to a token that has expired (or was revoked) since.
      await later.setRequestInterception(true);
      later.on('request', (request) => {
        if (new URL(request.url()).pathname !== '/v1/audit/events') return void request.continue();
        const body = JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401 });
        return void request.respond({ status: 401, contentType: 'application/problem+json', body });
      });
      await later.click('form.filters button[type="submit"]');
      const message = await waitForText(later, 'main.sign-in .error', /session/);

      expect(message).toBe('Your session has ended. Sign in again.');
      expect(await later.$('main.sign-in button')).not.toBeNull();
    } finally {
      await later.close();
    }
  });

  it('signs out through the issuer, back to the sign-in page, with no token left', async () => {
    await Promise.all([page.waitForNavigation(), page.click('.masthead-tools button:last-of-type')]);
    await page.waitForSelector('main.sign-in button');
    const api = await page.evaluate(`fetch('/v1/audit/events?limit=1').then((r) => r.status)`);

    expect(new URL(page.url()).pathname).toBe('/console/');
    expect(await page.$('.officer-name')).toBeNull();
    expect(api).toBe(401);
    expect(await seriousViolations(page)).toEqual([]);
    await saveScreenshot(page, 'sign-in-en');
  });
});

/** The checkpoint this browser verified last, as the console keeps it. */
async function rememberedCheckpoint(page: Page): Promise<{ size: number; rootHash: string }> {
  const stored = (await page.evaluate(
    `localStorage.getItem(Object.keys(localStorage).find((key) => key.startsWith('himaya-console:verified-checkpoint:')))`,
  )) as string;
  return JSON.parse(stored) as { size: number; rootHash: string };
}

/** What a view shows once its data is in: a table, or the words saying there is nothing (never a previous view's). */
function shownIn(title: string): string {
  return `section[aria-labelledby="${title}"] table, section[aria-labelledby="${title}"] .empty`;
}

/** The focused element: its tag name, and its name (a form control) or id. */
function activeElement(page: Page): Promise<string> {
  return page.evaluate(
    `(({ tagName, id, name }) => tagName + (name ? '[' + name + ']' : id ? '#' + id : ''))(document.activeElement)`,
  ) as Promise<string>;
}

/** Lets a verification in progress finish, so the page is checked as the officer finally sees it. */
async function settledIfVerifying(page: Page): Promise<void> {
  const state = await page.$eval('#verification', (badge) => badge.getAttribute('data-state'));
  if (state === 'running') await settledBadge(page);
}
