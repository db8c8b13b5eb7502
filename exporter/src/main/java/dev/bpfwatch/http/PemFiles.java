package dev.bpfwatch.http;

import dev.bpfwatch.config.WebConfig.FileRef;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and keys from PEM files. BouncyCastle's parser, because the
 * JDK reads none of the key forms openssl writes by default besides PKCS#8:
 * "RSA PRIVATE KEY" (PKCS#1) and "EC PRIVATE KEY" (SEC1) are common in the
 * wild. Only the parsing is BouncyCastle's; the keys are the JDK's own types,
 * so no security provider is installed.
 */
final class PemFiles {
    private PemFiles() {
    }

    /** Every certificate in the file, in order (a chain: leaf first). */
    static List<X509Certificate> certificates(FileRef ref, String what) {
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : objects(ref, what)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    certs.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw ref.error(what + " " + ref.path() + ": bad certificate: " + e.getMessage());
                }
            }
        }
        if (certs.isEmpty()) {
            throw ref.error(what + " " + ref.path() + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        return certs;
    }

    /** The one private key in the file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. */
    static PrivateKey privateKey(FileRef ref, String what) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : objects(ref, what)) {
            try {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            } catch (IOException e) {
                throw ref.error(what + " " + ref.path() + ": unusable key: " + e.getMessage());
            }
            if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw ref.error(what + " " + ref.path() + ": the key is encrypted; give it unencrypted "
                        + "(openssl pkey -in KEY -out PLAIN)");
            }
        }
        throw ref.error(what + " " + ref.path() + ": no PEM private key (PRIVATE KEY, RSA PRIVATE KEY "
                + "or EC PRIVATE KEY) in it");
    }

    private static List<Object> objects(FileRef ref, String what) {
        List<Object> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(ref.path(), StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(r)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                out.add(o);
            }
        } catch (NoSuchFileException e) {
            throw ref.error(what + " " + ref.path() + ": no such file");
        } catch (AccessDeniedException e) {
            throw ref.error(what + " " + ref.path() + ": permission denied");
        } catch (IOException | RuntimeException e) {
            // PEMParser throws for broken base64 or DER; say which file, not which parser.
            throw ref.error(what + " " + ref.path() + ": not PEM: " + oneLine(e));
        }
        return out;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
