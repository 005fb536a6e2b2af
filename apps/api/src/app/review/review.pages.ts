import { inertFileName } from '@gcm/text-policy';
import type { ArchiveCatalogEntry, ArchiveIndexEntry } from '@gcm/store';
import { integritySummary, type ArchiveContent, type ArchivedMedia, type ArchivedMessage, type TimelineParticipant } from '@gcm/history-timeline';
import { html, trusted, type Html } from './html';

/** The review pages: server-rendered HTML, no script at all (the CSP forbids every script), one local stylesheet. */

export const REVIEW_STYLESHEET_PATH = '/review/assets/review.css';

export interface PageUser {
  readonly keyId: string;
}

export function layout(title: string, body: Html, user?: PageUser): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · gcm review</title>
<link rel="stylesheet" href="${REVIEW_STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/review">gcm review</a>
  ${
    user
      ? html`<form class="logout" method="post" action="/review/logout"><span class="who">Signed in as <strong>${user.keyId}</strong></span> <button type="submit">Sign out</button></form>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>
`.value;
}

export function loginPage(options: { error?: string; keyId?: string } = {}): string {
  return layout(
    'Sign in',
    html`<section class="card narrow" aria-labelledby="login-title">
  <h1 id="login-title">Sign in</h1>
  <p>Use an API key with the <code>read</code> scope. The key itself is not kept: this browser gets a session that ends when you sign out, when it expires, or when the key is removed.</p>
  ${options.error ? html`<p class="alert error" role="alert" id="login-error">${options.error}</p>` : ''}
  <form method="post" action="/review/login">
    <label for="api-key">API key</label>
    <input id="api-key" name="apiKey" type="password" autocomplete="current-password" required maxlength="512" spellcheck="false"
      ${options.error ? trusted('aria-invalid="true" aria-describedby="login-error"') : ''} autofocus>
    <button type="submit">Sign in</button>
  </form>
</section>`,
  );
}

export interface ListFilters {
  readonly from?: string;
  readonly to?: string;
  readonly queueId?: string;
  readonly conversationId?: string;
  readonly integrity?: string;
  readonly sla?: string;
}

export interface ListView {
  readonly filters: ListFilters;
  readonly entries: readonly ArchiveCatalogEntry[];
  /** query string of the next page, when there is one */
  readonly nextQuery?: string;
  readonly errors?: ReadonlyArray<{ field: string; message: string }>;
  /** The org's queues by name (routing API); absent when Genesys could not say. */
  readonly queues?: ReadonlyArray<{ id: string; name: string }>;
}

const INTEGRITY_CHOICES: Array<[string, string]> = [
  ['', 'Any'],
  ['findings', 'With findings'],
  ['clean', 'Clean'],
];
const SLA_CHOICES: Array<[string, string]> = [
  ['', 'Any'],
  ['breached', 'Breached'],
  ['met', 'Met'],
];

