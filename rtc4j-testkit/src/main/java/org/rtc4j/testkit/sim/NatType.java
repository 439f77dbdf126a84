package org.rtc4j.testkit.sim;

/**
 * The four classic NAT types (RFC 3489 §5 names), each a combination of the mapping and filtering
 * behaviours RFC 4787 §4.1 and §5 define. {@link NatConfig} allows the other combinations too.
 *
 * <pre>
 *   type                      mapping (RFC 4787 §4.1)        filtering (RFC 4787 §5)
 *   FULL_CONE                 endpoint-independent           endpoint-independent
 *   ADDRESS_RESTRICTED_CONE   endpoint-independent           address-dependent
 *   PORT_RESTRICTED_CONE      endpoint-independent           address-and-port-dependent
 *   SYMMETRIC                 address-and-port-dependent     address-and-port-dependent
 * </pre>
 */
public enum NatType {
  /** Any external host can send to a mapping once it exists. */
  FULL_CONE(Behavior.ENDPOINT_INDEPENDENT, Behavior.ENDPOINT_INDEPENDENT),
  /** Only hosts (any port) the internal endpoint has sent to can send back. */
  ADDRESS_RESTRICTED_CONE(Behavior.ENDPOINT_INDEPENDENT, Behavior.ADDRESS_DEPENDENT),
  /** Only host:port pairs the internal endpoint has sent to can send back. */
  PORT_RESTRICTED_CONE(Behavior.ENDPOINT_INDEPENDENT, Behavior.ADDRESS_AND_PORT_DEPENDENT),
  /** A new mapping (external port) per destination host:port; only that destination can answer. */
  SYMMETRIC(Behavior.ADDRESS_AND_PORT_DEPENDENT, Behavior.ADDRESS_AND_PORT_DEPENDENT);

  /**
   * What a mapping or a filter depends on besides the internal endpoint (RFC 4787 §4.1, §5).
   */
  public enum Behavior {
    /** Same mapping / no filtering whatever the remote endpoint. */
    ENDPOINT_INDEPENDENT,
    /** Depends on the remote IP address only. */
    ADDRESS_DEPENDENT,
    /** Depends on the remote IP address and port. */
    ADDRESS_AND_PORT_DEPENDENT
  }

  private final Behavior mapping;
  private final Behavior filtering;

  NatType(Behavior mapping, Behavior filtering) {
    this.mapping = mapping;
    this.filtering = filtering;
  }

  /** How mappings are reused (RFC 4787 §4.1). */
  public Behavior mapping() {
    return mapping;
  }

  /** Which inbound packets a mapping accepts (RFC 4787 §5). */
  public Behavior filtering() {
    return filtering;
  }
}
