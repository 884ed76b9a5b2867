// Deliberate bugs, switched on only by environment variables that exist for one purpose: proving
// that swarmlab chaos's checkers catch a broken cluster. Never set them for anything else.

/** SWARMLAB_FAULT_LOCAL_READS=1: managers answer reads from their own store, with no forwarding
 * to the leader and no ReadIndex round — a follower cut off from the leader serves stale data. */
export const LOCAL_READS = process.env.SWARMLAB_FAULT_LOCAL_READS === '1';
