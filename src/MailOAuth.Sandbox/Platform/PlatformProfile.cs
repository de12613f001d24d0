using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Platform;

/// <summary>
/// One dialect of the platform API: the field names and the texts of its validation messages.
/// <see cref="Default"/> is the contract's (docs/design.md#platform-contract),
/// <see cref="Alternative"/> another vendor's shape over the same stored settings.
/// </summary>
public sealed record PlatformProfile(
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
        var provider = BodyProperties.String(root, ProviderField);
        var tenantId = BodyProperties.String(root, TenantIdField);
        var clientId = BodyProperties.String(root, ClientIdField);
        var secret = BodyProperties.String(root, ClientSecretField);
        var sender = BodyProperties.String(root, SenderField);
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
        if (!DomainNames.IsGuid(tenantId) && !DomainNames.IsDnsName(tenantId))
        {
            errors.Add(new(TenantIdField, TenantIdMessage));
        }

        if (!DomainNames.IsGuid(clientId))
        {
            errors.Add(new(ClientIdField, ClientIdMessage));
        }

        if (secretRequired && string.IsNullOrEmpty(secret))
        {
            errors.Add(new(ClientSecretField, ClientSecretMessage));
        }

        if (!DomainNames.IsEmailAddress(sender))
        {
            errors.Add(new(SenderField, SenderMessage));
        }

        return errors;
    }

    /// <summary>The recipient of a test email, or the error for its field.</summary>
    public (string? Recipient, PlatformFieldError? Error) ValidateRecipient(JsonElement root)
    {
        var to = BodyProperties.String(root, RecipientField);
        return DomainNames.IsEmailAddress(to) ? (to, null) : (null, new PlatformFieldError(RecipientField, RecipientMessage));
    }
}
