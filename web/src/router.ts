// History-API routing between the console's pages: links with `data-nav` change the page without
// a reload; the server answers each of these paths with index.html, so deep links work too.
export type PageName = 'sky' | 'recordings' | 'files' | 'scans' | 'operations';

export const pages: { name: PageName; title: string }[] = [
  { name: 'sky', title: 'Sky' },
  { name: 'recordings', title: 'Recordings' },
  { name: 'files', title: 'Files' },
  { name: 'scans', title: 'Scans' },
  { name: 'operations', title: 'Operations' },
];

export interface Route {
  page: PageName;
  /** The path after the page, e.g. a recording id. */
  rest: string;
}

export function currentRoute(): Route {
  const [first = '', ...rest] = window.location.pathname.split('/').filter(Boolean);
  const page = pages.find((p) => p.name === first)?.name ?? 'sky';
  return { page, rest: rest.join('/') };
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** Sends clicks on same-origin `a[data-nav]` links through navigate(). */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    const anchor = (event.target as Element).closest('a[data-nav]');
    if (!(anchor instanceof HTMLAnchorElement) || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    navigate(anchor.pathname + anchor.search);
  });
}
