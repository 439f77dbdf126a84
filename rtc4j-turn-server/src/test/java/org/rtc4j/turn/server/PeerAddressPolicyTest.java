package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Trust test SC-3: every special peer address, in every encoding, is denied by default. */
class PeerAddressPolicyTest {

  /** The IPv4 addresses of SC-3 plus the private, CGNAT and reserved ranges we deny by default. */
  static final List<String> DENIED_V4 = List.of(
      "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "169.254.169.254", "169.254.0.1",
      "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
      "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.0.1", "192.168.255.255",
      "100.64.0.1", "100.127.255.254", "192.0.0.1", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9");

  /** The IPv6-only addresses of SC-3 plus more special ranges. */
  static final List<String> DENIED_V6 = List.of(
      "::", "::1", "fe80::1", "febf::1", "fc00::1", "fd00::1", "fdff:ffff::1", "fec0::1", "ff02::1", "ff0e::1",
      "2001:db8::1", "100::1", "64:ff9b:1::a00:1", "64:ff9b:1:ffff::8.8.8.8", "2001:10::1", "2001:2::1");

  static final List<String> PUBLIC_V4 = List.of("8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0",
      "172.15.255.255", "172.32.0.0", "11.0.0.1", "169.253.255.255", "223.255.255.255", "198.20.0.1");

  static final List<String> PUBLIC_V6 = List.of("2606:4700:4700::1111", "2a00:1450:4001::200e", "2001:4860::8888");

  /** Every IPv6 encoding of an IPv4 address that some network path maps back to IPv4. */
  static Map<String, InetAddress> encodings(String v4) {
    byte[] a = v4(v4);
    Map<String, InetAddress> m = new LinkedHashMap<>();
    m.put("plain", addr(a));
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(a, 0, mapped, 12, 4);
    m.put("mapped (JDK normalises to IPv4)", addr(mapped));
    m.put("mapped (kept as Inet6Address)", v6Raw(mapped));
    byte[] compat = new byte[16];
    System.arraycopy(a, 0, compat, 12, 4);
    m.put("compatible", v6Raw(compat));
    byte[] translated = new byte[16];
    translated[8] = (byte) 0xff;
    translated[9] = (byte) 0xff;
    System.arraycopy(a, 0, translated, 12, 4);
    m.put("translated", v6Raw(translated));
    byte[] sixToFour = new byte[16];
    sixToFour[0] = 0x20;
    sixToFour[1] = 0x02;
    System.arraycopy(a, 0, sixToFour, 2, 4);
    sixToFour[15] = 1;
    m.put("6to4", v6Raw(sixToFour));
    byte[] nat64 = new byte[16];
    nat64[1] = 0x64;
    nat64[2] = (byte) 0xff;
    nat64[3] = (byte) 0x9b;
    System.arraycopy(a, 0, nat64, 12, 4);
    m.put("nat64", v6Raw(nat64));
    byte[] nat64Local = nat64.clone();
    nat64Local[5] = 1; // 64:ff9b:1::/48
    m.put("nat64 local-use", v6Raw(nat64Local));
    byte[] teredo = new byte[16];
    teredo[0] = 0x20;
    teredo[1] = 0x01;
    teredo[4] = 65; // a public Teredo server 65.54.227.120
    teredo[5] = 54;
    teredo[6] = (byte) 227;
    teredo[7] = 120;
    teredo[10] = (byte) ~0x12; // obfuscated port
    teredo[11] = (byte) ~0x34;
    for (int i = 0; i < 4; i++) {
      teredo[12 + i] = (byte) ~a[i]; // obfuscated client address
    }
    m.put("teredo client", v6Raw(teredo));
    byte[] teredoServer = new byte[16];
    teredoServer[0] = 0x20;
    teredoServer[1] = 0x01;
    System.arraycopy(a, 0, teredoServer, 4, 4);
    for (int i = 12; i < 16; i++) {
      teredoServer[i] = (byte) ~8; // client 8.8.8.8 (public)
    }
    m.put("teredo server", v6Raw(teredoServer));
    byte[] isatap = new byte[16];
    isatap[0] = 0x26; // a global prefix 2600::/64
    isatap[10] = 0x5e;
    isatap[11] = (byte) 0xfe;
    System.arraycopy(a, 0, isatap, 12, 4);
    m.put("isatap", v6Raw(isatap));
    return m;
  }

  static Stream<Arguments> deniedV4InEveryEncoding() {
    List<Arguments> out = new ArrayList<>();
    for (String v4 : DENIED_V4) {
      encodings(v4).forEach((name, a) -> out.add(Arguments.of(v4, name, a)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("deniedV4InEveryEncoding")
  void deniesSpecialIpv4InEveryEncoding(String v4, String encoding, InetAddress address) {
    assertThat(PeerAddressPolicy.defaults().permits(address)).as(address.getHostAddress()).isFalse();
  }

  @Test
  void deniesSpecialIpv6() {
    PeerAddressPolicy p = PeerAddressPolicy.defaults();
    for (String s : DENIED_V6) {
      assertThat(p.permits(parse(s))).as(s).isFalse();
    }
  }

  @Test
  void permitsPublicAddressesInEveryEncodingButLocalUseNat64() {
    PeerAddressPolicy p = PeerAddressPolicy.defaults();
    for (String v4 : PUBLIC_V4) {
      encodings(v4).forEach((name, a) ->
          assertThat(p.permits(a)).as(v4 + " as " + name + " " + a.getHostAddress()).isEqualTo(!name.equals("nat64 local-use")));
    }
    for (String v6 : PUBLIC_V6) {
      assertThat(p.permits(parse(v6))).as(v6).isTrue();
    }
  }

  @Test
  void loopbackAllowedOnlyWhenConfiguredAndUnspecifiedStaysDenied() {
    PeerAddressPolicy p = PeerAddressPolicy.builder().allowLoopback(true).build();
    encodings("127.0.0.1").forEach((name, a) -> {
      if (!name.equals("nat64 local-use")) {
        assertThat(p.permits(a)).as(name).isTrue();
      }
    });
    assertThat(p.permits(parse("::1"))).isTrue();
    // CVE-2020-26262: 0.0.0.0 and :: reach loopback on Linux but are not "loopback peers".
    for (String s : List.of("0.0.0.0", "::", "0.0.0.1", "::0.0.0.2")) {
      assertThat(p.permits(parse(s))).as(s).isFalse();
    }
    assertThat(p.permits(parse("10.0.0.1"))).isFalse();
  }

  @Test
  void serverAddressesAreDeniedInEveryEncodingUnlessAllowed() throws Exception {
    PeerAddressPolicy p = PeerAddressPolicy.builder()
        .serverAddress(parse("8.8.4.4"))
        .serverAddress(parse("2606:4700::6810:84e5"))
        .serverAddress(parse("0.0.0.0")) // wildcard: ignored, denied anyway
        .build();
    assertThat(p.serverAddresses()).hasSize(2);
    encodings("8.8.4.4").forEach((name, a) -> assertThat(p.permits(a)).as(name).isFalse());
    assertThat(p.permits(parse("2606:4700::6810:84e5"))).isFalse();
    assertThat(p.permits(parse("8.8.8.8"))).isTrue();
    // Dynamic server addresses learnt by the core.
    assertThat(p.permits(parse("1.1.1.1"), Set.of(parse("1.1.1.1")))).isFalse();
    PeerAddressPolicy allowed = p.toBuilder().allow("8.8.4.4").build();
    assertThat(allowed.permits(parse("8.8.4.4"))).isTrue();
    // A loopback server address is permitted with allowLoopback (relay to relay on one host).
    PeerAddressPolicy loop = PeerAddressPolicy.builder().allowLoopback(true).serverAddress(parse("127.0.0.1")).build();
    assertThat(loop.permits(parse("127.0.0.1"))).isTrue();
  }

  @Test
  void explicitAllowOverridesEveryDenyIncludingEmbeddedForms() {
    PeerAddressPolicy p = PeerAddressPolicy.builder().allow("10.1.0.0/16").allow("fd00::/8").allow("192.168.1.5-192.168.1.9").build();
    // The local-use NAT64 prefix has no fixed embedding (RFC 6052 allows several prefix lengths): not unwrapped.
    encodings("10.1.2.3").forEach((name, a) -> assertThat(p.permits(a)).as(name).isEqualTo(!name.equals("nat64 local-use")));
    assertThat(p.permits(parse("10.2.0.1"))).isFalse();
    assertThat(p.permits(parse("fd12::1"))).isTrue();
    assertThat(p.permits(parse("fc00::1"))).isFalse();
    assertThat(p.permits(parse("192.168.1.5"))).isTrue();
    assertThat(p.permits(parse("192.168.1.9"))).isTrue();
    assertThat(p.permits(parse("192.168.1.10"))).isFalse();
    // coturn's "allow everything" idiom
    PeerAddressPolicy all = PeerAddressPolicy.builder().allow("0.0.0.0-255.255.255.255").build();
    assertThat(all.permits(parse("127.0.0.1"))).isTrue();
    assertThat(all.permits(parse("::1"))).isFalse();
  }

  @Test
  void configuredDenyRangesApplyInEveryEncoding() {
    PeerAddressPolicy p = PeerAddressPolicy.builder().deny("8.8.0.0/16").deny("2606:4700::/32").build();
    encodings("8.8.8.8").forEach((name, a) -> assertThat(p.permits(a)).as(name).isFalse());
    assertThat(p.permits(parse("2606:4700:4700::1111"))).isFalse();
    assertThat(p.permits(parse("1.1.1.1"))).isTrue();
    assertThat(p.toString()).contains("8.8.0.0/16");
  }

  @Test
  void ipRangeParsing() {
    assertThat(IpRange.parse("10.0.0.0/8").contains(parse("10.200.1.1"))).isTrue();
    assertThat(IpRange.parse("10.0.0.0/8").contains(parse("11.0.0.0"))).isFalse();
    assertThat(IpRange.parse("10.9.9.9/8").contains(parse("10.0.0.0"))).isTrue();
    assertThat(IpRange.parse("0.0.0.0/0").contains(parse("255.255.255.255"))).isTrue();
    assertThat(IpRange.parse("[fe80::]/10").contains(parse("febf:ffff::1"))).isTrue();
    assertThat(IpRange.parse("::ffff:0:0/96").addressLength()).isEqualTo(16);
    assertThat(IpRange.parse("1.2.3.4").contains(parse("1.2.3.4"))).isTrue();
    assertThat(IpRange.parse("1.2.3.4").contains(parse("::1.2.3.4"))).isFalse();
    for (String bad : List.of("", "foo", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33", "::/129",
        "1.2.3.4-::1", "1.2.3.9-1.2.3.1", "1..2.3", "1.2.3.4/x", "fe80::1%eth0")) {
      assertThatThrownBy(() -> IpRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  static InetAddress parse(String s) {
    try {
      return InetAddress.getByName(s); // literals only: no DNS
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] v4(String s) {
    InetAddress a = parse(s);
    assertThat(a).isInstanceOf(Inet4Address.class);
    return a.getAddress();
  }

  static InetAddress addr(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static InetAddress v6Raw(byte[] raw) {
    try {
      return Inet6Address.getByAddress(null, raw, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
