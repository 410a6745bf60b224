import { describe, expect, it } from 'vitest';
import { serveCommand, startCommand } from '../commands/daemons.js';
import { commandHelp, mainHelp } from './help.js';
import { COMMANDS } from './main.js';

describe('help', () => {
  it('jobs --help names every variable, with the token rule and the allowed hosts and origins', () => {
    const help = mainHelp(COMMANDS, '1.2.3');
    for (const name of [
      'DATABASE_URL',
      'JOBS_SCHEMA',
      'MAX_RETRIES',
      'BACKGROUND_JOB_LOG_DIRECTORY',
      'BACKGROUND_JOB_ERROR_LOG_DIRECTORY',
      'PORT',
      'JOBS_URL',
      'JOBS_API_TOKEN',
      'JOBS_ALLOWED_HOSTS',
      'JOBS_ALLOWED_ORIGINS',
    ]) {
      expect(help).toContain(name);
    }
    expect(help).toMatch(/JOBS_API_TOKEN[^\n]*at least 32 characters/);
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('jobs serve --help and jobs start --help say what listening beyond loopback needs', () => {
    for (const command of [serveCommand, startCommand]) {
      const help = commandHelp(command);
      expect(help, command.name).toMatch(/--host <address>[^\n]*32 characters/);
      expect(help, command.name).toContain('JOBS_ALLOWED_HOSTS');
      expect(help, command.name).toContain('JOBS_ALLOWED_ORIGINS');
    }
    expect(commandHelp(serveCommand)).toMatch(
      /# [^\n]*JOBS_API_TOKEN[^\n]*\n {2}jobs serve --host 0\.0\.0\.0\n/,
    );
  });
});
