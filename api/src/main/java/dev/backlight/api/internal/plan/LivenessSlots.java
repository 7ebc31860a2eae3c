package dev.backlight.api.internal.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Shares buffers between values whose live step ranges do not overlap. Requests are collected,
 * then assigned in order of their first step: each takes the smallest free buffer that fits, else
 * grows the largest free one, else opens a new buffer.
 */
final class LivenessSlots {
    /** {start, end, index} per request, and its size. */
    private final List<int[]> requests = new ArrayList<>();
    private final List<Long> requestSizes = new ArrayList<>();

    /** Asks for {@code size} per image, live over the closed step range [start, end]; returns the request's index. */
    int request(int start, int end, long size) {
        requests.add(new int[] {start, end, requests.size()});
        requestSizes.add(size);
        return requests.size() - 1;
    }

    /**
     * Solves the assignment.
     *
     * @param sizes the plan's buffer sizes; new buffers are appended to it
     * @return for each request, the index of its buffer in {@code sizes}
     */
    int[] assign(List<Long> sizes) {
        int[] bufferOf = new int[requests.size()];
        List<int[]> sorted = new ArrayList<>(requests);
        sorted.sort(Comparator.<int[]>comparingInt(r -> r[0]).thenComparingInt(r -> r[2]));
        List<Integer> buffers = new ArrayList<>();
        List<Integer> busyUntil = new ArrayList<>();
        for (int[] r : sorted) {
            long size = requestSizes.get(r[2]);
            int best = -1;
            for (int s = 0; s < buffers.size(); s++) {
                if (busyUntil.get(s) >= r[0]) {
                    continue;
                }
                long have = sizes.get(buffers.get(s));
                long bestHave = best < 0 ? -1 : sizes.get(buffers.get(best));
                boolean fits = have >= size;
                boolean bestFits = bestHave >= size;
                if (best < 0 || (fits && (!bestFits || have < bestHave)) || (!fits && !bestFits && have > bestHave)) {
                    best = s;
                }
            }
            if (best < 0) {
                sizes.add(size);
                buffers.add(sizes.size() - 1);
                busyUntil.add(r[1]);
                best = buffers.size() - 1;
            } else {
                int buffer = buffers.get(best);
                sizes.set(buffer, Math.max(sizes.get(buffer), size));
                busyUntil.set(best, r[1]);
            }
            bufferOf[r[2]] = buffers.get(best);
        }
        return bufferOf;
    }
}
