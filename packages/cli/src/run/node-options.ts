/**
 * NODE_OPTIONS that preload the monitor before the app's own code, kept after whatever the user
 * already had there. The module is passed as a file: URL, whose spaces and quotes are percent-encoded,
 * so it needs no quoting; it is still quoted the way Node's NODE_OPTIONS parser reads quotes, in case
 * a URL character ever needs it.
 */
export function nodeOptionsWithPreload(existing: string | undefined, registerUrl: string): string {
  const preload = `--import ${quoteForNodeOptions(registerUrl)}`;
  const before = existing?.trim();
  return before ? `${before} ${preload}` : preload;
}

/** Node splits NODE_OPTIONS on spaces, honouring "double quotes" with backslash escapes inside. */
export function quoteForNodeOptions(value: string): string {
  if (!/[\s"\\]/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
