package dev.backlight.cpu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Assigns buffers to values by liveness: values whose live intervals do not overlap may share a
 * buffer (best fit, growing a buffer when none is large enough). Intervals are closed step ranges.
 */
final class SlotAllocator {
    private final List<int[]> requests = new ArrayList<>();

    /** Asks for {@code size} floats per image, live from step {@code start} to step {@code end}. */
    int request(int start, int end, int size) {
        requests.add(new int[] {start, end, size, requests.size()});
        return requests.size() - 1;
    }

    /**
     * Solves the assignment.
     *
     * @param sizes receives the per-image size of each new buffer, appended after its current content
     * @return for each request, the index of its buffer in {@code sizes}
     */
    int[] assign(List<Integer> sizes) {
        int[] slotOf = new int[requests.size()];
        List<int[]> sorted = new ArrayList<>(requests);
        sorted.sort(Comparator.<int[]>comparingInt(r -> r[0]).thenComparingInt(r -> r[3]));
        List<Integer> slots = new ArrayList<>();
        List<Integer> busyUntil = new ArrayList<>();
        for (int[] r : sorted) {
            int best = -1;
            for (int s = 0; s < slots.size(); s++) {
                if (busyUntil.get(s) >= r[0]) {
                    continue;
                }
                int have = sizes.get(slots.get(s));
                int bestHave = best < 0 ? -1 : sizes.get(slots.get(best));
                boolean fits = have >= r[2];
                boolean bestFits = bestHave >= r[2];
                if (best < 0 || (fits && (!bestFits || have < bestHave)) || (!fits && !bestFits && have > bestHave)) {
                    best = s;
                }
            }
            if (best < 0) {
                sizes.add(r[2]);
                slots.add(sizes.size() - 1);
                busyUntil.add(r[1]);
                best = slots.size() - 1;
            } else {
                int buffer = slots.get(best);
                sizes.set(buffer, Math.max(sizes.get(buffer), r[2]));
                busyUntil.set(best, r[1]);
            }
            slotOf[r[3]] = slots.get(best);
        }
        return slotOf;
    }
}
