package org.rtc4j.testkit.sim;

/**
 * Packet counters of a {@link SimNet}, or of one link direction ({@link SimNet#linkStats}). A
 * snapshot: values do not change after it is taken.
 *
 * @param sent datagrams handed to the network by endpoints and cores (network-wide only)
 * @param delivered datagrams handed to an endpoint or core (network-wide) / that crossed the link
 * @param lost datagrams dropped by random loss
 * @param duplicated extra copies created by duplication
 * @param reordered datagrams held back by the reorder impairment
 * @param droppedMtu datagrams larger than a link's MTU
 * @param droppedRate datagrams dropped by a full rate-limit queue
 * @param droppedNoRoute datagrams with no route to the destination address
 * @param droppedNoListener datagrams for an address and port nobody is bound to
 * @param droppedNatNoMapping inbound datagrams to a NAT port without a live mapping
 * @param droppedNatFiltered inbound datagrams refused by a NAT's filtering
 * @param droppedNatHairpin datagrams a NAT without hairpinning refused to loop back
 * @param natMappingsCreated NAT mappings created
 * @param natMappingsExpired NAT mappings removed after their idle timeout
 */
public record SimStats(
    long sent,
    long delivered,
    long lost,
    long duplicated,
    long reordered,
    long droppedMtu,
    long droppedRate,
    long droppedNoRoute,
    long droppedNoListener,
    long droppedNatNoMapping,
    long droppedNatFiltered,
    long droppedNatHairpin,
    long natMappingsCreated,
    long natMappingsExpired) {

  /** All drops of any cause (random loss included). */
  public long dropped() {
    return lost + droppedMtu + droppedRate + droppedNoRoute + droppedNoListener + droppedNatNoMapping
        + droppedNatFiltered + droppedNatHairpin;
  }

  /** Mutable counterpart, owned by the simulation thread. */
  static final class Counters {
    long sent;
    long delivered;
    long lost;
    long duplicated;
    long reordered;
    long droppedMtu;
    long droppedRate;
    long droppedNoRoute;
    long droppedNoListener;
    long droppedNatNoMapping;
    long droppedNatFiltered;
    long droppedNatHairpin;
    long natMappingsCreated;
    long natMappingsExpired;

    SimStats snapshot() {
      return new SimStats(sent, delivered, lost, duplicated, reordered, droppedMtu, droppedRate, droppedNoRoute,
          droppedNoListener, droppedNatNoMapping, droppedNatFiltered, droppedNatHairpin, natMappingsCreated,
          natMappingsExpired);
    }
  }
}
