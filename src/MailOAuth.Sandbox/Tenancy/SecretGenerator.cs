using System.Security.Cryptography;

namespace MailOAuth.Sandbox.Tenancy;

/// <summary>Makes client secret texts in the shape Entra issues today.</summary>
public static class SecretGenerator
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string SecretAlphabet = Alphanumeric + "~._-";

    /// <summary>
    /// 40 characters: three random alphanumerics, the "8Q~" marker current secrets carry, then
    /// 34 characters of the secret alphabet (e.g. <c>abc8Q~…</c>). The hint is the first three
    /// characters (docs/service-behaviour.md#add-password).
    /// </summary>
    public static string NewSecretText() =>
        RandomNumberGenerator.GetString(Alphanumeric, 3) + "8Q~" + RandomNumberGenerator.GetString(SecretAlphabet, 34);
}
