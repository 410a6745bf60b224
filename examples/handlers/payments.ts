import { jobContext } from '@jobs/worker';

/** A flaky payment gateway: fails at random, so its jobs show retries with backoff. */
export const payments = {
  /** Charges an order; fails with probability `failureRate` (0..1, default 0.5). */
  async charge(
    orderId: string,
    amountCents: number,
    failureRate = 0.5,
  ): Promise<{ receipt: string }> {
    const { attempt, log } = jobContext();
    log(`charging ${amountCents} cents for order ${orderId} (attempt ${attempt})`);
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));
    if (Math.random() < failureRate) {
      throw new Error(`payment gateway timed out for order ${orderId}`);
    }
    return { receipt: `rcpt_${orderId}_${attempt}` };
  },
};
