package org.rtc4j.turn.server;

import java.util.Arrays;

/**
 * A small open-addressing map from positive {@code int} keys to objects, without boxing, for the
 * channel-number lookup on the ChannelData hot path. Linear probing; removal by backward shift.
 * Not thread-safe.
 *
 * @param <V> value type
 */
final class IntObjectMap<V> {

  private int[] keys = new int[8];
  private Object[] values = new Object[8];
  private int size;

  /** The value for {@code key} (> 0), or null. */
  @SuppressWarnings("unchecked")
  V get(int key) {
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      int k = keys[i];
      if (k == key) {
        return (V) values[i];
      }
      if (k == 0) {
        return null;
      }
    }
  }

  /** Maps {@code key} (> 0) to {@code value} (not null). */
  void put(int key, V value) {
    if (key <= 0 || value == null) {
      throw new IllegalArgumentException("key must be positive and value non-null");
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
      if (keys[i] == 0) {
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
    }
  }

  /** Removes {@code key}; returns whether it was present. */
  boolean remove(int key) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != key) {
      if (keys[i] == 0) {
        return false;
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps every probe chain unbroken.
    int hole = i;
    for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      int home = mix(keys[j]) & mask;
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    values[hole] = null;
    size--;
    return true;
  }

  int size() {
    return size;
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        @SuppressWarnings("unchecked")
        V v = (V) oldValues[i];
        put(oldKeys[i], v);
      }
    }
  }

  void clear() {
    Arrays.fill(keys, 0);
    Arrays.fill(values, null);
    size = 0;
  }

  private static int mix(int key) {
    int h = key * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
