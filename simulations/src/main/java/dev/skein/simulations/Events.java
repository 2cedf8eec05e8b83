package dev.skein.simulations;

import java.util.ArrayList;
import java.util.List;

/**
 * Every route installed or removed anywhere in the simulation, with its time: the measurements are read from
 * this log, and a test can ask whether a live member was ever removed.
 */
final class Events {
    /** One change of one node's route table: {@code at} is System.nanoTime(). */
    record Change(long at, String node, String member, boolean installed) {}

    private final List<Change> changes = new ArrayList<>();

    synchronized void installed(String node, String member) {
        changes.add(new Change(System.nanoTime(), node, member, true));
    }

    synchronized void removed(String node, String member) {
        changes.add(new Change(System.nanoTime(), node, member, false));
    }

    /** The changes recorded at or after {@code since}. */
    synchronized List<Change> since(long since) {
        List<Change> out = new ArrayList<>();
        for (Change c : changes) {
            if (c.at() >= since) {
                out.add(c);
            }
        }
        return out;
    }

    /** When {@code node} first removed {@code member} at or after {@code since}, if it did. */
    synchronized java.util.OptionalLong removedAt(String node, String member, long since) {
        for (Change c : changes) {
            if (c.at() >= since && !c.installed() && c.node().equals(node) && c.member().equals(member)) {
                return java.util.OptionalLong.of(c.at());
            }
        }
        return java.util.OptionalLong.empty();
    }

    synchronized void clear() {
        changes.clear();
    }
}
