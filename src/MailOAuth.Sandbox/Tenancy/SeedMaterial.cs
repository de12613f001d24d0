using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailOAuth.Sandbox.Tenancy;

/// <summary>
/// Random material made once per start and reused by every (re)seed, so that the start-up JSON
/// line stays true after <c>POST /_sandbox/reset-directory</c>: secret texts and key ids, the
/// admin client certificate (with its private key), the managed identity header and the ids of
/// Exchange's role definitions.
/// </summary>
public sealed class SeedMaterial : IDisposable
{
    private readonly Dictionary<string, (string SecretText, Guid KeyId)> _secrets = [];
    private readonly Dictionary<string, Guid> _exchangeRoleIds = new(StringComparer.Ordinal);

    private SeedMaterial(X509Certificate2 adminCertificate, string adminCertificatePassword, string identityHeader)
    {
        AdminCertificate = adminCertificate;
        AdminCertificatePassword = adminCertificatePassword;
        IdentityHeader = identityHeader;
    }

    /// <summary>The admin app's client certificate, with its private key (also written as a PFX).</summary>
    public X509Certificate2 AdminCertificate { get; }

    public string AdminCertificatePassword { get; }

    /// <summary>The value of IDENTITY_HEADER (X-IDENTITY-HEADER) for the managed identity endpoint.</summary>
    public string IdentityHeader { get; }

    public static SeedMaterial Create(DateTimeOffset now)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=MailOAuth Sandbox admin", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], critical: false));
        using var ephemeral = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));
        var password = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 24);
        var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12, password), password);
        return new SeedMaterial(certificate, password, Guid.NewGuid().ToString("N").ToUpperInvariant());
    }

    /// <summary>The secret of the seeded app <paramref name="name"/>, made on first use.</summary>
    public (string SecretText, Guid KeyId) Secret(string name)
    {
        lock (_secrets)
        {
            if (!_secrets.TryGetValue(name, out var secret))
            {
                _secrets[name] = secret = (SecretGenerator.NewSecretText(), Guid.NewGuid());
            }

            return secret;
        }
    }

    /// <summary>
    /// The id of the Exchange role definition <paramref name="displayName"/>, made on first use. Exchange's role ids
    /// are tenant-specific (docs/service-behaviour.md#exchange-rbac): random per start, so a client that hard-codes
    /// the id of Microsoft's documentation example fails here as it would in a real tenant.
    /// </summary>
    public Guid ExchangeRoleDefinitionId(string displayName)
    {
        lock (_exchangeRoleIds)
        {
            if (!_exchangeRoleIds.TryGetValue(displayName, out var id))
            {
                _exchangeRoleIds[displayName] = id = Guid.NewGuid();
            }

            return id;
        }
    }

    public void Dispose() => AdminCertificate.Dispose();
}
