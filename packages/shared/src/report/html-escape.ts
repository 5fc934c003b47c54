/**
 * Text made safe to place in HTML or SVG, as element content or as a quoted attribute
 * value: every string a report interpolates (a strategy's name, a parameter, an error
 * message) passes through here, so a name like `<script>` stays text.
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
