package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input to the job API's commands (issue 19's rules, driving the CLI in-process): the server address, the CA
 * file, the token file and the spec file are checked before any connection and answered with exit code 2 and one
 * line on stderr naming the option (or spec field), the value and what is accepted; an unreachable server is one
 * line and exit code 1.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobClientInputTest {
  @TempDir static Path dir;
  static Path tokens;

  @BeforeAll
  static void files() throws IOException {
    tokens = Files.writeString(dir.resolve("tokens"), "alice:0123456789abcdef\n");
    Files.writeString(dir.resolve("empty-tokens"), "# no tokens yet\n\n");
    Files.writeString(dir.resolve("not-a-cert.crt"), "alice:0123456789abcdef\n");
    Files.createDirectories(dir.resolve("a-dir"));
  }

  static Cli run(String line) {
    List<String> args = new ArrayList<>();
    for (String a : line.split(" ")) {
      args.add(a.replace("DIR", dir.toString()));
    }
    return Cli.run(args.toArray(String[]::new));
  }

  static void assertBadInput(Cli r, String start, String accepted) {
    assertThat(r.exit()).as(r.err() + r.out()).isEqualTo(2);
    assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith(start).contains(accepted).doesNotContain("Exception");
    assertThat(r.out()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "jobs --token-file DIR/tokens --server 127.0.0.1:70000 | --server [127.0.0.1:70000]: port 70000 | 1 to 65535",
      "jobs --token-file DIR/tokens --server 127.0.0.1:0     | --server [127.0.0.1:0]: port 0         | 1 to 65535",
      "jobs --token-file DIR/tokens --server localhost       | --server [localhost]: no host and no port | HOST:PORT",
      "jobs --token-file DIR/tokens --server localhost:http  | --server [localhost:http]: no port     | HOST:PORT",
      "jobs --token-file DIR/tokens --server :::             | --server [:::]: no port                | HOST:PORT",
      "status job-1 --token-file DIR/tokens --server no-such-host.invalid:7070 | --server [no-such-host.invalid:7070]: "
          + "unknown host | HOST:PORT",
      "jobs --token-file DIR/tokens --ca DIR/a-dir           | --ca [DIR/a-dir]: is a directory       | PEM",
      "jobs --token-file DIR/tokens --ca DIR/not-a-cert.crt  | --ca [DIR/not-a-cert.crt]: not a PEM certificate "
          + "| the cluster's ca.crt",
      "jobs --token-file DIR/missing                         | --token-file [DIR/missing]: no such file | name:token",
      "cancel job-1 --token-file DIR/a-dir                   | --token-file [DIR/a-dir]: is a directory | name:token",
      "job-server --api-port 0 --data-dir DIR/data --token-file DIR/empty-tokens | --token-file [DIR/empty-tokens]: "
          + "no token in it | name:token",
      "job-server --api-port 0 --data-dir DIR/data --token-file DIR/missing | --token-file [DIR/missing]: "
          + "no such file | name:token",
      "job-server --api-port 0 --host 10.0.0.7 --data-dir DIR/data --token-file DIR/missing | --host [10.0.0.7]: "
          + "plain TCP on a non-loopback address | --tls-dir DIR"})
  void isAnsweredBeforeAnyConnection(String args, String start, String accepted) {
    Cli r = run(args.strip());
    assertBadInput(r, start.strip().replace("DIR", dir.toString()), accepted.strip());
    assertThat(dir.resolve("data")).as("no server started: no records made").doesNotExist();
  }

  @Test
  void jobServerRefusesADataDirThatIsAFile() {
    // (A directory another server holds is refused the same way, but only across processes: H2 shares a database
    // file within one JVM, so that case is not driven in-process.)
    Cli file = run("job-server --api-port 0 --data-dir DIR/tokens --token-file DIR/tokens");
    assertBadInput(file, "--data-dir [" + tokens + "]: is a file", "expected a directory");
  }

  @Test
  void anUnreachableServerIsOneLineAndExitCodeOne() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Cli r = run("jobs --token-file DIR/tokens --server 127.0.0.1:" + port);
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith("zbpp jobs: UNAVAILABLE: cannot reach the job API at 127.0.0.1:" + port);
  }

  @Test
  void specErrorsNameTheFieldTheValueAndWhatIsAccepted() {
    assertThatThrownBy(() -> SpecFiles.parse("s.yaml", "schedule: zb-2p\niterations: 99999999999\n", true))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("SPEC [s.yaml]: iterations [99999999999]: ")
        .hasMessageEndingWith("; expected a whole number from -2147483648 to 2147483647");
    assertThatThrownBy(() -> SpecFiles.parse("s.json", "{\"seed\": \"abc\"}", false))
        .hasMessageStartingWith("SPEC [s.json]: seed [abc]: ").hasMessageEndingWith("; expected a whole number");
    assertThatThrownBy(() -> SpecFiles.parse("s.json", "{\"costF\": \"fast\"}", false))
        .hasMessageStartingWith("SPEC [s.json]: costF [fast]: ").hasMessageContaining("expected a list, each a "
            + "finite number (e.g. [8])");
    assertThatThrownBy(() -> SpecFiles.parse("s.yaml", "schedule: zb-2p\nclipNorm: .nan\n", true))
        .hasMessageStartingWith("SPEC [s.yaml]: clipNorm: line 2, column ")
        .hasMessageEndingWith("; expected a finite number");
    assertThatThrownBy(() -> SpecFiles.parse("s.yaml", "name: [x\n  stages: ::\n", true))
        .isInstanceOf(UsageException.class).hasMessageStartingWith("SPEC [s.yaml]: ")
        .hasMessageContaining("not valid YAML").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aYamlSpecWithoutItsExtensionSaysItWasReadAsJson() {
    assertThatThrownBy(() -> SpecFiles.parse("s.txt", "schedule: zb-2p\n", false))
        .hasMessageStartingWith("SPEC [s.txt]: ").hasMessageContaining("not valid JSON")
        .hasMessageEndingWith("(a spec is read as YAML only when its name ends in .yaml or .yml)");
  }

  @Test
  void aBrokenSpecFileIsOneLineBeforeAnyConnection() throws IOException {
    Path spec = Files.writeString(dir.resolve("broken.yaml"), "name: [x\n  stages: ::\n");
    Cli r = run("submit " + spec + " --token-file DIR/tokens --server 127.0.0.1:1");
    assertBadInput(r, "SPEC [" + spec + "]: ", "not valid YAML");
  }
}
