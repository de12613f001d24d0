using System.Text.Json.Serialization;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>
/// What a running sandbox tells its clients: the start-up JSON line (docs/sandbox.md), typed.
/// URIs have no trailing slash. Property order is the JSON order.
/// </summary>
public sealed record SandboxInfo
{
    [JsonPropertyName("sandbox")] public string Sandbox { get; init; } = "MailOAuth.Sandbox";
    [JsonPropertyName("baseUri")] public required string BaseUri { get; init; }
    [JsonPropertyName("authorityHost")] public required string AuthorityHost { get; init; }
    [JsonPropertyName("graphEndpoint")] public required string GraphEndpoint { get; init; }
    [JsonPropertyName("certificatePath")] public required string CertificatePath { get; init; }
    [JsonPropertyName("certificateThumbprint")] public required string CertificateThumbprint { get; init; }
    [JsonPropertyName("tenantId")] public required string TenantId { get; init; }
    [JsonPropertyName("tenantDomain")] public required string TenantDomain { get; init; }
    [JsonPropertyName("tenantDisplayName")] public required string TenantDisplayName { get; init; }
    [JsonPropertyName("unverifiedDomain")] public required string UnverifiedDomain { get; init; }
    [JsonPropertyName("mailboxes")] public required SandboxMailboxes Mailboxes { get; init; }
    [JsonPropertyName("apps")] public required SandboxApps Apps { get; init; }
}

/// <summary>The seeded mailboxes (userPrincipalName = mail).</summary>
public sealed record SandboxMailboxes
{
    /// <summary>Licensed, no restrictions: sendMail gives 202.</summary>
    [JsonPropertyName("licensed")] public required string Licensed { get; init; }

    /// <summary>No Exchange licence: 404 MailboxNotEnabledForRESTAPI.</summary>
    [JsonPropertyName("unlicensed")] public required string Unlicensed { get; init; }

    /// <summary>Behind an application access policy: 403 ErrorAccessDenied "Access to OData is disabled.".</summary>
    [JsonPropertyName("restricted")] public required string Restricted { get; init; }

    /// <summary>Another licensed mailbox (a valid recipient; a from address the sender may not use).</summary>
    [JsonPropertyName("other")] public required string Other { get; init; }
}

/// <summary>The seeded applications.</summary>
public sealed record SandboxApps
{
    /// <summary>Mail.Send granted: tokens carry <c>roles:["Mail.Send"]</c>.</summary>
    [JsonPropertyName("consented")] public required SandboxApp Consented { get; init; }

    /// <summary>No role assignment: tokens carry no <c>roles</c> claim; sendMail gives 403.</summary>
    [JsonPropertyName("unconsented")] public required SandboxApp Unconsented { get; init; }

    /// <summary>Its only secret expired: AADSTS7000222.</summary>
    [JsonPropertyName("expiredSecret")] public required SandboxApp ExpiredSecret { get; init; }

    /// <summary>Blocked by a Conditional Access policy: AADSTS53003.</summary>
    [JsonPropertyName("conditionalAccessBlocked")] public required SandboxApp ConditionalAccessBlocked { get; init; }
}

/// <summary>One seeded application. All ids are GUID strings; the secret is random per start.</summary>
public sealed record SandboxApp
{
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("clientSecret")] public required string ClientSecret { get; init; }
    [JsonPropertyName("secretKeyId")] public required string SecretKeyId { get; init; }
    [JsonPropertyName("objectId")] public required string ObjectId { get; init; }
    [JsonPropertyName("servicePrincipalId")] public required string ServicePrincipalId { get; init; }
}
