import { JOB_STATES as CORE_JOB_STATES } from '@jobs/core';
import type { InferResponseType } from 'hono/client';
import type { ApiClient } from './client.js';

type Api = ApiClient['api'];

/** A job as the API sends it (dates as ISO strings). */
export type Job = InferResponseType<Api['jobs'][':id']['$get'], 200>;
/** One of the job states. */
export type JobState = Job['state'];
/** One page of the job list. */
export type JobPage = InferResponseType<Api['jobs']['$get'], 200>;
/** Counts by state and queue, and the throughput series. */
export type Stats = InferResponseType<Api['stats']['$get'], 200>;
/** Counts of jobs in each state. */
export type StateCounts = Stats['byState'];
/** One known queue. */
export type Queue = InferResponseType<Api['queues']['$get'], 200>['queues'][number];
/** One registered handler. */
export type HandlerInfo = InferResponseType<Api['handlers']['$get'], 200>['handlers'][number];
/** The tail of one of the two log files. */
export type LogTail = InferResponseType<Api['logs']['jobs']['$get'], 200>;
/** What a bulk action did. */
export type ActionResult = InferResponseType<Api['jobs']['actions']['$post'], 200>;
/** The body of an enqueue request. */
export type EnqueueRequest = Parameters<Api['jobs']['$post']>[0]['json'];
/** One schedule as listed (with its last job). */
export type Schedule = InferResponseType<Api['schedules']['$get'], 200>['schedules'][number];
/** A bulk action's name. */
export type JobAction = ActionResult['action'];

/** Every job state, in lifecycle order: core's list, which the API's schema is built from. */
export const JOB_STATES: readonly JobState[] = CORE_JOB_STATES;

// Fails to compile if the API gains a state this list lacks.
type MissingState = Exclude<JobState, (typeof CORE_JOB_STATES)[number]>;
const noMissingState: MissingState extends never ? true : false = true;
void noMissingState;
