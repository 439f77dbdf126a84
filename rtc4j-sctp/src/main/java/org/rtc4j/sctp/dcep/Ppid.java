package org.rtc4j.sctp.dcep;

/** SCTP payload protocol identifiers of WebRTC (RFC 8831 §8, RFC 8832 §8.1). */
public final class Ppid {
  public static final int DCEP = 50;
  public static final int STRING = 51;
  /** Deprecated partial string (never sent; accepted as text). */
  public static final int STRING_PARTIAL = 52;
  public static final int BINARY = 53;
  /** Deprecated partial binary (never sent; accepted as binary). */
  public static final int BINARY_PARTIAL = 54;
  public static final int STRING_EMPTY = 56;
  public static final int BINARY_EMPTY = 57;

  private Ppid() {}
}