function select(id: string, label: string, choices: Array<[string, string]>, value: string | undefined): Html {
  return html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${id}">${choices.map(
    ([v, text]) => html`<option value="${v}"${(value ?? '') === v ? trusted(' selected') : ''}>${text}</option>`,
  )}</select></div>`;
}

/**
 * A labelled filter field. An invalid value stays in its field after the 400, with its error
 * beside it: a date field shows what was typed as text (a date input would drop a value that
 * is not a date), and `aria-describedby` ties the error to the field.
 */
function input(id: string, label: string, type: string, value: string | undefined, extra: Html | string = '', error?: string): Html {
  const shownType = error !== undefined && type === 'date' ? 'text' : type;
  const dateHint = shownType === 'text' && type === 'date' ? trusted(' placeholder="YYYY-MM-DD" inputmode="numeric"') : '';
  return html`<div class="field"><label for="${id}">${label}</label><input id="${id}" name="${id}" type="${shownType}" value="${value ?? ''}"${dateHint}${
    error !== undefined ? trusted(` aria-invalid="true" aria-describedby="${id}-error"`) : ''
  } ${extra}>${error !== undefined ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}</div>`;
}

/** The queue filter: the org's queues by name when Genesys told them, else (or for a bad value) the id as text. */
function queueField(value: string | undefined, queues: ListView['queues'], error?: string): Html {
  if (!queues || error !== undefined) {
    return input('queueId', 'Queue id', 'text', value, trusted('inputmode="text" autocomplete="off" spellcheck="false" maxlength="36"'), error);
  }
  const choices: Array<[string, string]> = [['', 'Any'], ...[...queues].sort((a, b) => a.name.localeCompare(b.name)).map((q): [string, string] => [q.id, q.name])];
  // a queue that is gone from the org is still a filter the reviewer asked for
  if (value && !queues.some((q) => q.id === value)) choices.push([value, `queue ${value}`]);
  return select('queueId', 'Queue', choices, value);
}

/** A queue as the list and the transcript show it: its name, or (unknown to the org) its id kept on one line. */
function queueLabel(id: string, names: ReadonlyMap<string, string> | undefined): Html {
  const name = names?.get(id.toLowerCase());
  return name === undefined ? html`<code class="id nowrap" title="queue ${id}">${id}</code>` : html`<span class="queue" title="queue ${id}">${name}</span>`;
}

export function listPage(view: ListView, user: PageUser): string {
  const f = view.filters;
  const errorOf = (field: string) => view.errors?.find((e) => e.field === field)?.message;
  const names = view.queues ? new Map(view.queues.map((q) => [q.id, q.name])) : undefined;
  const rows = view.entries.map((e) => {
    const integrity =
      e.integrityFindings === 0
        ? html`<span class="badge ok">clean</span>`
        : html`<span class="badge warn">${e.integrityFindings} finding${e.integrityFindings === 1 ? '' : 's'}${e.outOfOrder > 0 ? html` · ${e.outOfOrder} out of order` : ''}</span>`;
    const sla = e.slaBreaches === 0 ? html`<span class="badge ok">met</span>` : html`<span class="badge bad">${e.slaBreaches} breach${e.slaBreaches === 1 ? '' : 'es'}</span>`;
    return html`<tr>
  <td data-label="Started"><time datetime="${iso(e.startedAt)}">${displayTime(e.startedAt)}</time></td>
  <td data-label="Conversation"><a href="/review/conversations/${e.conversationId}">${e.conversationId}</a></td>
  <td data-label="Queues">${e.queueIds.length === 0 ? '—' : html`<ul class="queues">${e.queueIds.map((q) => html`<li>${queueLabel(q, names)}</li>`)}</ul>`}</td>
  <td data-label="Messages" class="num">${e.messageCount}</td>
  <td data-label="Integrity">${integrity}</td>
  <td data-label="SLA">${sla}</td>
  <td data-label="Version" class="num">${e.version}</td>
</tr>`;
  });
  return layout(
    'Archived conversations',
    html`<h1>Archived conversations</h1>
<form class="filters card" method="get" action="/review" role="search" aria-label="Filter archived conversations">
  ${input('from', 'Started from (UTC)', 'date', f.from, '', errorOf('from'))}
  ${input('to', 'Started on or before (UTC)', 'date', f.to, '', errorOf('to'))}
  ${queueField(f.queueId, view.queues, errorOf('queueId'))}
  ${input('conversationId', 'Conversation id', 'text', f.conversationId, trusted('autocomplete="off" spellcheck="false" maxlength="36"'), errorOf('conversationId'))}
  ${select('integrity', 'Integrity', INTEGRITY_CHOICES, f.integrity)}
  ${select('sla', 'Receipt SLA', SLA_CHOICES, f.sla)}
  <div class="actions"><button type="submit">Search</button> <a href="/review">Reset</a></div>
