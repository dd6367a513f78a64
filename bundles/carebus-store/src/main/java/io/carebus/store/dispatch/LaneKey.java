package io.carebus.store.dispatch;

/**
 * Which lane runs a message. Messages with the same key run one after another in arrival order; different keys run
 * side by side. A message that must run alone (an HL7 merge touches two patients) waits until every lane is idle.
 */
public interface LaneKey {

    /** Every message on the first lane, in arrival order. */
    LaneKey FIRST = new LaneKey() {
        @Override
        public int lane(int lanes) {
            return 0;
        }

        @Override
        public boolean alone() {
            return false;
        }
    };

    /** Which of {@code lanes} lanes (0-based); the same key must always give the same lane. */
    int lane(int lanes);

    /** It runs alone: after everything handed over before it, and before anything after it. */
    boolean alone();
}
