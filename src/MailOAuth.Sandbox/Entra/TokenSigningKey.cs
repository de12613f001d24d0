using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Entra;

/// <summary>Outcome of checking a compact JWT's signature.</summary>
public enum JwtSignatureResult
{
    Valid,
    Malformed,
    BadSignature,
}

/// <summary>
/// The RS256 key that signs the sandbox's access tokens, published at
/// <c>/{tenant}/discovery/v2.0/keys</c>. As in Entra, <c>kid</c> = <c>x5t</c> = base64url of
/// the signing certificate's SHA-1 thumbprint.
/// </summary>
public sealed class TokenSigningKey : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly RSA _rsa;

    public TokenSigningKey(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _rsa = certificate.GetRSAPrivateKey() ?? throw new ArgumentException("The signing certificate has no RSA private key.");
        KeyId = Base64Url.EncodeToString(certificate.GetCertHash());
    }

    public string KeyId { get; }

    /// <summary>Signs <paramref name="payload"/> as <c>header.payload.signature</c>.</summary>
    public string Sign(JsonObject payload)
    {
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["x5t"] = KeyId, ["kid"] = KeyId };
        var signingInput = Encode(header) + "." + Encode(payload);
        var signature = _rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Checks the shape, <c>alg</c>, <c>kid</c> and RS256 signature; returns the payload when valid.</summary>
    public JwtSignatureResult Verify(string token, out JsonElement payload)
    {
        payload = default;
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return JwtSignatureResult.Malformed;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var body = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var signature = Base64Url.DecodeFromChars(parts[2]);
            if (header.RootElement.ValueKind != JsonValueKind.Object || body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return JwtSignatureResult.Malformed;
            }

            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "RS256"
                || (header.RootElement.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String && kid.GetString() != KeyId))
            {
                return JwtSignatureResult.BadSignature;
            }

            var data = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!_rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return JwtSignatureResult.BadSignature;
            }

            payload = body.RootElement.Clone();
            return JwtSignatureResult.Valid;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return JwtSignatureResult.Malformed;
        }
    }

    /// <summary>The JWKS document entry (shape of Entra's discovery/v2.0/keys; <c>issuer</c> only when given).</summary>
    public JsonObject ToJwks(string? issuer)
    {
        var parameters = _rsa.ExportParameters(includePrivateParameters: false);
        var key = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = KeyId,
            ["x5t"] = KeyId,
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
            ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)),
        };
        if (issuer is not null)
        {
            key["issuer"] = issuer;
        }
        else
        {
            key["alg"] = "RS256";
        }

        return new JsonObject { ["keys"] = new JsonArray(key) };
    }

    public void Dispose()
    {
        _rsa.Dispose();
        _certificate.Dispose();
    }

    private static string Encode(JsonObject node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(SandboxJson.Serialize(node)));
}
