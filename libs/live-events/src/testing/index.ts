export { manualClockTime, type SchedulingClock } from './manual-clock-time';
