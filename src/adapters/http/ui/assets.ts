// The UI's only static assets, kept as strings so the build (tsc) ships
// them inside dist/ without a copy step and no external host is ever asked.
// The CSP allows scripts and styles from 'self' only: no inline code.
export const STYLESHEET = `
:root { --ok: #1a7f37; --bad: #b42318; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #24292f; color: #fff; flex-wrap: wrap; }
header .brand { font-weight: 700; }
header nav a { color: #e6edf3; margin-right: 1rem; text-decoration: none; }
header nav a[aria-current="page"] { text-decoration: underline; }
header form { margin-left: auto; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: .8rem; }
.card.wide { grid-column: span 2; }
@media (max-width: 560px) { .card.wide { grid-column: auto; } }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; background: var(--bg); overflow-wrap: anywhere; }
.card h2 { margin-top: 0; font-size: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.reason, td.message { max-width: 520px; overflow-wrap: anywhere; }
td.mono { white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: 4px; font-weight: 700; font-size: .85em; color: #fff; }
.ALLOW, .ok, .pass { background: var(--ok); }
.BLOCK, .bad, .fail, .critical, .high { background: var(--bad); }
.medium, .warn, .skipped { background: var(--warn); }
.low { background: var(--muted); }
.status-ok { color: var(--ok); font-weight: 700; }
.status-bad { color: var(--bad); font-weight: 700; }
.muted { color: var(--muted); }
form.stack label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
form.filters { display: flex; gap: .8rem; align-items: end; flex-wrap: wrap; margin-bottom: .8rem; }
form.filters label { display: flex; flex-direction: column; font-size: .9em; }
input, select, button { font: inherit; }
input[type=text], input[type=password], select { padding: .3rem .4rem; border: 1px solid var(--line); border-radius: 4px; }
button { padding: .35rem .9rem; border: 1px solid #1f883d; background: #1f883d; color: #fff; border-radius: 4px; cursor: pointer; }
header button { background: transparent; border-color: #8c959f; }
.error { border: 1px solid var(--bad); background: #ffebe9; padding: .6rem .8rem; border-radius: 6px; }
ul.reasons { margin: .3rem 0; padding-left: 1.2rem; }
.chart { max-width: 760px; display: block; }
.chart.ranked { max-width: 380px; }
.legend { font-size: .9em; margin: .2rem 0 .6rem; }
.swatch { display: inline-block; width: .8em; height: .8em; vertical-align: middle; margin-left: .6em; }
.swatch.allow { background: var(--ok); }
.swatch.block { background: var(--bad); }
.table-wrap { overflow-x: auto; }
td.alert-key { max-width: 16rem; overflow-wrap: anywhere; }
table.alerts td.message { min-width: 18rem; }
form.take { display: flex; gap: .4rem; flex-wrap: wrap; align-items: end; margin-top: .3rem; }
form.take label { font-size: .85em; }
/* Narrow screens: tables scroll sideways inside their own box instead of pushing the page wider than the screen. */
@media (max-width: 760px) {
  main { padding: .6rem; }
  table { display: block; overflow-x: auto; max-width: 100%; }
  td.reason, td.message { min-width: 14rem; }
  td.mono { white-space: normal; }
  header nav a { display: inline-block; margin: .15rem .8rem .15rem 0; }
}
`;

/** Reloads the page every N seconds when the body asks for it (data-refresh); pages work without it. */
export const REFRESH_SCRIPT = `'use strict';
(function () {
  var seconds = Number(document.body.getAttribute('data-refresh'));
  function tick() {
    if (document.visibilityState === 'hidden') { setTimeout(tick, seconds * 1000); return; }
    location.reload();
  }
  if (seconds > 0) setTimeout(tick, seconds * 1000);
})();
`;
