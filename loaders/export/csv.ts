/**
 * CSV as RFC 4180 writes it: comma-separated, a field quoted when it holds a comma, a quote or a
 * line break (quotes doubled), CRLF between records, UTF-8 without a BOM — what CRM imports
 * (Salesforce, HubSpot, Google Ads Customer Match) read.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...rows].map((r) => r.map(field).join(",")).join("\r\n") + "\r\n";
}
