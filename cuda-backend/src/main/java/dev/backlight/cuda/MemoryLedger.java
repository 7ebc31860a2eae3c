package dev.backlight.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Device memory accounting of one backend: every live allocation with its size and label, the
 * bytes held now and the peak. At close the backend asks for {@link #outstanding()}: anything
 * still listed is a leak, reported by label (and freed by the backend).
 *
 * <p>Thread-safe.
 */
final class MemoryLedger {
    /** One live allocation. */
    record Allocation(long address, long bytes, String label) {
    }

    private final Map<Long, Allocation> live = new LinkedHashMap<>();
    private long held;
    private long peak;

    synchronized void recordAllocation(long address, long bytes, String label) {
        if (live.putIfAbsent(address, new Allocation(address, bytes, label)) != null) {
            throw new IllegalStateException("device address 0x" + Long.toHexString(address) + " allocated twice (" + label + ")");
        }
        held += bytes;
        peak = Math.max(peak, held);
    }

    /**
     * Removes an allocation.
     *
     * @throws IllegalStateException if the address is not a live allocation (a double free)
     */
    synchronized Allocation recordFree(long address) {
        Allocation a = live.remove(address);
        if (a == null) {
            throw new IllegalStateException("device address 0x" + Long.toHexString(address) + " is not a live allocation (freed twice?)");
        }
        held -= a.bytes();
        return a;
    }

    /** Bytes held now. */
    synchronized long heldBytes() {
        return held;
    }

    /** The most bytes held at once since creation or the last {@link #resetPeak()}. */
    synchronized long peakBytes() {
        return peak;
    }

    /** Starts a new peak measurement from what is held now. */
    synchronized void resetPeak() {
        peak = held;
    }

    /** The live allocations, oldest first. */
    synchronized List<Allocation> outstanding() {
        return new ArrayList<>(live.values());
    }

    /** "3 allocations, 12.0 MiB: model buffers (8.0 MiB), ..." for leak reports. */
    static String describe(List<Allocation> allocations) {
        long total = allocations.stream().mapToLong(Allocation::bytes).sum();
        StringBuilder sb = new StringBuilder().append(allocations.size()).append(allocations.size() == 1 ? " allocation, " : " allocations, ")
                .append(mib(total));
        String sep = ": ";
        for (Allocation a : allocations.subList(0, Math.min(8, allocations.size()))) {
            sb.append(sep).append(a.label()).append(" (").append(mib(a.bytes())).append(')');
            sep = ", ";
        }
        if (allocations.size() > 8) {
            sb.append(", ...");
        }
        return sb.toString();
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
