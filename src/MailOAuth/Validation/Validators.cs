using System;
using System.Management.Automation;
using System.Net.Mail;
using System.Text.RegularExpressions;

namespace MailOAuth.Validation;

/// <summary>
/// A tenant is its GUID or one of its DNS domain names (docs/service-behaviour.md#token-request). Anything else would only fail
/// later with AADSTS900023, after a network round trip.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateTenantIdAttribute : ValidateArgumentsAttribute
{
    private static readonly Regex s_dns = new(@"^(?=.{1,253}$)(?!-)([a-zA-Z0-9-]{1,63}(?<!-)\.)+[a-zA-Z]{2,63}$", RegexOptions.CultureInvariant);

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments as string ?? arguments?.ToString() ?? "";
        ControlCharacters.Refuse(text, "tenant ID");
        if (Guid.TryParse(text, out var guid) && guid != Guid.Empty) return;
        if (s_dns.IsMatch(text)) return;
        throw new ValidationMetadataException(
            $"'{text}' is not a tenant ID. Use the Directory (tenant) ID, a GUID from Entra ID → Overview, or a verified domain of the tenant such as contoso.com.");
    }
}

/// <summary>An application (client) ID is a GUID (the appId; not the object ID, which is also a GUID).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateClientIdAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments as string ?? arguments?.ToString() ?? "";
        ControlCharacters.Refuse(text, "client ID");
        if (Guid.TryParse(text, out var guid) && guid != Guid.Empty) return;
        throw new ValidationMetadataException(
            $"'{text}' is not a client ID. Use the Application (client) ID, a GUID from Entra ID → App registrations → the app → Overview.");
    }
}

/// <summary>
/// Normalises an identifier before it is validated and used, so that what is checked is what is sent:
/// surrounding white space (a pasted trailing newline) is trimmed, and a GUID in any form .NET reads
/// ("{…}", 32 digits, "(…)", the hex-struct form) becomes its 36-character form. Put it beside
/// ValidateTenantId, ValidateClientId and ValidateEmailAddress.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class NormalizeIdentifierAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            string text => Normalize(text),
            string[] texts => Array.ConvertAll(texts, Normalize),
            object[] items when Array.TrueForAll(items, i => (i is PSObject p ? p.BaseObject : i) is string) =>
                Array.ConvertAll(items, i => Normalize((string)(i is PSObject p ? p.BaseObject : i))),
            _ => inputData,
        };
    }

    /// <summary>The trimmed text; a GUID in its 36-character lower-case form.</summary>
    public static string Normalize(string text)
    {
        var trimmed = text.Trim();
        return Guid.TryParse(trimmed, out var guid) ? guid.ToString("D") : trimmed;
    }
}

/// <summary>One or more e-mail addresses (a string or string[] parameter).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateEmailAddressAttribute : ValidateEnumeratedArgumentsAttribute
{
    // ASCII only, and none of the characters that would change a Graph request path (/ \ ? # %):
    // a mailbox address Exchange Online serves never has them, and a look-alike letter from another
    // script (a Cyrillic 'о' in contoso) is refused here rather than sent to another tenant's domain.
    private static readonly Regex s_address = new(@"^[A-Za-z0-9!$&'*+=^_`{|}~.\-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]{2,}$", RegexOptions.CultureInvariant);

    private static string Printable(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++) if (char.IsControl(chars[i])) chars[i] = '?';
        var shown = new string(chars);
        return shown.Length > 80 ? shown.Substring(0, 80) + "…" : shown;
    }

    protected override void ValidateElement(object element)
    {
        var text = element as string ?? element?.ToString() ?? "";
        ControlCharacters.Refuse(text, "e-mail address");
        if (text.Length > 0 && text.Length <= 320 && s_address.IsMatch(text))
        {
            try
            {
                if (new MailAddress(text).Address == text) return;
            }
            catch (FormatException)
            {
            }
        }
        var nonAscii = -1;
        for (var i = 0; i < text.Length && nonAscii < 0; i++) if (text[i] > 127) nonAscii = i;
        if (nonAscii >= 0)
            throw new ValidationMetadataException(
                $"'{Printable(text)}' is not an e-mail address Exchange Online serves: character {nonAscii + 1} ('{text[nonAscii]}', U+{(int)text[nonAscii]:X4}) is not ASCII — a look-alike letter from another script? Type the address again.");
        throw new ValidationMetadataException($"'{Printable(text)}' is not an e-mail address (expected name@domain, e.g. sender@contoso.com).");
    }
}

