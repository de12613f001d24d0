using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace MailOAuth.Core.Auth;

/// <summary>
/// The only place a SecureString is turned into text, for the libraries that demand a string
/// (Azure.Identity's ClientSecretCredential). The text is never logged or put in a message.
/// </summary>
public static class SecretText
{
    /// <summary>Reveals a SecureString for handing to a credential.</summary>
    public static string Reveal(SecureString secret)
    {
        if (secret is null) throw new ArgumentNullException(nameof(secret));
        var ptr = IntPtr.Zero;
        try
        {
            ptr = Marshal.SecureStringToGlobalAllocUnicode(secret);
            return Marshal.PtrToStringUni(ptr) ?? string.Empty;
        }
        finally
        {
            if (ptr != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }

    /// <summary>Wraps text received from a service (a new secret) so that it leaves Core as a SecureString.</summary>
    public static SecureString Protect(string text)
    {
        var secure = new SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>
    /// A client secret *ID* (keyId) is a GUID; a secret *value* is ~40 characters of mixed symbols
    /// (docs/service-behaviour.md#add-password). A GUID-shaped "secret" is almost certainly the ID pasted by mistake.
    /// </summary>
    public static bool LooksLikeSecretId(string secret) => Guid.TryParse(secret.Trim(), out _);

    /// <summary>A one-way fingerprint, to key caches by secret without keeping the secret as the key.</summary>
    public static string Fingerprint(string secret)
    {
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(secret)));
    }
}
