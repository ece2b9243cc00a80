package io.zbpp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code zbpp --version}: the project version (filtered into {@code zbpp-version.properties}) and the JVM. */
public final class Version implements IVersionProvider {
  /** The project version, or {@code unknown} when the resource is missing. */
  public static String project() {
    try (InputStream in = Version.class.getResourceAsStream("/io/zbpp/cli/zbpp-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"zbpp " + project(),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
  }
}
