package dev.speechmamba.lm;

import java.util.Arrays;

/**
 * Packed n-gram keys to dense indices 0, 1, 2, … in insertion order (open addressing, linear probing). An LM of a
 * million n-grams held as boxed {@code HashMap<Long, Integer>} entries costs ten times the memory of these arrays.
 */
final class LongIndexMap {
    private static final long EMPTY = Long.MIN_VALUE; // never a packed key: keys are non-negative

    private long[] slots;
    private int[] indices;
    private long[] keysInOrder;
    private int size;

    LongIndexMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[capacity];
        Arrays.fill(slots, EMPTY);
        indices = new int[capacity];
        keysInOrder = new long[Math.max(16, expected)];
    }

    int size() { return size; }

    /** The index of {@code key}, or -1. */
    int get(long key) {
        int mask = slots.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = slots[i];
            if (k == key) return indices[i];
            if (k == EMPTY) return -1;
        }
    }

    /** The index of {@code key}, adding it (with the next index) when absent. */
    int getOrAdd(long key) {
        if (key < 0) throw new IllegalArgumentException("n-gram key must be non-negative, got " + key);
        if (2 * (size + 1) > slots.length) grow();
        int mask = slots.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = slots[i];
            if (k == key) return indices[i];
            if (k == EMPTY) {
                slots[i] = key;
                indices[i] = size;
                if (size == keysInOrder.length) keysInOrder = Arrays.copyOf(keysInOrder, size * 2);
                keysInOrder[size] = key;
                return size++;
            }
        }
    }

    /** The key with index {@code index}. */
    long key(int index) { return keysInOrder[index]; }

    private void grow() {
        long[] oldSlots = slots;
        int[] oldIndices = indices;
        slots = new long[oldSlots.length * 2];
        Arrays.fill(slots, EMPTY);
        indices = new int[slots.length];
        int mask = slots.length - 1;
        for (int j = 0; j < oldSlots.length; j++) {
            long k = oldSlots[j];
            if (k == EMPTY) continue;
            int i = mix(k) & mask;
            while (slots[i] != EMPTY) i = (i + 1) & mask;
            slots[i] = k;
            indices[i] = oldIndices[j];
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
