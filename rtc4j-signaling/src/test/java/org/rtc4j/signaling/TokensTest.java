package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SC-10's token comparison: the one method both registries use (the Redis one through its digest). */
class TokensTest {

  @Test
  void equalTokensMatch() {
    assertThat(Tokens.matches("tok-victim", "tok-victim")).isTrue();
    assertThat(Tokens.matches("", "")).isTrue();
    assertThat(Tokens.matches("ünïcode-€", "ünïcode-€")).isTrue();
  }

  @Test
  void unequalTokensOfTheSameLengthDoNotMatch() {
    assertThat(Tokens.matches("tok-victim", "tok-victin")).isFalse(); // last character
    assertThat(Tokens.matches("tok-victim", "Tok-victim")).isFalse(); // first character
    assertThat(Tokens.matches("tok-victim", "TOK-VICTIM")).isFalse();
  }

  @Test
  void tokensOfDifferentLengthsDoNotMatch() {
    assertThat(Tokens.matches("tok-victim", "tok-victi")).isFalse(); // a prefix
    assertThat(Tokens.matches("tok-victim", "tok-victim2")).isFalse(); // an extension
    assertThat(Tokens.matches("tok-victim", "")).isFalse();
    assertThat(Tokens.matches("a", "a\0")).isFalse();
  }

  @Test
  void nullMatchesNothing() {
    assertThat(Tokens.matches(null, "t")).isFalse();
    assertThat(Tokens.matches("t", null)).isFalse();
    assertThat(Tokens.matches(null, null)).isFalse();
  }

  @Test
  void digestsAreSha256OfUtf8SoEveryComparisonIsOver32Bytes() {
    // What makes the comparison constant time: whatever the tokens, two 32-byte digests are compared.
    assertThat(Tokens.digest("")).hasSize(32);
    assertThat(Tokens.digest("x".repeat(10_000))).hasSize(32);
    // echo -n abc | sha256sum
    assertThat(Tokens.hexDigest("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // echo -n '€' | sha256sum: the UTF-8 bytes (not UTF-16, not the platform charset)
    assertThat(Tokens.hexDigest("\u20ac")).isEqualTo("c4cc90ed3d26f12d4b08a75140970a7904035c31cbb4515a83f19b9003c00d1d");
  }
}
