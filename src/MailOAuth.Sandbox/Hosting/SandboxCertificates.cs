using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>Self-signed certificates made at start: one for TLS, one for token signing.</summary>
public static class SandboxCertificates
{
    /// <summary>
    /// TLS server certificate for 127.0.0.1 / localhost: RSA 2048, SAN IP 127.0.0.1 and DNS
    /// localhost, serverAuth EKU, valid from a day ago for 30 days.
    /// </summary>
    public static X509Certificate2 CreateTlsCertificate(DateTimeOffset now)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=MailOAuth Sandbox", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        san.AddDnsName("*." + KeyVault.KeyVaultEndpoints.Suffix); // the vaults, {name}.vault.localhost

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return Reload(request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30)));
    }

    /// <summary>The token signing key, wrapped in a certificate so that the JWKS can carry <c>x5c</c>.</summary>
    public static X509Certificate2 CreateSigningCertificate(DateTimeOffset now, string subject = "CN=MailOAuth Sandbox token signing")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        return Reload(request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30)));
    }

    // A certificate straight from CreateSelfSigned has an ephemeral key, which SChannel (Windows)
    // cannot use for TLS; a PKCS#12 round trip gives it a usable one on every platform.
    private static X509Certificate2 Reload(X509Certificate2 ephemeral)
    {
        using (ephemeral)
        {
            return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        }
    }
}
