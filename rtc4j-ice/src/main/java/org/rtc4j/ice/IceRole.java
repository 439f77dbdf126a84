package org.rtc4j.ice;

/** The agent's role (RFC 8445 §6.1.1): the controlling agent nominates the pair both sides use. */
public enum IceRole {
  /** Nominates (sends USE-CANDIDATE). */
  CONTROLLING,
  /** Follows the controlling agent's nomination. */
  CONTROLLED;

  /** The other role. */
  public IceRole opposite() {
    return this == CONTROLLING ? CONTROLLED : CONTROLLING;
  }
}
