import { apiClient } from './api';
import { type AppContext, badgeText, type View, verificationBadge } from './app';
import {
  completeSignIn,
  isSignInAnswer,
  type Session,
  StateMismatchError,
  signOut,
  startSignIn,
} from './auth';
import { type ConsoleConfig, loadConfig } from './config';
import { h, replaceChildren } from './dom';
import { applyLanguage, language, setLanguage, t } from './i18n';
import { caseAccessView } from './views/case-access';
import { reviewsView } from './views/reviews';
import { timelineView } from './views/timeline';

/**
 * The compliance console: sign-in, then three views (the access timeline, who opened a case, the review
 * queue) under one header with the language switch and the verification badge.
 */
const root = document.getElementById('app') as HTMLElement;
const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });

type Route = { name: 'timeline' } | { name: 'case'; caseId: string } | { name: 'reviews' };

function currentRoute(): Route {
  const [, name, argument] = location.hash.split('/');
  if (name === 'case') return { name: 'case', caseId: decodeURIComponent(argument ?? '') };
  if (name === 'reviews') return { name: 'reviews' };
  return { name: 'timeline' };
}

function announce(message: string): void {
  status.textContent = message;
}

function languageButton(onSwitch: () => void): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'language',
      // Named in the language it switches to, and marked so, so a screen reader says it right.
      lang: language() === 'ar' ? 'en' : 'ar',
      onclick: () => {
        setLanguage(language() === 'ar' ? 'en' : 'ar');
        onSwitch();
        root.querySelector<HTMLElement>('button.language')?.focus();
      },
    },
    t('switchLanguage'),
  );
}

/** The sign-in page; `problem` is worded again on each draw, so a language switch rewords it too. */
function signInPage(config: ConsoleConfig | undefined, problem?: () => string): void {
  const draw = () =>
    replaceChildren(
      root,
      h(
        'header',
        { class: 'masthead' },
        h('h1', {}, t('appTitle')),
        h('div', { class: 'masthead-tools' }, languageButton(draw)),
      ),
      h(
        'main',
        { id: 'content', class: 'sign-in' },
        h('p', {}, t('signInIntro')),
        problem ? h('p', { class: 'error', role: 'alert' }, problem()) : null,
        config
          ? h(
              'button',
              { type: 'button', class: 'primary', onclick: () => void startSignIn(config) },
              t('signIn'),
            )
          : null,
      ),
      status,
    );
  draw();
}

/**
 * Fills the badge: one element for the page's life, a live region, so that a screen reader announces
 * each new verdict (a region inserted anew is often not announced).
 */
function drawBadgeInto(region: HTMLElement, state: ReturnType<typeof verificationBadge>['state']): void {
  const { title, detail, tone } = badgeText(state);
  region.className = `badge badge-${tone}`;
  region.dataset.state = state.state;
  replaceChildren(
    region,
    h('span', { class: 'badge-label' }, `${t('verification')}: `),
    h('strong', { class: 'badge-title' }, title),
    detail.length > 0 ? h('ul', { class: 'badge-detail' }, ...detail.map((line) => h('li', {}, line))) : null,
  );
}

function navigation(route: Route): HTMLElement {
  const link = (href: string, name: Route['name'], key: 'navTimeline' | 'navCase' | 'navReviews') =>
    h('li', {}, h('a', { href, 'aria-current': route.name === name ? 'page' : null }, t(key)));
  return h(
    'nav',
    { 'aria-label': t('navLabel') },
    h(
      'ul',
      {},
      link('#/timeline', 'timeline', 'navTimeline'),
      link('#/case/', 'case', 'navCase'),
      link('#/reviews', 'reviews', 'navReviews'),
    ),
  );
}

function startConsole(config: ConsoleConfig, session: Session): void {
  const api = apiClient(config, session, () => signInPage(config, () => t('sessionExpired')));
  const region = h('div', { id: 'verification', role: 'status', 'aria-live': 'polite' });
  const again = h('button', { type: 'button', class: 'reverify', onclick: () => view?.reverify?.() });
  const badgeHolder = h('div', { class: 'badge-holder' }, region, again);
  const drawBadge = () => {
    drawBadgeInto(region, badge.state);
    again.textContent = t('reverify');
    again.hidden = badge.state.state !== 'verified' && badge.state.state !== 'failed';
  };
  const badge = verificationBadge(() => drawBadge());
  const base = { config, session, api };
  const context: AppContext = {
    ...base,
    announce,
    verify: (events) => badge.run(base, events),
    invalidate: () => badge.invalidate(),
  };
  const main = h('main', { id: 'content', tabindex: -1 });
  let view: View | undefined;
  let viewRoute = '';

  const showView = () => {
    const route = currentRoute();
    const key = route.name === 'case' ? `case:${route.caseId}` : route.name;
    if (key !== viewRoute) {
      viewRoute = key;
      view =
        route.name === 'reviews'
          ? reviewsView(context)
          : route.name === 'case'
            ? caseAccessView(context, route.caseId)
            : timelineView(context);
      replaceChildren(main, view.render());
      view.start?.();
    }
  };

  const draw = () => {
    applyLanguage();
    replaceChildren(
      root,
      h('a', { href: '#content', class: 'skip-link' }, t('skipToContent')),
      h(
        'header',
        { class: 'masthead' },
        h('h1', {}, t('appTitle')),
        h(
          'div',
          { class: 'masthead-tools' },
          h('span', { class: 'officer-name' }, `${t('signedInAs')} `, h('strong', {}, session.officer)),
          languageButton(draw),
          h('button', { type: 'button', onclick: () => signOut(config) }, t('signOut')),
        ),
      ),
      navigation(currentRoute()),
      badgeHolder,
      status,
      main,
    );
    drawBadge();
    if (view) replaceChildren(main, view.render());
  };

  window.addEventListener('hashchange', () => {
    const nav = root.querySelector('nav');
    nav?.replaceWith(navigation(currentRoute()));
    showView();
    // A new view is a new page to a screen reader: focus its heading, so reading starts there.
    main.querySelector<HTMLElement>('h2')?.focus();
  });
  draw();
  showView();
}

async function boot(): Promise<void> {
  applyLanguage();
  let config: ConsoleConfig;
  try {
    config = await loadConfig();
  } catch {
    signInPage(undefined, () => t('configFailed'));
    return;
  }
  if (!isSignInAnswer()) {
    signInPage(config);
    return;
  }
  try {
    announce(t('signingIn'));
    startConsole(config, await completeSignIn(config));
    announce('');
  } catch (error) {
    const reason = () =>
      error instanceof StateMismatchError
        ? t('stateMismatch')
        : `${t('signInFailed')}: ${(error as Error).message}`;
    signInPage(config, reason);
  }
}

void boot();