</form>
${
  view.errors && view.errors.length > 0
    ? html`<div class="alert error" role="alert" id="filter-errors"><p>Check the filters:</p><ul>${view.errors.map((e) => html`<li><strong>${e.field}</strong>: ${e.message}</li>`)}</ul></div>`
    : ''
}
<p class="count" role="status">${view.entries.length === 0 ? 'No archived conversation matches.' : `${view.entries.length} conversation${view.entries.length === 1 ? '' : 's'} on this page, newest first.`}</p>
${
  view.entries.length > 0
    ? html`<div class="table-wrap"><table class="results">
  <caption class="visually-hidden">Archived conversations, newest first</caption>
  <thead><tr><th scope="col">Started (UTC)</th><th scope="col">Conversation</th><th scope="col">Queues</th><th scope="col">Messages</th><th scope="col">Integrity</th><th scope="col">SLA</th><th scope="col">Version</th></tr></thead>
  <tbody>${rows}</tbody>
</table></div>`
    : ''
}
${view.nextQuery ? html`<nav class="pager" aria-label="Pages"><a rel="next" href="/review?${view.nextQuery}">Older conversations →</a></nav>` : ''}`,
    user,
  );
}

export interface TranscriptView {
  readonly conversationId: string;
  readonly version: number;
  readonly versions: readonly ArchiveIndexEntry[];
  readonly document: ArchiveContent & { contentHash: string };
  readonly hash: { valid: boolean; expected: string; actual: string };
  /** Queue names by id (routing API); absent when Genesys could not say. */
  readonly queueNames?: ReadonlyMap<string, string>;
}

interface MessageFlags {
  notes: string[];
  severity: 'warn' | 'bad' | undefined;
}

/** Per message, what the integrity report and the SLA report say about it. */
function flagsByMessage(doc: ArchiveContent): Map<string, MessageFlags> {
  const flags = new Map<string, MessageFlags>();
  const add = (id: string, note: string, severity: 'warn' | 'bad') => {
    const entry = flags.get(id) ?? { notes: [], severity: undefined };
    entry.notes.push(note);
    entry.severity = entry.severity === 'bad' || severity === 'bad' ? 'bad' : 'warn';
    flags.set(id, entry);
  };
  for (const pair of doc.integrity.outOfOrder) {
    add(pair.first.messageId, `Out of order: listed before ${pair.second.messageId} but sent after it`, 'warn');
    add(pair.second.messageId, `Out of order: listed after ${pair.first.messageId} but sent before it`, 'warn');
  }
  for (const d of doc.integrity.duplicates) {
    if (d.kind === 'repeated-message-id') add(d.messageId, `Listed ${d.occurrences.length} times`, 'warn');
    else add(d.keptMessageId, `Redelivered ${d.duplicateMessageIds.length} time(s) (provider id ${d.providerMessageId}); copies left out`, 'warn');
  }
  for (const o of doc.integrity.outsideConversation) add(o.messageId, `Sent ${o.boundary === 'before-start' ? 'before the conversation started' : 'after the conversation ended'} (${o.boundaryTime})`, 'warn');
  for (const b of doc.sla.breaches) add(b.messageId, `SLA ${b.kind}: ${duration(b.latencyMs)} (limit ${duration(b.thresholdMs)})`, 'bad');
  return flags;
}

function findingsSection(doc: ArchiveContent): Html {
  const i = doc.integrity;
  const items: Html[] = [];
  for (const pair of i.outOfOrder) {
    items.push(
      html`<li><strong>Out of order</strong>: message <a href="#msg-${pair.first.messageId}"><code>${pair.first.messageId}</code></a> (${pair.first.timestamp}) is listed before <a href="#msg-${pair.second.messageId}"><code>${pair.second.messageId}</code></a> (${pair.second.timestamp}), which was sent earlier. The transcript below is in time order.</li>`,
    );
  }
  for (const d of i.duplicates) {
    items.push(
      d.kind === 'repeated-message-id'
        ? html`<li><strong>Repeated message id</strong> <code>${d.messageId}</code>: listed ${d.occurrences.length} times; shown once.</li>`
        : html`<li><strong>Redelivered message</strong>: provider id <code>${d.providerMessageId}</code> came ${d.duplicateMessageIds.length + 1} times; the first (<code>${d.keptMessageId}</code>) is shown.</li>`,
    );
  }
  for (const m of i.missing) items.push(html`<li><strong>Missing message</strong> <code>${m.messageId}</code>: listed${m.listedTime ? html` at ${m.listedTime}` : ''} but Genesys returned no body.</li>`);
  for (const o of i.outsideConversation) items.push(html`<li><strong>Outside the conversation</strong>: <code>${o.messageId}</code> at ${o.timestamp}, ${o.boundary === 'before-start' ? 'before its start' : 'after its end'} (${o.boundaryTime}).</li>`);
  for (const g of i.gaps) items.push(html`<li><strong>Gap</strong> of ${duration(g.durationMs)} between ${g.from} and ${g.to}.</li>`);
  const breaches = doc.sla.breaches.map(
    (b) => html`<li><strong>SLA ${b.kind}</strong>: message <a href="#msg-${b.messageId}"><code>${b.messageId}</code></a>, ${duration(b.latencyMs)} against a limit of ${duration(b.thresholdMs)}.</li>`,
  );
  const violations = doc.participants.flatMap((p) => p.stateViolations.map((v) => html`<li><strong>Participant state</strong> (${p.purpose ?? p.role}): ${v.message}</li>`));
  if (items.length === 0 && breaches.length === 0 && violations.length === 0) {
    return html`<section class="findings ok" aria-labelledby="findings-title"><h2 id="findings-title">Findings</h2><p>Integrity: clean. Receipt SLA: met.</p></section>`;
  }
  return html`<section class="findings" aria-labelledby="findings-title">
  <h2 id="findings-title">Findings</h2>
  ${items.length > 0 ? html`<div class="alert warn" role="alert"><p><strong>Integrity warning:</strong> ${integritySummary(i)}.</p><ul>${items}</ul></div>` : html`<p>Integrity: clean.</p>`}
  ${breaches.length > 0 ? html`<div class="alert error"><p><strong>Receipt SLA breached</strong> (delivered within ${duration(doc.sla.thresholds.deliveredWithinMs)}, read within ${duration(doc.sla.thresholds.readWithinMs)}):</p><ul>${breaches}</ul></div>` : html`<p>Receipt SLA: met.</p>`}
  ${violations.length > 0 ? html`<div class="alert warn"><ul>${violations}</ul></div>` : ''}
