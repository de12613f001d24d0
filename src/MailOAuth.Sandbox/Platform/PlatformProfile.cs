using System.Text.Json;
using System.Text.RegularExpressions;

namespace MailOAuth.Sandbox.Platform;

/// <summary>
/// One dialect of the platform API: the field names and the texts of its validation messages.
/// <see cref="Default"/> is the contract's (ARCHITECTURE.md "Platform API contract"),
/// <see cref="Alternative"/> another vendor's shape over the same stored settings.
/// </summary>
public sealed partial record PlatformProfile(
    string ProviderField,
    string ProviderValue,
    string ProviderMessage,
    string TenantIdField,
    string TenantIdMessage,
    string ClientIdField,
    string ClientIdMessage,
    string ClientSecretField,
    string ClientSecretMessage,
    string SenderField,
    string SenderMessage,
    string RecipientField,
    string RecipientMessage)
{
    /// <summary>The only provider the platform's OAuth form stores.</summary>
    public const string ProviderName = "MicrosoftGraphOAuth";

    public static readonly PlatformProfile Default = new(
        "provider", ProviderName, "Provider must be \"MicrosoftGraphOAuth\".",
        "tenantId", "Tenant ID must be a GUID or a domain name.",
        "clientId", "Client ID must be a GUID.",
        "clientSecret", "Client secret is required.",
        "senderAddress", "Sender address must be an e-mail address.",
        "to", "Recipient must be an e-mail address.");

    public static readonly PlatformProfile Alternative = new(
        "mailProvider", "office365", "Mail provider must be \"office365\".",
        "directoryId", "Directory ID must be a GUID or a domain name.",
        "applicationId", "Application ID must be a GUID.",
        "applicationSecret", "Application secret is required.",
        "fromAddress", "From address must be an e-mail address.",
        "recipient", "Recipient must be an e-mail address.");

    /// <summary>The validated input of a save; <see cref="ClientSecret"/> null = keep the current one (admin form only).</summary>
    public sealed record SettingsInput(string TenantId, string ClientId, string? ClientSecret, string SenderAddress);

    /// <summary>
    /// Validates every field of a settings body (a JSON object) and reports each bad one, in
    /// contract order. Nothing is stored here.
    /// </summary>
    public (SettingsInput? Input, List<PlatformFieldError> Errors, (string? TenantId, string? ClientId, string? Sender) Typed) ValidateSettings(JsonElement root)
    {
        var provider = String(root, ProviderField);
        var tenantId = String(root, TenantIdField);
        var clientId = String(root, ClientIdField);
        var secret = String(root, ClientSecretField);
        var sender = String(root, SenderField);
        var errors = new List<PlatformFieldError>();
        if (!string.Equals(provider, ProviderValue, StringComparison.Ordinal))
        {
            errors.Add(new(ProviderField, ProviderMessage));
        }

        errors.AddRange(ValidateFields(tenantId, clientId, secret, sender, secretRequired: true));
        return (errors.Count == 0 ? new SettingsInput(tenantId!, clientId!, secret!, sender!) : null, errors, (tenantId, clientId, sender));
    }

    /// <summary>The checks shared by the API and the admin form (which has no provider field).</summary>
    public List<PlatformFieldError> ValidateFields(string? tenantId, string? clientId, string? secret, string? sender, bool secretRequired)
    {
        var errors = new List<PlatformFieldError>();
        if (!IsGuid(tenantId) && !IsDnsName(tenantId))
        {
            errors.Add(new(TenantIdField, TenantIdMessage));
        }

        if (!IsGuid(clientId))
        {
            errors.Add(new(ClientIdField, ClientIdMessage));
        }

        if (secretRequired && string.IsNullOrEmpty(secret))
        {
            errors.Add(new(ClientSecretField, ClientSecretMessage));
        }

        if (!IsEmailAddress(sender))
        {
            errors.Add(new(SenderField, SenderMessage));
        }

        return errors;
    }

    /// <summary>The recipient of a test email, or the error for its field.</summary>
    public (string? Recipient, PlatformFieldError? Error) ValidateRecipient(JsonElement root)
    {
        var to = String(root, RecipientField);
        return IsEmailAddress(to) ? (to, null) : (null, new PlatformFieldError(RecipientField, RecipientMessage));
    }

    /// <summary>A GUID in its usual 8-4-4-4-12 form.</summary>
    public static bool IsGuid(string? value) => value is not null && Guid.TryParseExact(value, "D", out _);

    /// <summary>A DNS name of two or more labels with an alphabetic top-level label (e.g. contoso.onmicrosoft.com).</summary>
    public static bool IsDnsName(string? value) => value is { Length: > 0 and <= 253 } && DnsName().IsMatch(value);

    /// <summary><c>local@domain</c>: no spaces or display name, a DNS domain.</summary>
    public static bool IsEmailAddress(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var at = value.LastIndexOf('@');
        return at > 0 && at <= 64 && LocalPart().IsMatch(value[..at]) && IsDnsName(value[(at + 1)..]);
    }

    /// <summary>A string property, matched case-insensitively; anything but a string reads as missing.</summary>
    public static string? String(JsonElement root, string name)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex LocalPart();
}
