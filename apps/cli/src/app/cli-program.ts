import { Argument, Command, Option } from 'commander';
import { lazy } from './lazy-modules';
import type { CommandContext } from './runtime/command-context';
import type { ExitCode } from './runtime/exit-code';

export const VERSION = '0.1.0';

/** Runs one command's handler with the context built from the global options. */
export type Dispatch = (command: Command, handler: (context: CommandContext) => Promise<ExitCode | void>) => Promise<void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/**
 * The command tree: names, flags, help and examples. Handlers are loaded only when their
 * command runs, so `--help`, completion and usage errors answer at once without loading
 * the Genesys libraries.
 */
export function buildProgram(dispatch: Dispatch): Command {
  const program = new Command('gcm')
    .description('gcm: Genesys Cloud web messaging from the command line — guest sessions, messages, history, search, archives, audit and live events.')
    .version(VERSION, '-V, --version')
    .option('-p, --profile <name>', 'use this profile of the config file (GCM_PROFILE; file: GCM_CONFIG or ~/.config/gcm/config.json)')
    .option('--json', 'machine-readable output: JSON on stdout (NDJSON for streams), JSON errors on stderr')
    .option('-q, --quiet', 'print results and errors only (no notes, no progress)')
    .option('-v, --verbose', 'print diagnostics (hosts, retries) on stderr')
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Configuration: GENESYSCLOUD_REGION, GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET
(GENESYSCLOUD_API_BASE_URL / _LOGIN_BASE_URL for proxies and the sandbox), GCM_DEPLOYMENT_ID,
GCM_DATABASE_URL, GCM_ARCHIVE_DIR, GCM_AUDIT_DIR — from the environment, .env, or a profile.

Exit codes: 0 ok, 1 failure, 2 usage, 3 authentication/permission, 4 rate limit or
request budget exhausted, 130 interrupted (Ctrl-C; long commands print how to resume).
${examples([
  'gcm sandbox                                  # the local Genesys emulator, saved as profile "sandbox"',
  'gcm -p sandbox doctor',
  'gcm -p sandbox search --from 7d --messenger-type webmessaging | jq -r .conversationId',
  'gcm -p sandbox history <conversationId> --format markdown',
  'gcm completion bash > ~/.local/share/bash-completion/completions/gcm',
])}`,
    );

  program
    .command('doctor')
    .description('check the region, credentials, token and the permissions each feature needs, with real calls')
    .addHelpText('after', examples(['gcm doctor', 'gcm --profile prod doctor --json | jq \'.checks[] | select(.status != "ok")\'']))
    .action((_options, command: Command) => dispatch(command, (context) => lazy.doctor().runDoctor(context)));

  const session = program.command('session').description('web messaging guest sessions');
  session
    .command('create')
    .description('open a guest session on a web messaging deployment (the guest WebSocket) and print its token')
    .option('-d, --deployment-id <id>', 'web messaging deployment (GCM_DEPLOYMENT_ID)')
    .option('--origin <url>', 'Origin header: an allowed domain of the deployment (GCM_GUEST_ORIGIN)')
    .option('-m, --message <text>', 'send this first message right away')
    .option('-a, --attribute <name=value>', 'custom attribute sent with the first message (repeatable)', collect)
    .addHelpText(
      'after',
      `\nThe token resumes the session (gcm message send --session <token>); treat it like a password.\n${examples([
        'gcm session create --deployment-id 8d0f…',
        'TOKEN=$(gcm session create --json | jq -r .token)',
      ])}`,
    )
    .action((_options, command: Command) => dispatch(command, (context) => lazy.session().runSessionCreate(context, command.opts())));

  const message = program.command('message').description('send messages');
  message
    .command('send')
    .description('send a message as the guest of a session (--session) or as the connected agent of a conversation (--conversation); validated exactly as the API does before anything is sent')
    .option('-s, --session <token>', 'guest session token from `gcm session create`')
    .option('-c, --conversation <id>', 'send as the connected agent of this conversation (REST)')
    .option('-t, --text <text>', 'message text; "-" reads it from stdin')
    .option('-f, --file <path>', 'attach this file (guest sessions)')
    .option('--mime-type <type>', 'MIME type of --file (default: from its extension)')
    .option('-a, --attribute <name=value>', 'custom attribute (guest sessions; repeatable)', collect)
    .option('-d, --deployment-id <id>', 'deployment of the session (GCM_DEPLOYMENT_ID)')
    .option('--origin <url>', 'Origin header for the guest socket (GCM_GUEST_ORIGIN)')
    .option('-w, --wait-reply [seconds]', 'wait for the next agent message and print it (default 30 s)')
    .addHelpText(
      'after',
      examples([
        'gcm message send --session "$TOKEN" --text "Where is my order?" --attribute orderId=42 --wait-reply',
        'echo "Thanks, we are on it" | gcm message send --conversation 3f2a… --text -',
        'gcm message send --session "$TOKEN" --file receipt.pdf --text "Here it is"',
      ]),
    )
    .action((_options, command: Command) => dispatch(command, (context) => lazy.message().runMessageSend(context, command.opts())));

  program
    .command('history')
    .description('a conversation\'s messages as a verified timeline (ordering, duplicates, gaps, receipts)')
    .argument('<conversationId>', 'the conversation')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'text', 'markdown', 'json']).default('table'))
    .option('--from <time>', 'keep messages from this time (24h, 2026-01-31, ISO-8601)')
    .option('--to <time>', 'keep messages before this time')
    .option('--message-type <type>', 'keep these normalizedMessage types: Text, Structured, Event, … (repeatable)', collect)
    .option('--receipts', 'list the receipts of outbound messages (text, markdown)')
    .option('--strict', 'exit 1 when the integrity report is not clean')
    .addHelpText(
      'after',
      examples(['gcm history 3f2a… ', 'gcm history 3f2a… --format markdown > transcript.md', 'gcm history 3f2a… --json | jq .integrity']),
    )
    .action((conversationId: string, _options, command: Command) =>
      dispatch(command, (context) => lazy.history().runHistory(context, conversationId, command.opts())),
    );

  program
    .command('search')
    .description('find conversations in a time window; one JSON object per line (NDJSON) on stdout')
    .requiredOption('--from <time>', 'window start: 24h, 7d, 2026-01-31 (UTC) or ISO-8601')
    .option('--to <time>', 'window end, exclusive', 'now')
    .option('--media-type <type>', 'message (default), voice, chat, email, … or "any"')
    .option('--messenger-type <type>', 'webmessaging, open, sms, whatsapp, … (repeatable)', collect)
    .option('--queue <id>', 'queue id (repeatable)', collect)
    .option('--division <id>', 'division id (repeatable)', collect)
    .option('--conversation <id>', 'conversation id (repeatable)', collect)
    .addOption(new Option('--direction <direction>', 'originating direction').choices(['inbound', 'outbound']))
    .option('--external-tag <tag>', 'external tag')
    .addOption(new Option('--match <rule>', 'started: began in the window; activity: active in it').choices(['started', 'activity']).default('started'))
    .addOption(new Option('--strategy <strategy>', 'analytics source').choices(['auto', 'query', 'jobs']).default('auto'))
    .option('--attributes', 'use the participant attribute search (rows carry participant attributes)')
    .option('-n, --max <count>', 'stop after this many results and print a resume token')
    .option('-r, --resume <token>', 'continue an earlier search (same window and filters) after its last result')
    .option('--max-requests <count>', 'stop after about this many Genesys API calls (exit 4, resumable)')
    .addHelpText(
      'after',
      `\nCtrl-C, --max and --max-requests stop cleanly and print a resume token on stderr.\n${examples([
        'gcm search --from 24h | jq -r .conversationId',
        'gcm search --from 2026-01-01 --to 2026-02-01 --messenger-type webmessaging --max 1000 > jan.ndjson',
        'gcm search --from 2026-01-01 --to 2026-02-01 --messenger-type webmessaging --resume eyJ2Ijox… >> jan.ndjson',
      ])}`,
    )
    .action((_options, command: Command) => dispatch(command, (context) => lazy.search().runSearch(context, command.opts())));

  const archive = program.command('archive').description('archive conversations and verify archives');
  archive
    .command('run')
    .description('archive every conversation of a window: search → history → archive sink, idempotent and resumable')
    .requiredOption('--from <time>', 'window start: 24h, 7d, 2026-01-31 (UTC) or ISO-8601')
    .option('--to <time>', 'window end, exclusive', 'now')
    .option('-o, --out <dir>', 'archive directory (GCM_ARCHIVE_DIR, default ./var/archive)')
    .option('--database <url>', 'state database (GCM_DATABASE_URL, default sqlite:./var/gcm.sqlite)')
    .addOption(new Option('--match <rule>', 'activity: conversations active in the window; started: begun in it').choices(['activity', 'started']).default('activity'))
    .option('--concurrency <n>', 'conversations archived at once', '4')
    .option('--max-requests <count>', 'stop after about this many Genesys API calls (exit 4, resumable)')
    .option('--audit-dir <dir>', 'record the run and each conversation in this hash-chained audit trail (e.g. ./var/audit/cli)')
    .option('--restart', 'drop the unfinished window an earlier run of the same command resolved, and begin afresh')
    .addHelpText(
      'after',
      `\nThe same command again continues an interrupted run: a relative --from (24h, 8d) keeps the window it resolved the first time, until that window is complete. Unchanged conversations are skipped.\n${examples([
        'gcm archive run --from 2026-01-01 --to 2026-01-02',
        'gcm archive run --from 24h --out /mnt/archive --json | jq .archived',
      ])}`,
    )
    .action((_options, command: Command) => dispatch(command, (context) => lazy.archive().runArchive(context, command.opts())));
  archive
    .command('verify')
    .description('re-hash every archived version, check each record\'s own content hash, and compare with the archive index')
    .option('-d, --dir <dir>', 'archive directory (GCM_ARCHIVE_DIR, default ./var/archive)')
    .option('--conversation <id>', 'verify this conversation only (repeatable)', collect)
    .option('--database <url>', 'compare with the archive index in this database (GCM_DATABASE_URL; default: when ./var/gcm.sqlite exists)')
    .option('--no-index', 'do not compare with the archive index')
    .addHelpText('after', examples(['gcm archive verify', 'gcm archive verify --dir /mnt/archive --json | jq .problems']))
    .action((_options, command: Command) => dispatch(command, (context) => lazy.archive().runArchiveVerify(context, command.opts())));

  const audit = program.command('audit').description('the hash-chained audit trail');
  audit
    .command('verify')
    .description('check every record of an audit trail: hashes, sequence, chain, torn or missing files')
    .option('-d, --dir <dir>', 'trail directory (GCM_AUDIT_DIR, default ./var/audit)')
    .option('--expected-head <seq:hash>', 'the head recorded elsewhere; detects a cut-off end')
    .addHelpText('after', examples(['gcm audit verify', 'gcm audit verify --dir ./var/audit/api --expected-head 1234:9f86d0…']))
    .action((_options, command: Command) => dispatch(command, (context) => lazy.audit().runAuditVerify(context, command.opts())));

  program
    .command('queues')
    .description('the routing queues of the org: name, id, division, members (what events tail --queue and search --queue take)')
    .addHelpText('after', examples(['gcm queues', 'gcm events tail --queue "$(gcm queues --json | jq -r \'.[0].id\')"']))
    .action((_options, command: Command) => dispatch(command, (context) => lazy.queues().runQueues(context)));

  const events = program.command('events').description('live conversation events (notifications API)');
  events
    .command('tail')
    .description('follow conversation events of queues or users (one line each; NDJSON with --json) until Ctrl-C')
    .option('--queue <name or id>', 'queue whose conversations to follow, by name or id (`gcm queues` lists them; repeatable)', collect)
    .option('--user <id>', 'user whose conversations to follow (repeatable)', collect)
    .option('--conversation <id>', 'only events of this conversation (repeatable)', collect)
    .option('--type <type>', 'only events of this type: message.received, participant.state.changed, … (repeatable)', collect)
    .option('--since <time>', 'first re-read what changed since then (the instant a stopped tail printed)')
    .option('-n, --max <count>', 'stop after this many events')
    .addHelpText('after', examples(['gcm events tail --queue Orders', 'gcm events tail --queue 6a1f… --type message.received --json | jq -r .message.text', 'gcm events tail --queue 6a1f… --since 2026-03-01T10:15:00Z   # continue where an earlier tail stopped']))
    .action((_options, command: Command) => dispatch(command, (context) => lazy.events().runEventsTail(context, command.opts())));

  program
    .command('sandbox')
    .description('start the local Genesys Cloud emulator (seeded data, no org needed) and save it as a profile')
    .option('--port <port>', 'TCP port, 0 picks a free one', '4010')
    .option('--seed <n>', 'data seed', '42')
    .option('--conversations <n>', 'generated conversations', '500')
    .option('--days <n>', 'conversations start within this many days before now', '30')
    .option('--save-profile <name>', 'profile to save the sandbox credentials under', 'sandbox')
    .option('--no-save-profile', 'do not touch the config file')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      `\nOther emulator flags (--faults flaky, --rate-limit 300, --agent-reply-ms off, …) are passed through;\n\`npm run sandbox -- --help\` lists them. Ctrl-C stops it.\n${examples(['gcm sandbox', 'gcm sandbox --port 0 --faults flaky --json'])}`,
    )
    .action((_options, command: Command) =>
      dispatch(command, (context) => lazy.sandbox().runSandbox(context, command.opts(), command.args)),
    );

  const config = program.command('config').description('profiles and resolved settings');
  config
    .command('show')
    .description('the settings in use and where each comes from (secrets are never shown)')
    .action((_options, command: Command) => dispatch(command, (context) => lazy.config().runConfigShow(context)));
  config
    .command('list')
    .description('the profiles of the config file')
    .option('--names', 'only the profile names, one a line (what shell completion offers after -p)')
    .action((_options, command: Command) => dispatch(command, (context) => lazy.config().runConfigList(context, command.opts())));

  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText('after', examples(['source <(gcm completion bash)', 'gcm completion zsh > "${fpath[1]}/_gcm"']))
    .action((shell: string, _options, command: Command) =>
      dispatch(command, (context) => lazy.completion().runCompletion(context, program, shell)),
    );

  return program;
}
