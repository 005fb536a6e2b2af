/**
 * The review pages' only stylesheet, served from /review/assets/review.css (no CDN, no
 * build step). Colours meet WCAG AA contrast on their backgrounds; focus is always visible;
 * below 720 px the result table turns into one card per row.
 */
export const REVIEW_CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #4f5a66; --bg: #f6f7f9; --card: #fff; --line: #d0d6de; --accent: #0b5cad;
  --ok-bg: #e3f4e8; --ok-fg: #0f5a2a; --warn-bg: #fff4d6; --warn-fg: #6b4a00; --bad-bg: #fde7e7; --bad-fg: #8a1414; }
* { box-sizing: border-box; }
html { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, main:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
code, .hash, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; z-index: 10; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; flex-wrap: wrap; gap: .5rem; justify-content: space-between; align-items: center; padding: .6rem 1rem; background: #14325a; color: #fff; }
.top a.brand { color: #fff; font-weight: 700; text-decoration: none; }
.top .who { margin-right: .5rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
.narrow { max-width: 28rem; margin: 2rem auto; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input, select { width: 100%; font: inherit; padding: .45rem .5rem; border: 1px solid #7a8591; border-radius: 6px; background: #fff; color: var(--fg); }
input[aria-invalid="true"] { border-color: var(--bad-fg); }
.field-error { display: block; color: var(--bad-fg); font-size: .85em; margin-top: .2rem; }
ul.queues { list-style: none; margin: 0; padding: 0; }
.queue, .id.nowrap { white-space: nowrap; overflow-wrap: normal; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: .45rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; }
.top button { background: transparent; border-color: #fff; }
form > button { margin-top: .75rem; }
.filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; align-items: end; }
.filters .actions { display: flex; gap: .75rem; align-items: center; }
.alert { border-radius: 8px; padding: .5rem 1rem; margin: 1rem 0; border: 1px solid; }
.alert.error { background: var(--bad-bg); color: var(--bad-fg); }
.alert.warn { background: var(--warn-bg); color: var(--warn-fg); }
.alert ul { margin: .25rem 0 .5rem; padding-left: 1.25rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .85em; font-weight: 600; white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge.warn { background: var(--warn-bg); color: var(--warn-fg); }
.badge.bad { background: var(--bad-bg); color: var(--bad-fg); }
.muted { color: var(--muted); }
.count { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table.results { width: 100%; border-collapse: collapse; background: var(--card); }
.results th, .results td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.results td.num { text-align: right; }
.pager { margin: 1rem 0; }
.summary dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .5rem 1.5rem; margin: 0; }
.summary dt { font-weight: 600; color: var(--muted); }
.summary dd { margin: 0; overflow-wrap: anywhere; }
.exports { margin: 1rem 0 0; display: flex; gap: .75rem; flex-wrap: wrap; }
.findings.ok p { color: var(--ok-fg); }
.participants { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: minmax(0, 1fr); gap: .5rem; }
.participant { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .5rem .75rem; }
.states { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem .75rem; padding: 0; margin: .25rem 0; }
.state { font-weight: 600; }
.state.alerting { color: var(--warn-fg); }
.state.connected { color: var(--ok-fg); }
.state.disconnected { color: var(--muted); }
svg.bar { display: block; width: 100%; height: 10px; background: #e8ebef; border-radius: 4px; }
svg.bar .seg.alerting { fill: #d9a400; }
svg.bar .seg.connected { fill: #2e8b57; }
svg.bar .seg.disconnected { fill: #9aa5b1; }
svg.bar .seg.other { fill: #6b7c93; }
.transcript { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: minmax(0, 1fr); gap: .6rem; }
.message { background: var(--card); border: 1px solid var(--line); border-left: 4px solid #7a8591; border-radius: 8px; padding: .5rem .75rem; max-width: 48rem; min-width: 0; overflow-wrap: anywhere; }
.message.inbound { border-left-color: #0b5cad; }
.message.outbound { border-left-color: #2e8b57; margin-left: auto; }
.message.flagged.warn { background: var(--warn-bg); }
.message.flagged.bad { background: var(--bad-bg); }
.message .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0; }
.message .attachments, .message .flags { margin: .25rem 0; padding-left: 1.25rem; }
.message .flags { color: var(--warn-fg); font-weight: 600; }
.message.bad .flags { color: var(--bad-fg); }
.receipts { font-size: .85em; margin: .25rem 0 0; }
.gap { text-align: center; color: var(--muted); font-style: italic; }
.crumbs { font-size: .9em; }
@media (max-width: 720px) {
  main { padding: .5rem; }
  .results thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .results tr { display: block; border: 1px solid var(--line); border-radius: 8px; margin-bottom: .5rem; background: var(--card); }
  .results td { display: flex; gap: .5rem; border: 0; padding: .25rem .5rem; }
  .results td::before { content: attr(data-label); font-weight: 600; min-width: 7.5rem; color: var(--muted); }
  .results td.num { text-align: left; }
  .message.outbound { margin-left: 1.5rem; }
}
`;
