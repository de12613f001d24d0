using System;
using System.Globalization;
using System.Text;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.KeyVault;

/// <summary>
/// Key Vault's naming rules and the vault URI check (docs/service-behaviour.md#key-vault-names): a vault is
/// https://NAME.{the cloud's vault suffix} with a NAME of 3–24 letters, digits and hyphens (a letter first, no
/// "--", no hyphen last); a secret name is 1–127 letters, digits and hyphens.
/// </summary>
public static class KeyVaultNames
{
    public const int MaxSecretNameLength = 127;

    /// <summary>True for a name Key Vault accepts for a secret: 1–127 of [0-9a-zA-Z-].</summary>
    public static bool IsValidSecretName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name!.Length > MaxSecretNameLength) return false;
        foreach (var c in name) if (!IsNameChar(c)) return false;
        return true;
    }

    /// <summary>
    /// The default secret name for an app: its display name with accents dropped (é → e), every run of other
    /// characters than ASCII letters and digits made one hyphen, no hyphen at either end, at most 127
    /// characters ("Email OAuth" → "Email-OAuth"). A name with no ASCII letter or digit at all gives
    /// "MailOAuth-{clientId}" (or, before the client ID is known, <c>null</c>).
    /// </summary>
    public static string? SecretNameFor(string displayName, string? clientId)
    {
        var decomposed = (displayName ?? "").Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        var hyphen = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                if (hyphen && sb.Length > 0) sb.Append('-');
                sb.Append(c);
                hyphen = false;
            }
            else hyphen = true;
        }
        var name = sb.ToString();
        if (name.Length > MaxSecretNameLength) name = name.Substring(0, MaxSecretNameLength).TrimEnd('-');
        if (name.Length > 0) return name;
        return clientId is null ? null : "MailOAuth-" + clientId;
    }

    /// <summary>
    /// What is wrong with the shape of a vault URI, or null: https, no user name, no query or fragment, no path
    /// beyond "/", and a first host label that is a valid vault name. Which cloud's suffix it needs is checked
    /// against the connection (<see cref="Resolve"/>).
    /// </summary>
    public static string? ShapeProblem(Uri? uri)
    {
        if (uri is null || !uri.IsAbsoluteUri) return $"'{uri}' is not an absolute URI such as https://contoso-mail.vault.azure.net.";
        var shown = CloudEnvironment.WithoutUserInfo(uri);
        if (uri.Scheme != Uri.UriSchemeHttps) return $"'{shown}' must use https (Key Vault answers on https only; a token never travels in clear text).";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return $"'{shown}' must not carry a user name or password (the part before '@').";
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || uri.AbsolutePath != "/")
            return $"'{shown}' must be the vault's own URI (https://NAME.vault.azure.net, as the vault's Overview shows it as 'Vault URI'), without a path such as /secrets/….";
        if (uri.HostNameType != UriHostNameType.Dns) return $"'{shown}' must name the vault by its DNS name (https://NAME.vault.azure.net), not an IP address.";
        var dot = uri.Host.IndexOf('.');
        var label = dot < 0 ? uri.Host : uri.Host.Substring(0, dot);
        if (dot < 0 || !IsValidVaultName(label))
            return $"'{label}' in '{shown}' is not a vault name: 3–24 letters, digits and hyphens, beginning with a letter, ending with a letter or digit, no two hyphens in a row.";
        return null;
    }

    /// <summary>
    /// The vault URI normalised (https://host[:port]/), or a KeyVaultUriInvalid diagnosis: a bad shape, an
    /// environment without Key Vault, or a host outside the connection's cloud (a USGov vault with a Global
    /// connection cannot accept that connection's tokens).
    /// </summary>
    public static Uri Resolve(Uri uri, CloudEnvironment environment)
    {
        if (ShapeProblem(uri) is { } problem) throw new MailOAuthException(DiagnosisCatalog.KeyVaultUriInvalid(uri, problem, environment));
        if (environment.KeyVaultSuffix is not { } suffix)
            throw new MailOAuthException(DiagnosisCatalog.KeyVaultUriInvalid(uri,
                $"The environment '{environment.Name}' names no Key Vault DNS suffix.", environment));
        if (!uri.Host.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase) || uri.Host.Length - suffix.Length - 1 != uri.Host.IndexOf('.'))
            throw new MailOAuthException(DiagnosisCatalog.KeyVaultUriInvalid(uri,
                $"'{uri.Host}' is not a vault of the {environment.Name} cloud, whose vaults are NAME.{suffix}.", environment));
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>3–24 characters, [0-9a-zA-Z-], a letter first, a letter or digit last, no "--".</summary>
    public static bool IsValidVaultName(string label)
    {
        if (label.Length is < 3 or > 24 || !IsAsciiLetter(label[0]) || label[label.Length - 1] == '-') return false;
        for (var i = 0; i < label.Length; i++)
        {
            if (!IsNameChar(label[i])) return false;
            if (label[i] == '-' && i > 0 && label[i - 1] == '-') return false;
        }
        return true;
    }

    private static bool IsNameChar(char c) => IsAsciiLetter(c) || c is >= '0' and <= '9' || c == '-';

    private static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';
}
