// The nodelet command line.
import { Command, CommanderError } from 'commander';
import { runCommand } from './run-command.ts';
import { getCommand } from './get-command.ts';
import { imageCommand } from './image-command.ts';
import { serverCommand } from './server-command.ts';

// A closed pipe (`nodelet run … | head`) must not crash the node and strand its containers:
// output to a reader that has gone is dropped, as the work itself goes on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

const program = new Command();
program
  .name('nodelet')
  .description('A Kubernetes node in one process: run Pod manifests with the kubelet’s lifecycle.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

program.addCommand(runCommand());
program.addCommand(serverCommand());
program.addCommand(imageCommand());
program.addCommand(getCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  throw e;
}
