package io.zbpp.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, drawn only on a terminal ({@code System.console() != null}, i.e. neither
 * stdin nor stdout is redirected) and never for JSON output; otherwise every call but {@link #line} is
 * silent, so piped output carries no progress noise. Thread-safe: the runtime reports iterations from an
 * actor thread.
 */
final class Progress {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean drawn;
  private final int total;
  private final long startNanos = System.nanoTime();
  private String bar = "";

  private Progress(PrintWriter out, PrintWriter err, int total, boolean drawn) {
    this.out = out;
    this.err = err;
    this.total = total;
    this.drawn = drawn;
  }

  /** A bar of {@code total} steps, drawn when {@code wanted} and the process runs on a terminal. */
  static Progress of(PrintWriter out, PrintWriter err, int total, boolean wanted) {
    return new Progress(out, err, total, wanted && System.console() != null);
  }

  /** Sets the bar to {@code done} of the total steps with a short note (e.g. the loss). */
  synchronized void update(int done, String note) {
    if (!drawn) {
      return;
    }
    int filled = total == 0 ? WIDTH : WIDTH * done / total;
    bar = String.format(Locale.ROOT, "[%s%s] %d/%d %s %.1f s", "#".repeat(filled), ".".repeat(WIDTH - filled), done,
        total, note, (System.nanoTime() - startNanos) / 1e9);
    err.print("\r\033[K" + bar);
    err.flush();
  }

  /** Prints a line of output (stdout) above the bar. */
  synchronized void line(String text) {
    clear();
    out.println(text);
    out.flush();
    if (drawn && !bar.isEmpty()) {
      err.print(bar);
      err.flush();
    }
  }

  /** Removes the bar. */
  synchronized void finish() {
    clear();
    bar = "";
  }

  private void clear() {
    if (drawn && !bar.isEmpty()) {
      err.print("\r\033[K");
      err.flush();
    }
  }
}