</section>`;
}

const STATE_CLASS: Record<string, string> = { alerting: 'alerting', connected: 'connected', disconnected: 'disconnected', terminated: 'disconnected' };

/** One row per participant: its states in order (text), and a bar over the conversation's span (decoration). */
function participantStrip(doc: ArchiveContent, queueNames: ReadonlyMap<string, string> | undefined): Html {
  const start = Date.parse(doc.conversation.startTime ?? '');
  const ends = [...doc.participants.flatMap((p) => [p.endTime, ...p.stateHistory.map((t) => t.at)]), ...doc.messages.map((m) => m.timestamp)]
    .map((t) => Date.parse(t ?? ''))
    .filter(Number.isFinite);
  const end = Date.parse(doc.conversation.endTime ?? '') || Math.max(start, ...ends);
  const span = Number.isFinite(start) && end > start ? end - start : undefined;
  const rows = doc.participants.map((p) => {
    const states = p.stateHistory.filter((t) => t.kind === 'state' || t.kind === 'joined');
    const segments =
      span === undefined
        ? []
        : states.map((t, index) => {
            const from = Date.parse(t.at);
            const next = states[index + 1];
            const state = t.to ?? 'joined';
            // the last state lasts until the participant left; once disconnected, until the end of the strip
            const to = next ? Date.parse(next.at) : state === 'disconnected' ? end : Date.parse(p.endTime ?? '') || end;
            const left = clampPercent(((from - start) / span) * 100);
            const width = Math.max(0.5, clampPercent(((Math.max(to, from) - from) / span) * 100));
            return html`<rect class="seg ${STATE_CLASS[state] ?? 'other'}" x="${(left * 10).toFixed(1)}" y="0" width="${(Math.min(width, 100 - left) * 10).toFixed(1)}" height="10"></rect>`;
          });
    return html`<li class="participant">
  <div class="who"><strong>${participantLabel(p)}</strong> <span class="muted">${p.purpose ?? p.role}${p.queueId ? html` · queue ${queueLabel(p.queueId, queueNames)}` : ''}</span></div>
  <ol class="states" aria-label="States of ${participantLabel(p)}">${states.map(
    (t) => html`<li><span class="state ${STATE_CLASS[t.to ?? ''] ?? 'other'}">${t.to ?? t.kind}</span> <time datetime="${t.at}">${shortTime(t.at)}</time></li>`,
  )}${p.wrapup?.code ? html`<li><span class="state other">wrap-up ${p.wrapup.name ?? p.wrapup.code}</span></li>` : ''}</ol>
  ${span === undefined ? '' : html`<svg class="bar" aria-hidden="true" focusable="false" viewBox="0 0 1000 10" preserveAspectRatio="none">${segments}</svg>`}
