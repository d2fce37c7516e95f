import { append, type Child, h } from '../dom';

export interface ViewParts {
  /** Prefix of the heading's id, which labels the section. */
  id: string;
  title: () => string;
  form: () => HTMLElement;
  results: () => Child;
}

/**
 * A view's frame: a section with its heading, its form and its results. As data arrives only the results
 * are redrawn, so the form, and the focus in it, stay put; `render` builds the whole section again (the
 * first time, and when the language changes).
 */
export function viewFrame(parts: ViewParts) {
  let section: HTMLElement = h('section');
  let results: HTMLElement = h('div');
  return {
    get section(): HTMLElement {
      return section;
    },
    get results(): HTMLElement {
      return results;
    },
    redraw(): void {
      results.replaceChildren();
      append(results, parts.results());
    },
    render(): HTMLElement {
      results = h('div', { class: 'results' }, parts.results());
      const next = h(
        'section',
        { 'aria-labelledby': `${parts.id}-title` },
        h('h2', { id: `${parts.id}-title`, tabindex: -1 }, parts.title()),
        parts.form(),
        results,
      );
      section.replaceWith(next);
      section = next;
      return section;
    },
  };
}
