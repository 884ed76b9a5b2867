// The orchestrators as pure decision functions over the store's tasks, services and nodes in
// Docker's JSON shapes. Each returns TaskChanges for the caller to commit; none keeps state,
// except the rolling-update supervisor, whose small memory the caller hands back each time.

export { emptyChanges, mergeChanges, type DelayedStart, type TaskChanges, type TaskUpdate } from './types.js';
export { invalidNode, isJob, isTaskDirty, newTask, restartPolicy, type ResolvedRestartPolicy } from './task.js';
export { isUpdatable, shouldRestart } from './restart-history.js';
export { reconcileReplicated, scaleDownOrder } from './replicated.js';
export { reconcileGlobal } from './global.js';
export { reconcileGlobalJob, reconcileReplicatedJob } from './jobs.js';
export { restartDecisions, type RestartOptions } from './restart.js';
export { OLD_TASK_TIMEOUT_MS, startDelayedTasks, type DelayedStartResult } from './delayed-start.js';
export { pruneHistory, reapRemovedTasks } from './task-reaper.js';
export { NODE_DOWN_PERIOD_MS, orphanTasks, orphanTasksOfRemovedNode } from './orphan.js';
export {
  advanceUpdate,
  ROLLBACK_COMPLETED,
  rollbackPausedMessage,
  UPDATE_COMPLETED,
  UPDATE_IN_PROGRESS,
  updatePausedMessage,
  updateRolledBackMessage,
  type UpdateLane,
  type UpdateMemory,
  type UpdateStep,
  type UpdateStepInput,
} from './update.js';
