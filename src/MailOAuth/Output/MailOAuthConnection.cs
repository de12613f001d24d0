using System;

namespace MailOAuth.Output;

/// <summary>The admin session Connect-MailOAuth opened. Never holds the token.</summary>
public sealed class MailOAuthConnection
{
    internal MailOAuthConnection(string tenantId, string environment, string method, string? account, string? clientId, string[] roles, string[] scopes, DateTimeOffset connectedAt)
    {
        TenantId = tenantId;
        Environment = environment;
        Method = method;
        Account = account;
        ClientId = clientId;
        Roles = roles;
        Scopes = scopes;
        ConnectedAt = connectedAt;
    }

    /// <summary>The tenant GUID (resolved from the token, whatever form was given).</summary>
    public string TenantId { get; }
    public string Environment { get; }
    /// <summary>Interactive, DeviceCode, ClientSecret, Certificate, ManagedIdentity, AccessToken or FederatedToken.</summary>
    public string Method { get; }
    /// <summary>The signed-in user, for delegated sign-in.</summary>
    public string? Account { get; }
    /// <summary>The app or managed identity that signed in.</summary>
    public string? ClientId { get; }
    /// <summary>Application permissions in the token.</summary>
    public string[] Roles { get; }
    /// <summary>Delegated permissions in the token.</summary>
    public string[] Scopes { get; }
    public DateTimeOffset ConnectedAt { get; }

    public override string ToString() => $"{Account ?? ClientId} @ {TenantId} ({Environment})";
}
