/**
 * Matches request paths against route templates (`/healthz`, `/users/:id`, `/admin/*`), so the shedding
 * exemptions mean the same before routing (Express, Koa, plain http) as after it (Fastify).
 */

export type PathMatcher = (path: string) => boolean;

function templateToSource(template: string): string {
  let source = '';
  for (const part of template.split('/')) {
    if (part === '') continue;
    if (part === '*' || part === '(.*)') source += '(?:/.*)?';
    else if (part.startsWith(':') || part.startsWith('{')) source += '/[^/]+';
    else if (part.startsWith('*')) source += '(?:/.*)?';
    else source += '/' + part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return source === '' ? '/?' : source + '/?';
}

/** One matcher for all `templates`; a path matches when it equals a template with its parameters filled. */
export function compilePathMatcher(templates: readonly string[]): PathMatcher {
  if (templates.length === 0) return () => false;
  const pattern = new RegExp('^(?:' + templates.map(templateToSource).join('|') + ')$');
  return (path) => pattern.test(path);
}

/** The path of a request URL, without query string or fragment. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
