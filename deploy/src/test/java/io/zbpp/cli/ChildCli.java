package io.zbpp.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the zbpp command line in a child JVM with the logging a user gets (the main {@code logback.xml}, not the
 * tests' one), capturing what reaches its stdout and stderr: the only way to see Pekko's and Logback's own lines.
 * The child is killed when it outlives {@code timeout}.
 */
record ChildCli(int exit, String out, String err) {
  static ChildCli run(Duration timeout, String... args) {
    return await(start(args), timeout);
  }

  /** Starts the child; {@link #await} collects it. Output goes to temporary files (no pipe can fill up). */
  static Started start(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=logback.xml", "-cp",
        System.getProperty("java.class.path"), "io.zbpp.cli.Main"));
    cmd.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("zbpp-child-", ".out");
      Path err = Files.createTempFile("zbpp-child-", ".err");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("ZBPP_LOG_LEVEL");
      return new Started(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ChildCli await(Started s, Duration timeout) {
    try {
      if (!s.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        s.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("zbpp did not finish within " + timeout + "; stderr: " + Files.readString(s.err()));
      }
      return new ChildCli(s.process().exitValue(), Files.readString(s.out()), Files.readString(s.err()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      s.process().destroyForcibly();
      s.out().toFile().delete();
      s.err().toFile().delete();
    }
  }

  /** A running child and the files its stdout and stderr go to. */
  record Started(Process process, Path out, Path err) {
    /** What the child wrote to stdout so far. */
    String outSoFar() {
      try {
        return Files.readString(out, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
