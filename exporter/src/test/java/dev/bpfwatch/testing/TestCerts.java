package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Certificates made at test time with openssl, so none expire in the repo:
 * a CA, a server certificate for 127.0.0.1 / localhost signed by it (RSA,
 * key in PKCS#8 and PKCS#1; and an EC one, key in SEC1), and a client
 * certificate signed by the same CA.
 */
public final class TestCerts {
    public final Path dir;
    public final Path ca;
    public final Path serverCert;
    /** PKCS#8 ("PRIVATE KEY"), as openssl 3 writes by default. */
    public final Path serverKey;
    /** PKCS#1 ("RSA PRIVATE KEY"). */
    public final Path serverKeyPkcs1;
    public final Path ecServerCert;
    /** SEC1 ("EC PRIVATE KEY"). */
    public final Path ecServerKey;
    public final Path clientCert;
    public final Path clientKey;
    /** A key that belongs to no certificate here. */
    public final Path strayKey;

    private TestCerts(Path dir) {
        this.dir = dir;
        this.ca = dir.resolve("ca.pem");
        this.serverCert = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server.key");
        this.serverKeyPkcs1 = dir.resolve("server-pkcs1.key");
        this.ecServerCert = dir.resolve("server-ec.pem");
        this.ecServerKey = dir.resolve("server-ec.key");
        this.clientCert = dir.resolve("client.pem");
        this.clientKey = dir.resolve("client.key");
        this.strayKey = dir.resolve("stray.key");
    }

    public static TestCerts create(Path dir) {
        TestCerts c = new TestCerts(dir);
        Path caKey = dir.resolve("ca.key");
        Path serverExt = write(dir.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        Path clientExt = write(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", c.ca.toString(),
                "-days", "2", "-subj", "/CN=bpfwatch test CA");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", c.serverKey.toString());
        sign(dir, c.serverKey, c.serverCert, "/CN=localhost", caKey, c.ca, serverExt);
        openssl("rsa", "-in", c.serverKey.toString(), "-traditional", "-out", c.serverKeyPkcs1.toString());
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", c.ecServerKey.toString());
        sign(dir, c.ecServerKey, c.ecServerCert, "/CN=localhost", caKey, c.ca, serverExt);
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", c.clientKey.toString());
        sign(dir, c.clientKey, c.clientCert, "/CN=scraper", caKey, c.ca, clientExt);
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", c.strayKey.toString());
        return c;
    }

    private static void sign(Path dir, Path key, Path cert, String subject, Path caKey, Path ca, Path ext) {
        Path csr = dir.resolve(cert.getFileName() + ".csr");
        openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", subject);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
    }

    private static void openssl(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Command.ok(cmd);
    }

    public static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
