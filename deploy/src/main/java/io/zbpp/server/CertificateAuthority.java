package io.zbpp.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for trying TLS out ({@code zbpp certs}; docs/cluster.md "Security"): an RSA
 * CA whose certificate and key are PEM files, and node certificates signed by it, written in the layout of
 * Pekko's rotating-keys engine and of a Kubernetes TLS secret ({@code tls.key} in PKCS#8, {@code tls.crt},
 * {@code ca.crt}). Every node certificate carries the subject alternative name {@link #CLUSTER_NAME}: the
 * rotating-keys engine accepts a peer only if its certificate shares a name with the node's own.
 */
public final class CertificateAuthority {
  /** The DNS name every node certificate of one cluster shares. */
  public static final String CLUSTER_NAME = "zbpp-cluster";
  private static final Duration VALIDITY = Duration.ofDays(825);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PrivateKey key;
  private final X509Certificate certificate;

  private CertificateAuthority(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /** A new CA named {@code name}. */
  public static CertificateAuthority create(String name) {
    KeyPair pair = rsa();
    X500Name subject = new X500Name("CN=" + name);
    try {
      var ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(subject, subject, pair)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(pair.getPrivate(), sign(b, pair.getPrivate()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
    }
  }

  /** The CA saved in {@code dir} ({@code ca.key}, {@code ca.crt}). */
  public static CertificateAuthority load(Path dir) {
    try {
      byte[] der = pem(Files.readString(dir.resolve("ca.key")), "PRIVATE KEY");
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(Files.newInputStream(dir.resolve("ca.crt")));
      return new CertificateAuthority(key, cert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the CA in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code ca.key} and {@code ca.crt} into {@code dir}. */
  public void save(Path dir) {
    write(dir.resolve("ca.key"), pem("PRIVATE KEY", key.getEncoded()));
    write(dir.resolve("ca.crt"), pem("CERTIFICATE", encoded(certificate)));
  }

  /**
   * Writes a node's {@code tls.key}, {@code tls.crt} and {@code ca.crt} into {@code dir}, for subject
   * {@code name} with DNS names {@link #CLUSTER_NAME}, {@code name} and {@code localhost}, IP 127.0.0.1, and
   * {@code hosts} (names or IP addresses).
   */
  public void issue(Path dir, String name, List<String> hosts) {
    KeyPair pair = rsa();
    List<GeneralName> names = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, CLUSTER_NAME),
        new GeneralName(GeneralName.dNSName, name), new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    for (String h : hosts) {
      names.add(new GeneralName(h.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, h));
    }
    try {
      var ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
          new X500Name("CN=" + name), pair)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      X509Certificate cert = sign(b, key);
      Files.createDirectories(dir);
      write(dir.resolve("tls.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      write(dir.resolve("tls.crt"), pem("CERTIFICATE", encoded(cert)));
      write(dir.resolve("ca.crt"), pem("CERTIFICATE", encoded(certificate)));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a certificate for " + name + ": " + e.getMessage(), e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(96, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] pem(String text, String type) {
    String body = text.replace("-----BEGIN " + type + "-----", "").replace("-----END " + type + "-----", "");
    return Base64.getMimeDecoder().decode(body.getBytes(StandardCharsets.US_ASCII));
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
      if (file.getFileName().toString().endsWith(".key")) {
        try {
          Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the default permissions stay
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
