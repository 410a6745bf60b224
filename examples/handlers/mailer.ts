import { jobContext } from '@jobs/worker';
import { z } from 'zod';

/** A mailer whose params are checked against a schema (the wizard re-asks on a bad address). */
export const mailer = {
  async send(to: string, subject: string): Promise<{ sent: string }> {
    jobContext().log(`sending "${subject}" to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    return { sent: to };
  },
};

/** `mailer.send(to, subject)`: an e-mail address and a subject that is not empty. */
export const mailerSchemas = {
  send: z.tuple([z.email(), z.string().min(1)]),
};
