package io.zbpp.cli;

import io.zbpp.server.CertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp certs DIR}: a CA ({@code DIR/ca.crt}, {@code DIR/ca.key}) and one directory of PEM files per node
 * ({@code DIR/NAME/tls.key}, {@code tls.crt}, {@code ca.crt}) for {@code --tls-dir}; for trying TLS out. An
 * existing CA in DIR is reused, so nodes can be added later.
 */
@Command(name = "certs", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Make a CA and node certificates (PEM) for the cluster's --tls-dir, for trying TLS out."})
public final class CertsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "Where to write the CA and the node directories.")
  Path dir;

  @Option(names = "--node", paramLabel = "NAME", defaultValue = "node",
      description = "A node directory to make, DIR/NAME; repeat for several (default: ${DEFAULT-VALUE}).")
  List<String> nodes = new ArrayList<>();

  @Option(names = "--host", paramLabel = "HOST", split = ",",
      description = "Extra names or IP addresses every node certificate holds (localhost and 127.0.0.1 always).")
  List<String> hosts = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    for (String n : nodes) {
      if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
        throw new UsageException("--node [" + n + "]: expected a name of letters, digits, '.', '_' or '-'");
      }
    }
    for (String h : hosts) {
      if (!h.matches("[A-Za-z0-9][A-Za-z0-9.:-]*")) {
        throw new UsageException("--host [" + h + "]: expected a DNS name or an IP address (a comma list of them)");
      }
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException("DIR [" + dir + "]: is a file; expected a directory");
    }
    Files.createDirectories(dir);
    PrintWriter out = spec.commandLine().getOut();
    CertificateAuthority ca;
    if (Files.exists(dir.resolve("ca.key"))) {
      ca = CertificateAuthority.load(dir);
      out.println("using the CA in " + dir);
    } else {
      ca = CertificateAuthority.create("zbpp CA");
      ca.save(dir);
      out.println("CA: " + dir.resolve("ca.crt") + " (its key ca.key signs more nodes; keep it private)");
    }
    for (String n : nodes) {
      ca.issue(dir.resolve(n), n, hosts);
      out.println("node " + n + ": --tls-dir " + dir.resolve(n));
    }
    out.flush();
    return 0;
  }
}
