/**
 * Content-Security-Policy values. An API answer (JSON, text) may load nothing; a page may load
 * its own files, connect to this server (fetch, event streams), show `data:` images (the
 * dashboard's icon), and run only the inline scripts and styles whose SHA-256 it names.
 */
import { createHash } from 'node:crypto';

/** The policy of answers that are not pages: nothing may load, nothing may frame them. */
export const API_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The CSP source admitting one inline script or style: `'sha256-…'` of its exact text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** What an HTML page of this server may run inline, beyond its own files. */
export interface PageCspOptions {
  /** The exact text of each inline `<script>`. */
  readonly scripts?: readonly string[];
  /** The exact text of each inline `<style>`. */
  readonly styles?: readonly string[];
}

/** The policy of an HTML page served by this server (the dashboard, /docs). */
export function pageCsp({ scripts = [], styles = [] }: PageCspOptions = {}): string {
  const with_ = (texts: readonly string[]) => ["'self'", ...texts.map(cspHash)].join(' ');
  return [
    "default-src 'self'",
    `script-src ${with_(scripts)}`,
    `style-src ${with_(styles)}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
