// `node --import tsx test/helpers/runAsUser.ts <uid> <photocluster args...>`: the CLI's own main(), run with the
// privileges of <uid>. Modules are loaded first, as root, so the checkout need not be readable by that user; only
// then are the privileges dropped, before any photo or database is touched.
import { main } from '../../core/cli.js';

await import('../../core/cli/scan.js');
await import('../../core/library/scan.js');
await import('../../core/store/db.js');

const id = Number(process.argv[2]);
if (!process.setgroups || !process.setgid || !process.setuid) throw new Error('switching users needs a POSIX system');
process.setgroups([id]);
process.setgid(id);
process.setuid(id);
process.exitCode = await main(process.argv.slice(3));
