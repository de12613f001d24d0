using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Entra;

/// <summary>A compact JWS split into its parts; the header and payload are parsed JSON objects.</summary>
public sealed record CompactJwt(JsonElement Header, JsonElement Payload, byte[] SigningInput, byte[] Signature)
{
    public string? HeaderString(string name) =>
        Header.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public string? ClaimString(string name) =>
        Payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A NumericDate claim; MSAL.NET writes nbf/exp of client assertions as numeric strings, which Entra accepts.</summary>
    public long? ClaimSeconds(string name)
    {
        if (!Payload.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds))
        {
            return seconds;
        }

        return value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seconds)
                ? seconds
                : null;
    }

    /// <summary><c>aud</c> as a list (a string or an array of strings).</summary>
    public IReadOnlyList<string> Audiences =>
        !Payload.TryGetProperty("aud", out var aud) ? []
        : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
        : aud.ValueKind == JsonValueKind.Array ? [.. aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)]
        : [];

    public static CompactJwt? Parse(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new CompactJwt(header.RootElement.Clone(), payload.RootElement.Clone(),
                Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]));
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>RS256 (PKCS#1 v1.5) or PS256 (PSS), the two algorithms MSAL signs assertions with.</summary>
    public bool VerifyWith(RSA key)
    {
        var padding = HeaderString("alg") switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        try
        {
            return padding is not null && key.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>
/// Client authentication with <c>client_assertion</c> (docs/service-behaviour.md#token-request, #aadsts-missing-credential): a certificate assertion
/// (iss = sub = client_id, signed with the private key of one of the app's keyCredentials) or a
/// federated one (workload identity federation: iss is an external issuer that the app trusts
/// through a federated identity credential).
/// </summary>
public static class ClientAssertions
{
    public const string JwtBearerType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>Clock skew allowed on nbf (INFERRED: 5 minutes, as token validators commonly do).</summary>
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    /// <summary>Null when the assertion authenticates <paramref name="app"/>; else the Entra error.</summary>
    public static EntraError? Validate(HttpContext context, SandboxRuntime runtime, DirectoryApplication app, string assertionType, string assertion, DateTimeOffset now)
    {
        if (assertionType != JwtBearerType)
        {
            return EntraErrors.MissingParameter("client_assertion_type"); // INFERRED for a wrong value too
        }

        if (CompactJwt.Parse(assertion) is not { } jwt)
        {
            return EntraErrors.MalformedAssertion();
        }

        var issuer = jwt.ClaimString("iss") ?? "";
        return issuer == app.AppId.ToString()
            ? ValidateCertificateAssertion(context, runtime, app, jwt, now)
            : ValidateFederatedAssertion(runtime, app, jwt, issuer, now);
    }

    private static EntraError? ValidateCertificateAssertion(HttpContext context, SandboxRuntime runtime, DirectoryApplication app, CompactJwt jwt, DateTimeOffset now)
    {
        if (jwt.ClaimString("sub") != app.AppId.ToString())
        {
            return EntraErrors.AssertionSubjectMismatch();
        }

        // aud is the token endpoint; the tenant in it may be the GUID or a domain, so only the
        // host and the endpoint path are compared.
        var audience = jwt.Audiences.FirstOrDefault() ?? "";
        if (!IsTokenEndpoint(audience, runtime))
        {
            return EntraErrors.AssertionAudienceInvalid(audience);
        }

        if (TimeError(jwt, now) is { } timeError)
        {
            return timeError;
        }

        var sha1 = Thumbprint(jwt.HeaderString("x5t"));
        var sha256 = Thumbprint(jwt.HeaderString("x5t#S256"));
        var key = app.KeyCredentials.FirstOrDefault(k => k.IsActiveAt(now)
            && ((sha1 is not null && k.Sha1Thumbprint.AsSpan().SequenceEqual(sha1))
                || (sha256 is not null && k.Sha256Thumbprint.AsSpan().SequenceEqual(sha256))));
        var thumbprint = Convert.ToHexString(sha1 ?? sha256 ?? []);
        if (key is null)
        {
            return EntraErrors.AssertionKeyNotFound(thumbprint, app.AppId.ToString(), runtime.GraphEndpoint);
        }

        using var certificate = X509CertificateLoader.LoadCertificate(key.Certificate.AsSpan());
        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null && jwt.VerifyWith(rsa) ? null : EntraErrors.AssertionBadSignature(thumbprint, app.AppId.ToString());
    }

    private static EntraError? ValidateFederatedAssertion(SandboxRuntime runtime, DirectoryApplication app, CompactJwt jwt, string issuer, DateTimeOffset now)
    {
        var subject = jwt.ClaimString("sub") ?? "";
        var audiences = jwt.Audiences;
        // Matching is exact and case-sensitive (Entra's current behaviour for issuer and subject).
        var match = app.FederatedIdentityCredentials.FirstOrDefault(f =>
            f.Issuer == issuer && f.Subject == subject && f.Audiences.Any(a => audiences.Contains(a, StringComparer.Ordinal)));
        if (match is null)
        {
            return EntraErrors.NoMatchingFederatedIdentity(issuer, subject, string.Join(", ", audiences));
        }

        if (TimeError(jwt, now) is { } timeError)
        {
            return timeError;
        }

        // The only external issuer the sandbox can reach is itself (/_sandbox/oidc).
        return issuer == runtime.FederatedIssuer && runtime.IssuerKey.Verify(Token(jwt), out _) == JwtSignatureResult.Valid
            ? null
            : EntraErrors.FederatedAssertionBadSignature(issuer);
    }

    private static EntraError? TimeError(CompactJwt jwt, DateTimeOffset now)
    {
        var exp = jwt.ClaimSeconds("exp");
        var nbf = jwt.ClaimSeconds("nbf");
        var validFrom = DateTimeOffset.FromUnixTimeSeconds(nbf ?? 0);
        var expiry = exp is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : DateTimeOffset.UnixEpoch;
        return exp is null || expiry <= now || validFrom > now + Skew
            ? EntraErrors.AssertionOutsideValidTime(now, validFrom, expiry)
            : null;
    }

    private static bool IsTokenEndpoint(string audience, SandboxRuntime runtime)
    {
        if (!Uri.TryCreate(audience, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var authority = new Uri(runtime.AuthorityHost);
        var hostMatches = uri.Port == authority.Port
            && (string.Equals(uri.Host, authority.Host, StringComparison.OrdinalIgnoreCase)
                || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase));
        var path = uri.AbsolutePath.TrimEnd('/');
        return hostMatches
            && (path.EndsWith("/oauth2/v2.0/token", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/oauth2/token", StringComparison.OrdinalIgnoreCase))
            && TenantResolver.Resolve(runtime.Directory, path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0]) == TenantMatch.Found;
    }

    private static byte[]? Thumbprint(string? base64Url)
    {
        if (string.IsNullOrEmpty(base64Url))
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(base64Url);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Token(CompactJwt jwt) =>
        Encoding.ASCII.GetString(jwt.SigningInput) + "." + Base64Url.EncodeToString(jwt.Signature);
}
