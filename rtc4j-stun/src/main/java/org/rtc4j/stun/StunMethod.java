package org.rtc4j.stun;

/**
 * STUN method numbers (12 bits). Binding is RFC 8489 §18.2; Allocate..ChannelBind are RFC 8656
 * §17; Connect, ConnectionBind and ConnectionAttempt are RFC 6062 §6.1.
 */
public final class StunMethod {
  /** Binding (RFC 8489). */
  public static final int BINDING = 0x001;
  /** Allocate (RFC 8656). */
  public static final int ALLOCATE = 0x003;
  /** Refresh (RFC 8656). */
  public static final int REFRESH = 0x004;
  /** Send, indication only (RFC 8656). */
  public static final int SEND = 0x006;
  /** Data, indication only (RFC 8656). */
  public static final int DATA = 0x007;
  /** CreatePermission (RFC 8656). */
  public static final int CREATE_PERMISSION = 0x008;
  /** ChannelBind (RFC 8656). */
  public static final int CHANNEL_BIND = 0x009;
  /** Connect (RFC 6062). */
  public static final int CONNECT = 0x00A;
  /** ConnectionBind (RFC 6062). */
  public static final int CONNECTION_BIND = 0x00B;
  /** ConnectionAttempt (RFC 6062). */
  public static final int CONNECTION_ATTEMPT = 0x00C;

  private StunMethod() {}

  /** A readable name, e.g. {@code "Binding"}, or {@code "0x0ab"} for unknown methods. */
  public static String name(int method) {
    switch (method) {
      case BINDING: return "Binding";
      case ALLOCATE: return "Allocate";
      case REFRESH: return "Refresh";
      case SEND: return "Send";
      case DATA: return "Data";
      case CREATE_PERMISSION: return "CreatePermission";
      case CHANNEL_BIND: return "ChannelBind";
      case CONNECT: return "Connect";
      case CONNECTION_BIND: return "ConnectionBind";
      case CONNECTION_ATTEMPT: return "ConnectionAttempt";
      default: return String.format("0x%03x", method);
    }
  }
}
