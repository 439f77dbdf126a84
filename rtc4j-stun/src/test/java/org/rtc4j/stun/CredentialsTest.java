package org.rtc4j.stun;

import org.rtc4j.testkit.MiniJson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** SASLprep (RFC 4013 §3 examples), long-term and short-term keys, TURN REST API credentials. */
class CredentialsTest {

  @Test
  void rfc4013Examples() {
    assertThat(Saslprep.prepare("I\u00ADX")).isEqualTo("IX"); // SOFT HYPHEN mapped to nothing
    assertThat(Saslprep.prepare("user")).isEqualTo("user");
    assertThat(Saslprep.prepare("USER")).isEqualTo("USER"); // case preserved
    assertThat(Saslprep.prepare("\u00AA")).isEqualTo("a"); // NFKC
    assertThat(Saslprep.prepare("\u2168")).isEqualTo("IX"); // NFKC
    assertThatThrownBy(() -> Saslprep.prepare("\u0007")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Saslprep.prepare("\u0627\u0031")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mappingAndProhibitedCharacters() {
    assertThat(Saslprep.prepare("a\u00A0b\u3000c")).isEqualTo("a b c"); // non-ASCII spaces to SPACE
    assertThat(Saslprep.prepare("a\u200Bb\uFEFFc")).isEqualTo("abc"); // zero-width to nothing
    assertThat(Saslprep.prepare("")).isEmpty();
    assertThat(Saslprep.prepare("\u0627\u0628")).isEqualTo("\u0627\u0628"); // all RandALCat is fine
    for (String bad : new String[] {"\u0000", "a\u007F", "\u0085", "\uE000", "\uFDD0", "\uFFFF", "\uD800",
        "\u200E", "\u202E", "\u2FF0", "\uDB40\uDC01", "\uDBC0\uDC00", "\u0627a\u0628"}) {
      assertThatThrownBy(() -> Saslprep.prepare(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
      assertThat(Saslprep.tryPrepare(bad)).isEmpty();
    }
  }

  @Test
  void longTermKeyOfRfc5769Section24() {
    byte[] key = LongTermCredentials.md5Key("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", "example.org", "The\u00adM\u00aatr\u2168");
    assertThat(Vectors.hex(key)).isEqualTo("e8ca7ad59d5eb0518e312911d2dab2a9");
    assertThat(LongTermCredentials.key(PasswordAlgorithm.MD5, "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", "example.org",
        "TheMatrIX")).isEqualTo(key);
    assertThat(LongTermCredentials.sha256Key("u", "r", "p")).hasSize(32);
    assertThat(LongTermCredentials.key(PasswordAlgorithm.SHA256, "u", "r", "p"))
        .isEqualTo(LongTermCredentials.sha256Key("u", "r", "p"));
    assertThatThrownBy(() -> LongTermCredentials.key(3, "u", "r", "p")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shortTermKeyIsThePreparedPassword() {
    assertThat(new String(ShortTermCredentials.key("VOkJxbRl1RmTxUk/WvJxBt"), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("VOkJxbRl1RmTxUk/WvJxBt");
  }

  @Test
  void turnRestApiCredentials() {
    Map<String, Object> file = Vectors.json("turn/rest-api-credentials-derived.json");
    int n = 0;
    for (Object o : MiniJson.arr(file.get("examples"))) {
      Map<String, Object> e = MiniJson.obj(o);
      String user = (String) e.get("username");
      String password = LongTermCredentials.restApiPassword((String) e.get("shared_secret"), user);
      assertThat(password).as(user).isEqualTo(e.get("password"));
      byte[] key = LongTermCredentials.md5Key(user, (String) e.get("realm"), password);
      assertThat(Vectors.hex(key)).as(user).isEqualTo(e.get("long_term_key_md5"));
      n++;
    }
    assertThat(n).isEqualTo(3);
  }
}
