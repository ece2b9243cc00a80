package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.zbpp.gpu.cuda.CudaProbe;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** zbpp worker, coordinator and certs: bad input is one line and exit 2, a runtime failure one line and exit 1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerCommandsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "worker --devices 0 --seed-nodes 127.0.0.1:25520 | --devices [0]: must be at least 1",
      "worker --backend tpu --seed-nodes 127.0.0.1:25520 | --backend [tpu]: unknown; expected one of cpu, cuda, emulated",
      "worker | --seed-nodes: a worker needs at least one seed, e.g. the coordinator's HOST:PORT",
      "worker --seed-nodes 127.0.0.1 | --seed-nodes [127.0.0.1]: expected HOST:PORT with a port 1..65535",
      "worker --seed-nodes h:0 | --seed-nodes [h:0]: expected HOST:PORT with a port 1..65535",
      "worker --seed-nodes 127.0.0.1:25520 --port 70000 | --port [70000]: expected a port 0..65535",
      "worker --seed-nodes 10.0.0.1:25520 --host 10.0.0.2 | --host [10.0.0.2]: plain TCP on a non-loopback address; "
          + "give --tls-dir DIR (zbpp certs makes one) or --insecure",
      "worker --seed-nodes 127.0.0.1:25520 --data-plane tcp | --data-plane [tcp]: expected netty or artery",
      "worker --seed-nodes 127.0.0.1:25520 --join-timeout 0 | --join-timeout [0]: must be at least 1 second",
      "worker --seed-nodes 127.0.0.1:25520 --tls-dir /nonexistent/tls | --tls-dir [/nonexistent/tls]: no such directory",
      "worker --seed-nodes 127.0.0.1:25520 --host 192.0.2.1 --insecure | --host [192.0.2.1]: cannot bind it (not an "
          + "address of this machine)",
      "coordinator --data-dir /dev/null --port 0 | --data-dir [/dev/null]: is a file; expected a directory",
      "coordinator --provision-timeout 0 | --provision-timeout [0]: must be at least 1 second",
      "certs /dev/null | DIR [/dev/null]: is a file; expected a directory",
      "certs /tmp/zbpp-never-made --host a,,b | --host []: expected a DNS name or an IP address (a comma list of them)"})
  void badInputIsOneLineAndExitTwo(String args, String message) {
    Cli r = Cli.run(args.split(" "));
    assertThat(r.err()).isEqualTo(message + System.lineSeparator());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aPortInUseIsOneLineAndExitTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Cli r = Cli.run("worker", "--seed-nodes", "127.0.0.1:25520", "--port", String.valueOf(port));
      assertThat(r.err()).isEqualTo("--port [" + port + "]: cannot bind 127.0.0.1:" + port
          + " (in use, or not an address of this machine)" + System.lineSeparator());
      assertThat(r.exit()).isEqualTo(2);
    }
  }

  @Test
  void anUnreachableSeedIsOneLineAndExitOne() throws Exception {
    int nobody;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobody = s.getLocalPort();
    }
    Cli r = Cli.run("worker", "--seed-nodes", "127.0.0.1:" + nobody, "--join-timeout", "2");
    assertThat(r.err()).endsWith("zbpp worker: could not join the cluster at [pekko://zbpp@127.0.0.1:" + nobody
        + "] within 2 s" + System.lineSeparator());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void cudaWithoutAGpuIsOneLineAndExitOne() {
    assumeFalse(CudaProbe.available(), "this machine has a CUDA device");
    Cli r = Cli.run("worker", "--backend", "cuda", "--seed-nodes", "127.0.0.1:25520");
    assertThat(r.err()).startsWith("zbpp worker: --backend cuda cannot start: ").doesNotContain("\tat ");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void certsRefusesAnEmptyHostAndMakesNothing(@TempDir Path dir) {
    Cli r = Cli.run("certs", dir.resolve("tls").toString(), "--host", "");
    assertThat(r.err()).isEqualTo("--host []: expected a DNS name or an IP address (a comma list of them)"
        + System.lineSeparator());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(dir.resolve("tls")).doesNotExist();
  }

  @Test
  void certsMakesACaAndNodeDirectoriesAndReusesTheCa(@TempDir Path dir) throws Exception {
    Cli r = Cli.run("certs", dir.toString(), "--node", "a", "--node", "b", "--host", "10.0.0.5,worker-1");
    assertThat(r.exit()).isZero();
    for (String f : new String[] {"ca.crt", "ca.key", "a/tls.key", "a/tls.crt", "a/ca.crt", "b/tls.crt"}) {
      assertThat(dir.resolve(f)).isRegularFile();
    }
    assertThat(Files.readString(dir.resolve("a/tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(dir.resolve("a/ca.crt"))).isEqualTo(Files.readString(dir.resolve("ca.crt")));
    var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(Files.newInputStream(dir.resolve("a/tls.crt")));
    assertThat(cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
        .contains("zbpp-cluster", "a", "localhost", "127.0.0.1", "10.0.0.5", "worker-1");

    String ca = Files.readString(dir.resolve("ca.crt"));
    Cli again = Cli.run("certs", dir.toString(), "--node", "c");
    assertThat(again.out()).startsWith("using the CA in " + dir);
    assertThat(Files.readString(dir.resolve("c/ca.crt"))).isEqualTo(ca);
  }
}
