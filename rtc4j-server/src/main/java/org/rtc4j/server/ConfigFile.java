package org.rtc4j.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * A coturn-style configuration file ({@code turnserver.conf}): one option per line, {@code key=value}
 * or a bare {@code flag}, {@code #} at the start of a line for comments; keys are the long option
 * names without {@code --}. Values may be quoted. Options given on the command line win over the
 * file; a repeatable option given on the command line replaces the file's values.
 *
 * <p>coturn keys that rtc4j does not need (because it always behaves that way, or has no such
 * feature) are listed in {@link #IGNORED} and skipped with a warning; any other unknown key is an
 * error, so a misspelt security option cannot pass silently.
 */
final class ConfigFile {

  /** coturn options that are accepted and ignored. */
  static final Set<String> IGNORED = Set.of(
      "no-cli", "cli-password", "cli-ip", "cli-port", "no-multicast-peers", "no-loopback-peers", "log-file",
      "simple-log", "new-log-timestamp", "no-stdout-log", "syslog", "pidfile", "no-tlsv1", "no-tlsv1_1", "no-tlsv1_2",
      "no-dtls", "dtls-listening-port", "mobility", "no-rfc5780", "no-stun-backward-compatibility",
      "response-origin-only-with-rfc5780", "server-name", "proc-user", "proc-group",
      "no-software-attribute", "check-origin-consistency", "dh2066", "cipher-list", "ec-curve-name", "no-tcp-relay",
      "Verbose", "log-binding", "no-auth-pings", "no-dynamic-ip-list", "no-dynamic-realms");

  private ConfigFile() {}

  /** One {@code --key[=value]} argument per meaningful line of {@code file}. */
  static List<String> read(Path file, CommandSpec spec) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String key;
      String value;
      int eq = line.indexOf('=');
      if (eq >= 0) {
        key = line.substring(0, eq).strip();
        value = unquote(line.substring(eq + 1).strip());
      } else {
        int ws = indexOfWhitespace(line);
        key = ws < 0 ? line : line.substring(0, ws);
        value = ws < 0 ? null : unquote(line.substring(ws).strip());
      }
      while (key.startsWith("-")) {
        key = key.substring(1);
      }
      String where = file + ":" + (n + 1);
      if (IGNORED.contains(key)) {
        Main.warn(where + ": coturn option '" + key + "' is not used by rtc4j, ignored");
        continue;
      }
      OptionSpec option = spec.findOption("--" + key);
      if (option == null) {
        throw new IllegalArgumentException(where + ": unknown option '" + key + "'");
      }
      if ("config".equals(key)) {
        throw new IllegalArgumentException(where + ": 'config' cannot be used inside a config file");
      }
      if (option.arity().max() == 0) { // a flag
        if (value == null || isTrue(value)) {
          args.add("--" + key);
        } else if (!isFalse(value)) {
          throw new IllegalArgumentException(where + ": flag '" + key + "' takes no value (or true/false)");
        }
      } else {
        if (value == null || value.isEmpty()) {
          if (option.arity().min() > 0) {
            throw new IllegalArgumentException(where + ": option '" + key + "' needs a value");
          }
          args.add("--" + key); // e.g. coturn's bare "stale-nonce"
        } else {
          args.add("--" + key + "=" + value);
        }
      }
    }
    return args;
  }

  /**
   * Applies {@code file} to the options of {@code cli}'s command: every option the file sets and the
   * command line did not set takes the file's value.
   */
  static void apply(Path file, CommandLine cli, ParseResult cliResult, Object freshCommand) throws IOException {
    CommandSpec target = cli.getCommandSpec();
    CommandLine fileCli = new CommandLine(freshCommand);
    fileCli.setOverwrittenOptionsAllowed(true); // as in coturn, a later line wins
    List<String> args = read(file, fileCli.getCommandSpec());
    ParseResult fileResult;
    try {
      fileResult = fileCli.parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    for (OptionSpec fileOption : fileResult.matchedOptions()) {
      OptionSpec option = target.findOption(fileOption.longestName());
      if (option != null && !cliResult.hasMatchedOption(option)) {
        option.setValue(fileOption.getValue());
      }
    }
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  private static boolean isTrue(String v) {
    String s = v.toLowerCase(Locale.ROOT);
    return s.equals("true") || s.equals("yes") || s.equals("on") || s.equals("1");
  }

  private static boolean isFalse(String v) {
    String s = v.toLowerCase(Locale.ROOT);
    return s.equals("false") || s.equals("no") || s.equals("off") || s.equals("0");
  }
}
