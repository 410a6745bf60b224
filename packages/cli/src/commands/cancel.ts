import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { expectIds } from '../cli/positionals.js';
import { changeEach } from './change-each.js';

/** `jobs cancel <id...>`. */
export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel jobs (a running one is told to stop)',
  usage: 'cancel <id...> [--json]',
  options: { ...JSON_OPTION, ...CLIENT_OPTIONS },
  examples: [
    ['cancel 42', 'cancel job 42'],
    ['cancel 42 43 44', 'several at once'],
  ],
  run: (context) => changeEach(context, 'cancel', expectIds(context, 'cancel')),
};
