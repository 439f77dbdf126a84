package org.rtc4j.sctp.dcep;

/** The W3C {@code RTCDataChannelState}. */
public enum DataChannelState {
  CONNECTING, OPEN, CLOSING, CLOSED
}
