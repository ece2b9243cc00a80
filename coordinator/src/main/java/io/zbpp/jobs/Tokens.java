package io.zbpp.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's bearer tokens from a token file: one {@code name:token} per line (blank lines and lines starting
 * with {@code #} ignored). Only SHA-256 hashes of the tokens are kept; a token is checked against every entry in
 * constant time. The file is read again when its modification time or size changes, so tokens are added and
 * revoked without a restart. The name {@code admin} may cancel any job. No token ever appears in a message.
 */
public final class Tokens {
  /** The token name that may cancel every job. */
  public static final String ADMIN = "admin";
  /** The longest token name (a job's owner). */
  static final int MAX_NAME = 200;
  private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);

  /** Who called: a token's name. */
  public record Caller(String name) {
    public boolean admin() {
      return ADMIN.equals(name);
    }
  }

  private record Entry(String name, byte[] hash) {}

  private final Path file;
  private FileTime loadedTime;
  private long loadedSize = -1;
  private List<Entry> entries = List.of();

  private Tokens(Path file) {
    this.file = file;
  }

  /**
   * Reads the token file.
   *
   * @throws IllegalArgumentException naming the file and the line number of a malformed line (never its text)
   */
  public static Tokens load(Path file) {
    Tokens t = new Tokens(file);
    t.reloadIfChanged();
    return t;
  }

  /** The caller that holds {@code token}, if any entry matches. */
  public synchronized Optional<Caller> verify(String token) {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      // A token file broken while the server runs: keep the tokens read last until the operator fixes it. The
      // message names the file and the line number, never a line's text.
      LOG.warn("{}; keeping the {} tokens read before", e.getMessage(), entries.size());
    }
    byte[] hash = sha256(token);
    String match = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.hash, hash) && match == null) {
        match = e.name;
      }
    }
    return Optional.ofNullable(match).map(Caller::new);
  }

  private void reloadIfChanged() {
    try {
      FileTime time = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (time.equals(loadedTime) && size == loadedSize) {
        return;
      }
      loadedTime = time;  // a broken file is reported once, not on every call
      loadedSize = size;
      List<Entry> read = new ArrayList<>();
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int colon = line.indexOf(':');
        if (colon <= 0 || colon == line.length() - 1) {
          throw new IllegalArgumentException("--token-file [" + file + "]: line " + (i + 1)
              + ": expected name:token");
        }
        if (colon > MAX_NAME) {
          throw new IllegalArgumentException("--token-file [" + file + "]: line " + (i + 1) + ": the name has "
              + colon + " characters; at most " + MAX_NAME);
        }
        read.add(new Entry(line.substring(0, colon), sha256(line.substring(colon + 1))));
      }
      entries = List.copyOf(read);
    } catch (IOException e) {
      throw new UncheckedIOException("--token-file [" + file + "]: cannot read: " + e.getMessage(), e);
    }
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