</li>`;
  });
  return html`<section class="strip" aria-labelledby="strip-title"><h2 id="strip-title">Participants</h2><ul class="participants">${rows}</ul></section>`;
}

function participantLabel(p: TimelineParticipant): string {
  return p.name ?? (p.role === 'customer' ? 'Customer' : p.role === 'agent' ? 'Agent' : p.role === 'bot' ? 'Bot' : p.purpose ?? 'Participant');
}

function messageItem(m: ArchivedMessage, doc: ArchiveContent, media: Map<string, ArchivedMedia>, participants: Map<string, TimelineParticipant>, flags: Map<string, MessageFlags>): Html {
  const sender = m.participantId ? participants.get(m.participantId) : undefined;
  const flag = flags.get(m.id);
  const who = sender ? participantLabel(sender) : m.senderRole;
  return html`<li id="msg-${m.id}" class="message ${m.direction} ${m.senderRole}${flag ? ` flagged ${flag.severity}` : ''}">
  <div class="meta"><strong class="sender">${who}</strong> <span class="muted">${m.senderRole}${m.messengerType ? ` · ${m.messengerType}` : ''}</span> <time datetime="${m.timestamp}">${shortTime(m.timestamp)}</time></div>
  ${m.text !== undefined && m.text !== '' ? html`<p class="text">${m.text}</p>` : m.attachmentIds.length === 0 ? html`<p class="text muted">(${m.type.toLowerCase()} without text)</p>` : ''}
  ${
    m.attachmentIds.length > 0
      ? html`<ul class="attachments" aria-label="Attachments">${m.attachmentIds.map((id) => {
          const a = media.get(id);
          return html`<li>📎 ${a?.filename ? inertFileName(a.filename) : id}${a?.mime ? html` <span class="muted">${a.mime}</span>` : ''}${a?.sizeBytes !== undefined ? html` <span class="muted">${bytes(a.sizeBytes)}</span>` : ''}</li>`;
        })}</ul>`
      : ''
  }
  ${
    m.receipts.length > 0 || m.status
      ? html`<p class="receipts muted">${m.status ? html`status ${m.status}` : ''}${m.receipts.map((r) => html` · ${r.status}${r.time ? html` <time datetime="${r.time}">${shortTime(r.time)}</time>` : ''}`)}</p>`
      : ''
  }
  ${flag ? html`<ul class="flags">${flag.notes.map((note) => html`<li><span class="visually-hidden">Warning: </span>⚠ ${note}</li>`)}</ul>` : ''}
