import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One subcommand of `photocluster`. Each lives in its own module under core/cli/ and exports `command`. */
export interface Command {
  name: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

/** Thrown for bad command-line input: printed with the usage, exit code 2. */
export class UsageError extends Error {}

interface CommandEntry {
  name: string;
  summary: string;
  /** Loaded only when chosen, so `photocluster scan` never pays for TF.js start-up. */
  load: () => Promise<{ command: Command }>;
}

const COMMANDS: CommandEntry[] = [
  { name: 'scan', summary: 'add a folder of photos to the library, or bring it up to date', load: () => import('./cli/scan.js') },
  { name: 'cluster', summary: 'scan a folder if needed, then group its photos (fine-tune mode by default)', load: () => import('./cli/cluster.js') },
  { name: 'rename', summary: 'rename a group', load: () => import('./cli/editCommands.js').then((m) => ({ command: m.rename })) },
  { name: 'move', summary: 'move photos to another group', load: () => import('./cli/editCommands.js').then((m) => ({ command: m.move })) },
  { name: 'merge', summary: 'merge groups into the first one', load: () => import('./cli/editCommands.js').then((m) => ({ command: m.merge })) },
  { name: 'split', summary: 'split a group into n groups', load: () => import('./cli/editCommands.js').then((m) => ({ command: m.split })) },
  { name: 'undo', summary: 'undo the last edit', load: () => import('./cli/editCommands.js').then((m) => ({ command: m.undo })) },
  { name: 'redo', summary: 'redo the last undone edit', load: () => import('./cli/editCommands.js').then((m) => ({ command: m.redo })) },
  { name: 'export', summary: 'copy (or link, or move) groups into folders named after them', load: () => import('./cli/export.js') },
  { name: 'serve', summary: 'run the app in the browser (127.0.0.1 only, with a per-launch token)', load: () => import('./cli/serve.js') },
  { name: 'train', summary: 'train DCCM on a folder (class-per-folder: scored against its labels) and print its clusters', load: () => import('./cli/train.js') },
];

function printHelp(): void {
  const lines = ['Usage: photocluster <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `photocluster <command> --help` for its options.');
  process.stdout.write(lines.join('\n') + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`photocluster: unknown command "${name}"\n`);
    printHelp();
    return 2;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    const parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    return await command.run({ values: parsed.values as Record<string, unknown>, positionals: parsed.positionals });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`photocluster ${name}: ${(err as Error).message}\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`photocluster ${name}: ${(err as Error).message}\n`);
    // What an error holds for the curious (plain words first, the technical reason after).
    const details = (err as { details?: unknown }).details;
    if (typeof details === 'string' && details) process.stderr.write(`  details: ${details}\n`);
    return 1;
  }
}
