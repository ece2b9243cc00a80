package io.zbpp.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The output files of the CLI ({@code --svg}, {@code --plan-out}, {@code --timeline}): checked before any work
 * starts, by the same operation that will write them later, so a file that cannot be written is refused up
 * front with the operating system's reason, not after minutes of training.
 *
 * <p>The check creates a file that does not exist yet and deletes it again; an existing regular file is opened
 * for appending (nothing is written, nothing truncated); anything else (a device such as {@code /dev/full})
 * gets one probe byte, which is what shows a full device.
 */
final class OutputFile {
  private OutputFile() {}

  /**
   * Refuses a path that is empty, a directory, in a missing directory, or cannot be written.
   *
   * @throws UsageException naming the option, the path and the reason
   */
  static void check(String option, Path file) {
    if (file.toString().isBlank()) {
      throw new UsageException(option + " [" + file + "]: empty path; expected a file path");
    }
    if (Files.isDirectory(file)) {
      throw new UsageException(option + " [" + file + "]: is a directory; expected a file path");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new UsageException(option + " [" + file + "]: cannot write: no such directory " + dir);
    }
    try {
      if (Files.isRegularFile(file)) {
        Files.newOutputStream(file, StandardOpenOption.APPEND).close();
      } else if (Files.exists(file)) {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
          out.write('\n');
        }
      } else {
        Files.createFile(file);
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UsageException(option + " [" + file + "]: cannot write: " + reason(e, dir));
    }
  }

  /** Writes a file, turning an I/O failure into a one-line usage error naming the option and the path. */
  static void write(String option, Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UsageException(option + " [" + file + "]: cannot write: "
          + reason(e, file.toAbsolutePath().getParent()));
    }
  }

  /** The operating system's reason in words; a directory that exists but takes no new files is named so. */
  private static String reason(IOException e, Path dir) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return dir != null && Files.isDirectory(dir) ? "the directory " + dir + " does not take new files"
          : "no such directory " + dir;
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.toLowerCase(java.util.Locale.ROOT);
  }
}