</li>`;
}

export function transcriptPage(view: TranscriptView, user: PageUser): string {
  const doc = view.document;
  const c = doc.conversation;
  const media = new Map(doc.media.map((m) => [m.id, m]));
  const participants = new Map(doc.participants.map((p) => [p.id, p]));
  const flags = flagsByMessage(doc);
  const gapsAfter = new Map(doc.integrity.gaps.map((g) => [g.afterMessageId, g]));
  const versionQuery = `?version=${view.version}`;
  const latest = view.versions[view.versions.length - 1]?.version;
  const items = doc.messages.map((m) => {
    const gap = gapsAfter.get(m.id);
    return html`${messageItem(m, doc, media, participants, flags)}${gap ? html`<li class="gap" role="separator">${duration(gap.durationMs)} of silence</li>` : ''}`;
  });
  return layout(
    `Conversation ${view.conversationId}`,
    html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/review">Archived conversations</a> › <span aria-current="page">${view.conversationId}</span></nav>
<h1>Conversation <code class="id">${view.conversationId}</code></h1>
<section class="card summary" aria-label="Summary">
<dl>
  <div><dt>Started</dt><dd>${c.startTime ? html`<time datetime="${c.startTime}">${c.startTime}</time>` : 'unknown'}</dd></div>
  <div><dt>Ended</dt><dd>${c.endTime ? html`<time datetime="${c.endTime}">${c.endTime}</time>` : 'ongoing when archived'}</dd></div>
  <div><dt>Channel</dt><dd>${c.messengerType ?? '—'}</dd></div>
  <div><dt>Messages</dt><dd>${doc.messages.length}</dd></div>
  <div><dt>Version</dt><dd>${view.version} of ${view.versions.length}${
    view.versions.length > 1
      ? html` · ${view.versions.map((v) =>
          v.version === view.version
            ? html`<span aria-current="true">v${v.version}</span> `
            : html`<a href="/review/conversations/${view.conversationId}?version=${v.version}">v${v.version}</a> `,
        )}`
      : ''
  }${view.version !== latest ? html` <span class="badge warn">not the latest</span>` : ''}</dd></div>
  <div><dt>Record hash</dt><dd>${
    view.hash.valid
      ? html`<span class="badge ok">verified</span> <code class="hash">${view.hash.expected}</code>`
      : html`<span class="badge bad" role="alert">hash mismatch: the stored record was altered</span> <code class="hash">${view.hash.expected}</code> ≠ <code class="hash">${view.hash.actual}</code>`
  }</dd></div>
  ${doc.redaction.applied ? html`<div><dt>Redaction</dt><dd>${doc.redaction.messageText ? 'message text' : ''}${doc.redaction.fields.length ? ` fields ${doc.redaction.fields.join(', ')}` : ''}</dd></div>` : ''}
</dl>
<p class="exports"><a class="button" href="/review/conversations/${view.conversationId}/export.md${versionQuery}" download>Export Markdown</a> <a class="button" href="/review/conversations/${view.conversationId}/export.json${versionQuery}" download>Export JSON</a></p>
</section>
${findingsSection(doc)}
${participantStrip(doc, view.queueNames)}
<section aria-labelledby="messages-title"><h2 id="messages-title">Messages <span class="muted">(time order)</span></h2>
<ol class="transcript">${items}</ol></section>`,
    user,
  );
}

export function errorPage(status: number, title: string, detail: string, user?: PageUser, fields?: ReadonlyArray<{ field: string; message: string }>): string {
  return layout(
    title,
    html`<section class="card narrow"><h1>${title}</h1><p role="alert">${detail}</p>${
      fields && fields.length > 0 ? html`<ul>${fields.map((f) => html`<li><strong>${f.field}</strong>: ${f.message}</li>`)}</ul>` : ''
    }<p><a href="/review">Back to the archived conversations</a></p><p class="muted">HTTP ${status}</p></section>`,
    user,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function displayTime(ms: number): string {
  return iso(ms).replace('T', ' ').slice(0, 16);
}

function shortTime(value: string): string {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? iso(ms).slice(11, 19) : value;
}

function duration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  const s = Math.round(ms / 1_000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}
