package dev.bpfwatch.http;

import dev.bpfwatch.config.WebConfig;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server side of TLS from a web config: an SSLContext holding the
 * certificate chain and key, trusting client_ca_file for client
 * certificates, and the SSLParameters that carry client_auth_type and
 * min_version. Everything is read and checked here, at start-up, so a bad
 * file stops bpfwatch before any program is loaded.
 */
public record TlsContext(SSLContext context, WebConfig.ClientAuth clientAuth, WebConfig.TlsVersion minVersion) {
    private static final char[] NO_PASSWORD = new char[0];

    public static TlsContext of(WebConfig.Tls tls) {
        List<X509Certificate> chain = PemFiles.certificates(tls.cert(), "cert_file");
        PrivateKey key = PemFiles.privateKey(tls.key(), "key_file");
        checkKeyMatches(key, chain.get(0), tls);
        List<X509Certificate> clientCas = tls.clientCa()
                .map(ref -> PemFiles.certificates(ref, "client_ca_file")).orElse(List.of());
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, NO_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), trustManagers(tls.clientAuth(), clientCas), null);
            return new TlsContext(context, tls.clientAuth(), tls.minVersion());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw tls.cert().error("cert_file " + tls.cert().path() + " with key_file " + tls.key().path()
                    + ": cannot set up TLS: " + e.getMessage());
        }
    }

    /** client_auth_type and min_version for each connection. */
    public SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(minVersion.protocols);
        if (clientAuth.required) {
            p.setNeedClientAuth(true);
        } else if (clientAuth.requested) {
            p.setWantClientAuth(true);
        }
        return p;
    }

    /**
     * A key that is not the certificate's shows up otherwise only as a failed
     * handshake at the first scrape; a test signature catches it at start-up
     * for every key type alike.
     */
    private static void checkKeyMatches(PrivateKey key, X509Certificate cert, WebConfig.Tls tls) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw tls.key().error("key_file " + tls.key().path() + ": " + key.getAlgorithm()
                    + " keys are not supported (RSA, EC, Ed25519, Ed448)");
        };
        if (!signsFor(key, cert.getPublicKey(), algorithm)) {
            throw tls.key().error("key_file " + tls.key().path() + " does not match the certificate in cert_file "
                    + tls.cert().path());
        }
    }

    private static boolean signsFor(PrivateKey key, PublicKey pub, String algorithm) {
        byte[] probe = "bpfwatch key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub); // an RSA cert with an EC key fails here: a mismatch too
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static TrustManager[] trustManagers(WebConfig.ClientAuth auth, List<X509Certificate> cas)
            throws GeneralSecurityException, java.io.IOException {
        if (!auth.requested) {
            return null;
        }
        if (!auth.verified) {
            // RequestClientCert and RequireAnyClientCert take any certificate, as Go does.
            return new TrustManager[] {new AnyClientCertificate()};
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            trusted.setCertificateEntry("client-ca-" + i, cas.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        return tmf.getTrustManagers();
    }

    /** Accepts any client certificate: the policies that ask for one without verifying it. */
    private static final class AnyClientCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws
                java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a server does not check servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws
                java.security.cert.CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws
                java.security.cert.CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
