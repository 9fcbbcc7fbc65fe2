// The nodelet command line.
import { Command, CommanderError } from 'commander';
import { runCommand } from './run-command.ts';

const program = new Command();
program
  .name('nodelet')
  .description('A Kubernetes node in one process: run Pod manifests with the kubelet’s lifecycle.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

program.addCommand(runCommand());
try {
  const { serverCommand } = (await import('./server-command.ts').catch(() => ({ serverCommand: undefined }))) as {
    serverCommand?: () => Command;
  };
  if (serverCommand) program.addCommand(serverCommand());
} catch {
  // the server command is optional while it is being built
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  throw e;
}
