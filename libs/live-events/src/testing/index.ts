export { manualClockTime, type SchedulingClock } from './manual-clock-time';
export {
  CrmTestReceiver,
  type CrmTestReceiverOptions,
  type ReceivedCrmBatch,
  type ReceivedCrmRecord,
} from './crm-test-receiver';
