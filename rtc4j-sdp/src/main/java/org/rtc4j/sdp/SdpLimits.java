package org.rtc4j.sdp;

/**
 * Caps on hostile input (trust test BI-15). Real browser descriptions are a few KiB with lines
 * under 300 characters and about 150 attributes per video section, so the caps leave wide
 * margins while bounding work and memory.
 */
public final class SdpLimits {
  private SdpLimits() {}

  /** Characters in a whole description (64 KiB). */
  public static final int MAX_DESCRIPTION_LENGTH = 64 * 1024;
  /** Characters in one line. */
  public static final int MAX_LINE_LENGTH = 4096;
  /** Lines in a whole description. */
  public static final int MAX_LINES = 8192;
  /** Attribute lines in one section (session or media). */
  public static final int MAX_ATTRIBUTES_PER_SECTION = 2048;
  /** m= sections. */
  public static final int MAX_MEDIA_SECTIONS = 256;
  /** Formats on one m= line (payload types are 0..127). */
  public static final int MAX_FORMATS = 128;
}