/// <summary>
/// A send scope as Get-MailOAuthApp shows it: Tenant, None, Mailbox or "Mailbox: sender@contoso.com" (docs/service-behaviour.md#exchange-rbac).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateSendScopeAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = (arguments is PSObject p ? p.BaseObject : arguments) as string;
        if (!MailOAuth.Core.Mail.MailSendScope.TryParse(text, out _))
            throw new ValidationMetadataException(
                $"'{text}' is not a send scope: use Tenant, None, Mailbox or 'Mailbox: sender@contoso.com' (what Get-MailOAuthApp shows as SendScope).");
    }
}

/// <summary>
/// A platform URI must be https (plain http only to loopback): refused before any request, so the API
/// token and the secret never travel in clear text.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidatePlatformUriAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var uri = arguments as Uri ?? (Uri.TryCreate(arguments?.ToString(), UriKind.Absolute, out var u) ? u : null);
        if (uri is null) throw new ValidationMetadataException($"'{arguments}' is not an absolute URI such as https://portal.example.com.");
        try
        {
            MailOAuth.Core.Platform.PlatformClient.RequireSecureUri(uri);
        }
        catch (ArgumentException ex)
        {
            throw new ValidationMetadataException(ex.Message);
        }
    }
}

/// <summary>
/// A secret or token given as a SecureString: not empty, and no control characters (a CR or LF would
/// be refused by the HTTP stack only after the request was built, and a pasted line break is never
/// part of a secret). Read from unmanaged memory and zeroed at once: no managed copy is made.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateSecretTextAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is not System.Security.SecureString secret) return; // null is ValidateNotNull's to refuse
        if (secret.Length == 0)
            throw new ValidationMetadataException("The value is empty: pass the secret or token itself (for example Read-Host -AsSecureString).");
        var pointer = System.Runtime.InteropServices.Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            for (var i = 0; i < secret.Length; i++)
            {
                if (char.IsControl((char)System.Runtime.InteropServices.Marshal.ReadInt16(pointer, i * 2)))
                    throw new ValidationMetadataException("The value contains a control character (a line break, tab or NUL): pass the secret or token without it.");
            }
        }
        finally
        {
            System.Runtime.InteropServices.Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}

/// <summary>An application display name: not blank, no control characters (Entra would store a CR, LF or NUL as given).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateDisplayNameAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments as string ?? arguments?.ToString() ?? "";
        if (text.Trim().Length == 0)
            throw new ValidationMetadataException("The display name is blank: give the app a name such as 'Email OAuth'.");
        foreach (var c in text)
            if (char.IsControl(c))
                throw new ValidationMetadataException("The display name contains a control character (a line break, tab or NUL): use printable characters only.");
    }
}

/// <summary>Shared by the text validators: a control character is never part of an ID or an address.</summary>
internal static class ControlCharacters
{
    public static void Refuse(string raw, string what)
    {
        foreach (var c in raw)
            if (char.IsControl(c))
                throw new ValidationMetadataException($"The {what} contains a control character (a line break, tab or NUL): pass it without.");
    }
}

/// <summary>
/// An optional path: null (nothing given, or a typed pipeline object whose property is empty) means none;
/// an empty or blank text is refused.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateOptionalPathAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is null) return;
        if (string.IsNullOrWhiteSpace(arguments as string ?? arguments.ToString()))
            throw new ValidationMetadataException("The path is empty: give a file path, or leave the parameter out.");
    }
}
