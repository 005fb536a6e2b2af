/** The validated SchedulerConfig. */
export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');
